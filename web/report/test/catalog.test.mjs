// The catalogs (web/report/i18n/*.json) against each other and against
// every key the pages use; and the rules the pages' sources keep (no text,
// inline script or style in HTML; no HTML injection or storage in code).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CATALOG_LANGUAGES } from '../i18n.mjs';
import { codeForStatus } from '../api.mjs';
import { ERROR_CODES, EVENTS, FATAL_KINDS, KNOWN_CATEGORIES, KNOWN_KINDS, KNOWN_LEVELS, OUTCOMES, STATUSES } from '../logic.mjs';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..');
const catalogs = Object.fromEntries(CATALOG_LANGUAGES.map((l) => [l, JSON.parse(readFileSync(join(dir, 'i18n', `${l}.json`), 'utf8'))]));
const en = catalogs.en;
const sources = readdirSync(dir).filter((n) => n.endsWith('.mjs')).map((n) => ({ name: n, text: readFileSync(join(dir, n), 'utf8') }));
const pages = readdirSync(dir).filter((n) => n.endsWith('.html')).map((n) => ({ name: n, text: readFileSync(join(dir, n), 'utf8') }));
const namespaces = [...new Set(Object.keys(en).map((k) => k.split('.')[0]))];

/** Keys written out in the sources: data-i18n="…" in HTML, string literals under a catalog namespace in code. */
function staticKeys() {
  const keys = new Map();
  const add = (k, where) => keys.set(k, where);
  for (const p of pages) for (const m of p.text.matchAll(/data-i18n="([^"]+)"/g)) add(m[1], p.name);
  const literal = new RegExp(`(['"\`])((?:${namespaces.join('|')})\\.[A-Za-z0-9_.-]+)\\1`, 'g');
  for (const s of sources) for (const m of s.text.matchAll(literal)) add(m[2], s.name);
  return keys;
}

/** Keys the pages build from data: every category, level, kind, status, outcome, event, error and full-page error. */
function composedKeys() {
  const keys = [];
  for (const c of KNOWN_CATEGORIES) keys.push(`category.${c}.name`, `category.${c}.hint`);
  for (const l of [...KNOWN_LEVELS, 'unknown']) keys.push(`level.${l}.name`, `level.${l}.hint`);
  for (const k of KNOWN_KINDS) keys.push(`kind.${k}`);
  for (const s of STATUSES) keys.push(`status.${s}.name`, `status.${s}.hint`);
  for (const o of OUTCOMES) keys.push(`outcome.${o}`);
  for (const e of EVENTS) keys.push(`event.${e}`);
  for (const e of ERROR_CODES) keys.push(`error.${e}`);
  for (const f of FATAL_KINDS) keys.push(`fatal.${f}.title`, `fatal.${f}.text`, `fatal.${f}.advice`);
  for (const l of CATALOG_LANGUAGES) keys.push(`lang.${l}`);
  for (const phase of ['waitBusy', 'waitNetwork']) keys.push(`progress.${phase}`);
  // Printed on the posters by `clueline site poster` (app/poster_commands.cpp).
  keys.push('poster.heading', 'poster.instructions', 'poster.codeLabel');
  return keys;
}

const placeholders = (s) => [...s.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]).sort();

test('every catalog has exactly the keys of the others, none empty, the same placeholders', () => {
  for (const [lang, catalog] of Object.entries(catalogs)) {
    assert.deepEqual(Object.keys(catalog).sort(), Object.keys(en).sort(), `${lang} has other keys than en`);
    for (const [k, v] of Object.entries(catalog)) {
      assert.equal(typeof v, 'string', `${lang} ${k}`);
      assert.ok(v.trim() !== '', `${lang} ${k} is empty`);
      assert.deepEqual(placeholders(v), placeholders(en[k]), `${lang} ${k}: placeholders differ from en`);
    }
  }
});

test('the catalogs are translations, not copies of English', () => {
  for (const lang of ['zh-CN', 'vi']) {
    const same = Object.keys(en).filter((k) => catalogs[lang][k] === en[k] && !/^(lang\.|common\.date$|route\.unitWithLevel$)/.test(k));
    assert.deepEqual(same, [], `${lang} repeats English`);
  }
  assert.ok(Object.values(catalogs['zh-CN']).filter((v) => /[\u4e00-\u9fff]/.test(v)).length > 200);
  assert.ok(Object.values(catalogs.vi).filter((v) => /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/i.test(v)).length > 200);
});

test('every key the pages use is in the catalogs', () => {
  const missing = [];
  for (const [k, where] of staticKeys()) if (!(k in en)) missing.push(`${k} (${where})`);
  for (const k of composedKeys()) if (!(k in en)) missing.push(`${k} (composed)`);
  assert.deepEqual(missing, []);
});

test('every catalog key is used', () => {
  const used = new Set([...staticKeys().keys(), ...composedKeys()]);
  assert.deepEqual(Object.keys(en).filter((k) => !used.has(k)), []);
});

test('every error code the code can produce has a message', () => {
  const codes = new Set();
  for (const s of sources) {
    for (const m of s.text.matchAll(/\b(?:fail|LimitError)\(\s*'([A-Za-z]+)'/g)) codes.add(m[1]);
    for (const m of s.text.matchAll(/\bcode: '([A-Za-z]+)'/g)) codes.add(m[1]);
  }
  for (const status of [400, 403, 404, 409, 410, 413, 429, 500, 502, 503, 418]) codes.add(codeForStatus(status));
  codes.delete('forbidden'); // the worker turns it into a fresh challenge, or 'server'
  assert.deepEqual([...codes].filter((c) => !ERROR_CODES.includes(c)), []);
});

test('the HTML holds no text but the <noscript> notice, and no inline script, style or handler', () => {
  for (const p of pages) {
    const visible = p.text
      .replace(/<noscript>[\s\S]*?<\/noscript>/g, '')
      .replace(/<title>[^<]*<\/title>/g, '')
      .replace(/<!--[\s\S]*?-->/g, '')
      .replace(/<[^>]+>/g, '')
      .trim();
    assert.equal(visible, '', `${p.name} has text outside <noscript>: ${visible.slice(0, 80)}`);
    assert.doesNotMatch(p.text, /\sstyle=/i, `${p.name}: style attribute`);
    assert.doesNotMatch(p.text, /<style/i, `${p.name}: <style>`);
    assert.doesNotMatch(p.text, /\son[a-z]+=/i, `${p.name}: inline handler`);
    for (const m of p.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
      assert.match(m[1], /type="module"/, `${p.name}: classic script`);
      assert.match(m[1], /src="\/static\//, `${p.name}: script not from /static/`);
      assert.equal(m[2].trim(), '', `${p.name}: inline script`);
    }
    for (const m of p.text.matchAll(/(?:href|src)="([^"]+)"/g)) {
      assert.ok(m[1] === '#' || m[1] === 'data:,' || m[1].startsWith('/static/'), `${p.name}: ${m[1]} is not under /static/`);
    }
    assert.match(p.text, /<html lang="/);
    assert.match(p.text, /<meta name="viewport"/);
  }
});

test('the code uses no HTML injection, storage, cookies or absolute asset URLs', () => {
  for (const s of sources) {
    assert.doesNotMatch(s.text, /\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(/, s.name);
    assert.doesNotMatch(s.text, /localStorage|sessionStorage|indexedDB|document\.cookie|caches\.open/, s.name);
    assert.doesNotMatch(s.text, /['"`]\/static\//, `${s.name}: absolute /static/ URL`);
    for (const m of s.text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)['"]([^'"]+)['"]/g)) {
      assert.ok(m[1].startsWith('./') || m[1].startsWith('../'), `${s.name}: import '${m[1]}' is not relative`);
    }
    assert.doesNotMatch(s.text, /https?:\/\//, `${s.name}: a URL of another site`);
  }
});
