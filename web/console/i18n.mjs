// The console's languages: which one to show, the catalogs (./i18n/<lang>.json
// of the core, merged with ./i18n/<lang>.admin.json of the hot spots, poster
// check and admin views), and formatting in that language. A catalog is one
// flat object of "key": "text with {param}".

import { fillPlaceholders, formatNumber } from '../shared/texts.mjs';

export const LANGUAGES = Object.freeze(['zh-CN', 'en']);
export const DEFAULT_LANGUAGE = 'zh-CN';

/** The catalog for one BCP 47 tag: zh* → zh-CN, en* → en, anything else → null. */
export function catalogFor(tag) {
  const t = String(tag ?? '').toLowerCase();
  if (t === 'zh' || t.startsWith('zh-')) return 'zh-CN';
  if (t === 'en' || t.startsWith('en-')) return 'en';
  return null;
}

/**
 * The language to start in: Chinese when any of the browser's languages
 * is Chinese (the deployments' working language), else English when one is
 * English, else Chinese.
 * @param {readonly string[]} preferred navigator.languages
 */
export function chooseLanguage(preferred) {
  const ours = (preferred ?? []).map(catalogFor);
  if (ours.includes('zh-CN')) return 'zh-CN';
  if (ours.includes('en')) return 'en';
  return DEFAULT_LANGUAGE;
}

/** Fills "{name}" placeholders; a parameter may be {$date: iso} or {$number: n}. */
export function format(template, params, lang) {
  return fillPlaceholders(template, params, (value) => formatValue(value, lang));
}

export function formatValue(v, lang) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return formatNumber(v, lang);
  if (typeof v === 'object') {
    if ('$date' in v) return formatTime(v.$date, lang);
    if ('$number' in v) return formatNumber(v.$number, lang);
  }
  return String(v);
}

export { formatNumber };

/** An RFC 3339 time of the API as date and time in the language and the browser's time zone. */
export function formatTime(iso, lang) {
  const d = new Date(iso);
  if (iso === null || iso === undefined || Number.isNaN(d.getTime())) return String(iso ?? '');
  try {
    return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
  } catch {
    return d.toISOString();
  }
}

/** Core and admin catalogs as one; the core's entry wins a clash (none should exist: the prefixes differ). */
export function mergeCatalogs(core, admin) {
  return { ...(admin ?? {}), ...(core ?? {}) };
}

/**
 * A translator over one catalog: t(key, params) gives the text, or the key
 * itself when the catalog lacks it (the tests see that none lacks one).
 */
export function translator(lang, catalog) {
  const has = (key) => Object.prototype.hasOwnProperty.call(catalog, key);
  const t = (key, params) => {
    const template = has(key) ? catalog[key] : key;
    return format(template, resolveKeys(params, (k, p) => format(has(k) ? catalog[k] : k, p, lang)), lang);
  };
  t.lang = lang;
  t.has = has;
  return t;
}

/**
 * Parameters that are themselves catalog entries ({$key: 'role.handler'},
 * or {$key: 'common.unitNumber', params: {id: 3}}) as their text, so they
 * follow a change of language too.
 */
function resolveKeys(params, text) {
  if (!params) return params;
  let out = params;
  for (const [name, v] of Object.entries(params)) {
    if (v && typeof v === 'object' && typeof v.$key === 'string') {
      if (out === params) out = { ...params };
      out[name] = text(v.$key, v.params && typeof v.params === 'object' ? v.params : undefined);
    }
  }
  return out;
}

async function fetchCatalog(name, { optional }) {
  const response = await fetch(new URL(`./i18n/${name}.json`, import.meta.url), { credentials: 'omit' });
  // The admin catalogs are another author's and may not exist yet.
  if (optional && response.status === 404) return {};
  if (!response.ok) throw new Error(`catalog ${name}: HTTP ${response.status}`);
  return response.json();
}

const loaded = new Map();

/** Both catalogs of a language, merged (once per language; a failed load is tried again next time). */
export function loadCatalog(lang) {
  if (!LANGUAGES.includes(lang)) return Promise.reject(new Error(`no catalog for ${lang}`));
  let p = loaded.get(lang);
  if (p === undefined) {
    p = Promise.all([fetchCatalog(lang, { optional: false }), fetchCatalog(`${lang}.admin`, { optional: true })]).then(([core, admin]) => mergeCatalogs(core, admin));
    p.catch(() => loaded.delete(lang));
    loaded.set(lang, p);
  }
  return p;
}
