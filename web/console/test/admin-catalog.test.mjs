// The catalogs of the hot spots, poster check and administration views
// (i18n/<lang>.admin.json) against each other and against every key their
// modules use; and the rules those modules keep (no HTML injection, no
// inline style, no storage of anything).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ACCOUNT_CHANGES, ACCOUNT_STATES, KNOWN_KINDS, POSTER_LANGUAGES, ROLES, VERDICTS } from '../admin-logic.mjs';
import { CHART_DIMENSIONS, CSV_DIMENSIONS, KNOWN_CATEGORIES } from '../admin-stats.mjs';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..');
const LANGS = ['zh-CN', 'en'];
const catalogs = Object.fromEntries(LANGS.map((l) => [l, JSON.parse(readFileSync(join(dir, 'i18n', `${l}.admin.json`), 'utf8'))]));
const en = catalogs.en;
const MODULES = ['hotspots.mjs', 'postercheck.mjs', 'admin.mjs', 'admin-sites.mjs', 'admin-dom.mjs', 'admin-logic.mjs', 'admin-stats.mjs'];
const sources = MODULES.map((n) => ({ name: n, text: readFileSync(join(dir, n), 'utf8') }));
const PREFIX = '(?:hotspots|postercheck|admin)';

/** Keys written out as string literals in the modules. */
function literalKeys() {
  const keys = new Map();
  const literal = new RegExp(`(['"])(${PREFIX}\\.[A-Za-z0-9_.-]+)\\1`, 'g');
  for (const s of sources) for (const m of s.text.matchAll(literal)) keys.set(m[2], s.name);
  return keys;
}

/** Keys the modules build from data, family by family (the template literal's text before `${`). */
const families = {
  'hotspots.column.': [...CHART_DIMENSIONS, 'clues', 'escalated', 'overdue', 'unit'],
  'hotspots.category.': KNOWN_CATEGORIES,
  'hotspots.csv.by.': CSV_DIMENSIONS,
  'hotspots.': CHART_DIMENSIONS.flatMap((by) => [`${by}.title`, `${by}.caption`]),
  'postercheck.verdict.': VERDICTS.flatMap((v) => [`${v}.title`, `${v}.advice`]),
  'postercheck.code.': VERDICTS.filter((v) => v !== 'no_code'),
  'admin.accounts.column.': ['name', 'role', 'state', 'totp', 'lastLogin', 'unitKey', 'actions'],
  'admin.sites.column.': ['select', 'name', 'unit', 'kind', 'version', 'url', 'actions'],
  'admin.change.': ACCOUNT_CHANGES.flatMap((c) => ['button', 'title', 'text', 'ok', 'done'].map((p) => `${c}.${p}`)),
  'admin.role.': ROLES,
  'admin.state.': ACCOUNT_STATES,
  'admin.unitKey.': ['held', 'pending', 'missing', 'none'],
  'admin.kind.': KNOWN_KINDS,
  'admin.key.state.': ['none', 'loaded', 'new'],
  'admin.posters.language.': POSTER_LANGUAGES,
};

function composedKeys() {
  return Object.entries(families).flatMap(([prefix, rests]) => rests.map((r) => `${prefix}${r}`));
}

const placeholders = (s) => [...s.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]).sort();

test('zh-CN and en have the same keys, none empty, the same placeholders', () => {
  assert.deepEqual(Object.keys(catalogs['zh-CN']).sort(), Object.keys(en).sort());
  for (const [lang, catalog] of Object.entries(catalogs)) {
    for (const [k, v] of Object.entries(catalog)) {
      assert.match(k, new RegExp(`^${PREFIX}\\.`), `${lang} ${k}: not a key of these views`);
      assert.equal(typeof v, 'string', `${lang} ${k}`);
      assert.ok(v.trim() !== '', `${lang} ${k} is empty`);
      assert.deepEqual(placeholders(v), placeholders(en[k]), `${lang} ${k}: placeholders differ from en`);
    }
  }
});

test('the Chinese catalog is a translation, not a copy of English', () => {
  const zh = catalogs['zh-CN'];
  // Language names are written in their own language in both catalogs.
  const same = Object.keys(en).filter((k) => zh[k] === en[k] && !k.startsWith('admin.posters.language.'));
  assert.deepEqual(same, []);
  const chinese = Object.values(zh).filter((v) => /[\u4e00-\u9fff]/.test(v)).length;
  assert.ok(chinese > Object.keys(zh).length - 10, `only ${chinese} Chinese texts`);
});

test('every key the modules use is in the catalogs', () => {
  const missing = [];
  for (const [k, where] of literalKeys()) if (!(k in en)) missing.push(`${k} (${where})`);
  for (const k of composedKeys()) if (!(k in en)) missing.push(`${k} (composed)`);
  assert.deepEqual(missing, []);
});

test('every key built in a template literal belongs to a known family', () => {
  const unknown = [];
  const template = new RegExp(`\`(${PREFIX}\\.[A-Za-z0-9_.-]*)\\$\\{`, 'g');
  for (const s of sources) for (const m of s.text.matchAll(template)) if (!(m[1] in families)) unknown.push(`${m[1]}… (${s.name})`);
  assert.deepEqual(unknown, []);
});

test('every catalog key is used', () => {
  const used = new Set([...literalKeys().keys(), ...composedKeys()]);
  assert.deepEqual(Object.keys(en).filter((k) => !used.has(k)), []);
});

test('the modules build no markup from data, set no inline style and store nothing', () => {
  for (const { name, text } of sources) {
    assert.doesNotMatch(text, /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write/, `${name}: HTML from strings`);
    assert.doesNotMatch(text, /setAttribute\(\s*['"]style['"]/, `${name}: inline style attribute`);
    assert.doesNotMatch(text, /localStorage|sessionStorage|indexedDB|document\.cookie/, `${name}: storage`);
    assert.doesNotMatch(text, /\beval\(|new Function\(/, `${name}: code from strings`);
  }
});

test('the signing key is never sent: the sites page posts tokens, never key bytes', () => {
  const sites = sources.find((s) => s.name === 'admin-sites.mjs').text;
  for (const m of sites.matchAll(/ctx\.api\.(post|postBytes)\(([^;]*)/g)) {
    assert.doesNotMatch(m[2], /secretKey|signingKey\b(?!\?\.publicKeyText)/, `a request carries the key: ${m[0]}`);
  }
  assert.match(sites, /export function leaveSites\(\)[\s\S]*?forgetKey\(\)/);
  assert.match(sites, /function forgetKey\(\)\s*\{\s*if \(signingKey\) wipe\(signingKey\.secretKey\)/);
});

test('no module is over 600 lines', () => {
  for (const { name, text } of sources) assert.ok(text.split('\n').length <= 600, `${name} is too long`);
});
