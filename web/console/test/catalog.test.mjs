// The core catalogs (i18n/zh-CN.json, i18n/en.json) against each other and
// against every key the console's core uses; and the rules console.html
// and the core's modules keep (no text outside data-i18n, no inline script,
// style or handler; no HTML injection or storage). The hot spots, poster
// check and admin views' keys (hotspots.*, postercheck.*, admin.*) and
// files are checked by their own tests.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LANGUAGES } from '../i18n.mjs';
import { BADGES, ESCALATION_REASONS, EVENT_ACTIONS, OUTCOMES, ROLES, ROUTE_RULES, STATUSES } from '../logic.mjs';
import { offeredActions } from '../clue-actions.mjs';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..');
const OTHER_PREFIXES = /^(hotspots|postercheck|admin)\./;
const othersFile = /^(hotspots|postercheck|admin)([-.].*)?\.mjs$/;
const catalogs = Object.fromEntries(LANGUAGES.map((l) => [l, JSON.parse(readFileSync(join(dir, 'i18n', `${l}.json`), 'utf8'))]));
const en = catalogs.en;
const sources = readdirSync(dir).filter((n) => n.endsWith('.mjs') && !othersFile.test(n)).map((n) => ({ name: n, text: readFileSync(join(dir, n), 'utf8') }));
const html = readFileSync(join(dir, 'console.html'), 'utf8');
const namespaces = [...new Set(Object.keys(en).map((k) => k.split('.')[0]))];

/** Keys written out: data-i18n="…" in the HTML, string literals under a catalog namespace in the code. */
function staticKeys() {
  const keys = new Map();
  for (const m of html.matchAll(/data-i18n="([^"]+)"/g)) keys.set(m[1], 'console.html');
  const literal = new RegExp(`(['"\`])((?:${namespaces.join('|')})\\.[A-Za-z0-9_.-]+)\\1`, 'g');
  for (const s of sources) for (const m of s.text.matchAll(literal)) keys.set(m[2], s.name);
  return keys;
}

/** Keys the code builds from data or from lists. */
function composedKeys() {
  const keys = [];
  for (const l of LANGUAGES) keys.push(`lang.${l}`);
  for (const r of ROLES) keys.push(`role.${r}`);
  for (const s of STATUSES) keys.push(`status.${s}`);
  for (const o of OUTCOMES) keys.push(`outcome.${o}`);
  for (const b of BADGES) keys.push(`badge.${b}`, `badge.${b}.hint`);
  for (const r of ROUTE_RULES) keys.push(`route.rule.${r}`);
  keys.push('route.rule.other');
  for (const e of EVENT_ACTIONS) keys.push(`event.${e}`);
  for (const e of ESCALATION_REASONS) keys.push(`escalation.${e}`);
  // The default policy's categories and levels (docs/routing.md).
  for (const c of ['bribery', 'embezzlement', 'abuse_of_power', 'dereliction_of_duty', 'favoritism', 'protective_umbrella', 'supervision_staff', 'unit_head', 'other']) keys.push(`category.${c}`);
  for (const l of ['central', 'province', 'city', 'county', 'township', 'village', 'unknown']) keys.push(`level.${l}`);
  for (const n of ['signedOut', 'idle', 'expired']) keys.push(`signin.notice.${n}`);
  for (const c of ['clue', 'site', 'category', 'status', 'received', 'deadline', 'flags']) keys.push(`queue.col.${c}`);
  for (const d of ['acknowledge', 'handle']) keys.push(`queue.deadline.${d}`);
  for (const r of ['handling', 'escalated']) keys.push(`clue.relation.${r}`);
  const actions = new Set();
  for (const relation of ['handling', 'escalated']) {
    for (const status of STATUSES) for (const a of offeredActions({ relation, status, transfer_targets: [2] })) actions.add(a);
  }
  for (const a of actions) keys.push(`action.${a}`, `action.${a}.done`);
  for (const a of ['close', 'transfer', 'recuse', 'take_over', 'link_duplicate', 'reopen']) keys.push(`confirm.${a}.title`, `confirm.${a}.text`);
  return keys;
}

const placeholders = (s) => [...s.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]).sort();

test('both catalogs have the same keys, none empty, the same placeholders, and none of the other views\' prefixes', () => {
  for (const [lang, catalog] of Object.entries(catalogs)) {
    assert.deepEqual(Object.keys(catalog).sort(), Object.keys(en).sort(), `${lang} has other keys than en`);
    for (const [k, v] of Object.entries(catalog)) {
      assert.equal(typeof v, 'string', `${lang} ${k}`);
      assert.ok(v.trim() !== '', `${lang} ${k} is empty`);
      assert.deepEqual(placeholders(v), placeholders(en[k]), `${lang} ${k}: placeholders differ from en`);
      assert.doesNotMatch(k, OTHER_PREFIXES, `${lang} ${k} belongs in the admin catalog`);
    }
  }
});

test('the Chinese catalog is a translation, not a copy of English', () => {
  const same = Object.keys(en).filter((k) => catalogs['zh-CN'][k] === en[k] && !/^(lang\.|common\.time$|route\.rule\.other$)/.test(k));
  assert.deepEqual(same, []);
});

test('every key the core uses is in the catalogs', () => {
  const missing = [];
  for (const [k, where] of staticKeys()) if (!OTHER_PREFIXES.test(k) && !(k in en)) missing.push(`${k} (${where})`);
  for (const k of composedKeys()) if (!(k in en)) missing.push(`${k} (composed)`);
  assert.deepEqual(missing, []);
});

test('every catalog key is used', () => {
  const used = new Set([...staticKeys().keys(), ...composedKeys()]);
  assert.deepEqual(Object.keys(en).filter((k) => !used.has(k)), []);
});

test('console.html holds no text outside data-i18n elements and <noscript>, and no inline script, style or handler', () => {
  const visible = html
    .replace(/<noscript>[\s\S]*?<\/noscript>/g, '')
    .replace(/<title>[^<]*<\/title>/g, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<[^>]+>/g, '')
    .trim();
  assert.equal(visible, '', `text outside data-i18n: ${visible.slice(0, 80)}`);
  // Every element with text of its own is empty in the source: its text comes from data-i18n.
  for (const m of html.replace(/<noscript>[\s\S]*?<\/noscript>/g, '').matchAll(/<(p|span|a|label|button|h[1-6]|li|option|legend|th|td)\b([^>]*)>([^<]*)</g)) {
    if (m[3].trim() !== '') assert.match(m[2], /data-i18n=/, `<${m[1]}${m[2]}> has text`);
  }
  assert.doesNotMatch(html, /\sstyle=/i, 'style attribute');
  assert.doesNotMatch(html, /<style/i, '<style>');
  assert.doesNotMatch(html, /\son[a-z]+=/i, 'inline handler');
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
    assert.match(m[1], /type="module"/, 'classic script');
    assert.match(m[1], /src="\/static\//, 'script not from /static/');
    assert.equal(m[2].trim(), '', 'inline script');
  }
  for (const m of html.matchAll(/(?:href|src)="([^"]+)"/g)) {
    assert.ok(m[1] === '#main' || m[1] === 'data:,' || m[1].startsWith('/static/'), `${m[1]} is not under /static/`);
  }
  for (const id of ['nav', 'lang-select', 'signout', 'view', 'announce', 'skip-link', 'main']) assert.match(html, new RegExp(`id="${id}"`), `#${id}`);
  assert.match(html, /<html lang="/);
  assert.match(html, /<meta name="viewport"/);
});

test('the core uses no HTML injection, storage, cookies, absolute asset URLs, other sites or bare imports', () => {
  for (const s of sources) {
    assert.doesNotMatch(s.text, /\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(/, s.name);
    assert.doesNotMatch(s.text, /localStorage|sessionStorage|indexedDB|document\.cookie|caches\.open/, s.name);
    assert.doesNotMatch(s.text, /setAttribute\(\s*['"]style['"]/, `${s.name}: style attribute`);
    assert.doesNotMatch(s.text, /['"`]\/static\//, `${s.name}: absolute /static/ URL`);
    assert.doesNotMatch(s.text, /https?:\/\//, `${s.name}: a URL of another site`);
    assert.doesNotMatch(s.text, /console\.(log|info|debug)\(/, `${s.name}: logging`);
    for (const m of s.text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)['"]([^'"]+)['"]/g)) {
      assert.ok(m[1].startsWith('./') || m[1].startsWith('../'), `${s.name}: import '${m[1]}' is not relative`);
    }
    assert.ok(s.text.split('\n').length <= 600, `${s.name} is over 600 lines`);
  }
});
