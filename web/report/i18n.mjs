// Languages of the citizen pages: which one to show, the catalogs
// (./i18n/<lang>.json, one flat object of "key": "text with {param}"), and
// formatting of numbers, sizes and dates in that language.

/** The catalogs this directory holds. */
import { fillPlaceholders, formatNumber } from '../shared/texts.mjs';

export const CATALOG_LANGUAGES = Object.freeze(['zh-CN', 'en', 'vi']);
export const DEFAULT_LANGUAGE = 'en';

/**
 * The catalog for one BCP 47 tag of navigator.languages: zh* → zh-CN,
 * vi* → vi, en* → en, anything else → null (not one of ours).
 */
export function catalogFor(tag) {
  const t = String(tag ?? '').toLowerCase();
  if (t === 'zh' || t.startsWith('zh-')) return 'zh-CN';
  if (t === 'vi' || t.startsWith('vi-')) return 'vi';
  if (t === 'en' || t.startsWith('en-')) return 'en';
  return null;
}

/**
 * The languages to offer: those the server advertises for the page (the
 * sites API's `languages`) that have a catalog here, in our order. All
 * catalogs when the server gave no list (an error page before any answer).
 * @param {string[] | undefined | null} advertised
 * @returns {string[]}
 */
export function offeredLanguages(advertised) {
  if (!Array.isArray(advertised) || advertised.length === 0) return [...CATALOG_LANGUAGES];
  const wanted = new Set(advertised.map((a) => catalogFor(a)).filter((a) => a !== null));
  const out = CATALOG_LANGUAGES.filter((l) => wanted.has(l));
  return out.length > 0 ? out : [DEFAULT_LANGUAGE];
}

/**
 * The language to show: the first of the phone's languages that maps to an
 * offered catalog; else English if offered; else the first offered.
 * An explicit choice (the selector, carried in the URL fragment) wins when offered.
 * @param {readonly string[]} preferred navigator.languages
 * @param {string[]} offered
 * @param {string | null} [explicit]
 */
export function chooseLanguage(preferred, offered, explicit = null) {
  if (explicit && offered.includes(explicit)) return explicit;
  for (const tag of preferred ?? []) {
    const l = catalogFor(tag);
    if (l !== null && offered.includes(l)) return l;
  }
  if (offered.includes(DEFAULT_LANGUAGE)) return DEFAULT_LANGUAGE;
  return offered[0] ?? DEFAULT_LANGUAGE;
}

/** The language named in a URL fragment "#lang=vi", if it is one of ours. */
export function languageFromHash(hash) {
  const m = /(?:^#|&)lang=([A-Za-z-]+)/.exec(hash ?? '');
  return m && CATALOG_LANGUAGES.includes(m[1]) ? m[1] : null;
}

/**
 * Fills "{name}" placeholders. A parameter may be a string or number, or
 * {$date: iso} / {$bytes: n} / {$number: n}, formatted in the language.
 */
export function format(template, params, lang) {
  return fillPlaceholders(template, params, (value) => formatValue(value, lang));
}

export function formatValue(v, lang) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return formatNumber(v, lang);
  if (typeof v === 'object') {
    if ('$date' in v) return formatDate(v.$date, lang);
    if ('$bytes' in v) return formatBytes(v.$bytes, lang);
    if ('$number' in v) return formatNumber(v.$number, lang);
  }
  return String(v);
}

export { formatNumber };

/** A byte count as kB or MB (decimal units, as phones show file sizes). */
export function formatBytes(n, lang) {
  const mb = n >= 1e6;
  const value = mb ? n / 1e6 : n > 0 ? Math.max(1, Math.round(n / 1e3)) : 0;
  try {
    return new Intl.NumberFormat(lang, { style: 'unit', unit: mb ? 'megabyte' : 'kilobyte', maximumFractionDigits: mb ? 1 : 0 }).format(value);
  } catch {
    return `${mb ? value.toFixed(1) : value} ${mb ? 'MB' : 'kB'}`;
  }
}

/** An RFC 3339 time of the API as a date and time in the language, in the phone's time zone. */
export function formatDate(iso, lang) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  try {
    return new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeStyle: 'short' }).format(d);
  } catch {
    return d.toISOString();
  }
}

/**
 * A translator over one catalog: t(key, params) gives the text, or the key
 * itself when the catalog lacks it (the tests make sure none lacks one).
 * @param {string} lang
 * @param {Record<string, string>} catalog
 */
export function translator(lang, catalog) {
  const t = (key, params) => {
    const template = Object.prototype.hasOwnProperty.call(catalog, key) ? catalog[key] : key;
    return format(template, params, lang);
  };
  t.lang = lang;
  t.has = (key) => Object.prototype.hasOwnProperty.call(catalog, key);
  return t;
}

const loaded = new Map();

/**
 * Loads ./i18n/<lang>.json (once per language; a failed load is retried on the next call).
 * @returns {Promise<Record<string, string>>}
 */
export function loadCatalog(lang) {
  if (!CATALOG_LANGUAGES.includes(lang)) return Promise.reject(new Error(`no catalog for ${lang}`));
  let p = loaded.get(lang);
  if (p === undefined) {
    p = fetch(new URL(`./i18n/${lang}.json`, import.meta.url), { credentials: 'omit' }).then((r) => {
      if (!r.ok) throw new Error(`catalog ${lang}: HTTP ${r.status}`);
      return r.json();
    });
    p.catch(() => loaded.delete(lang));
    loaded.set(lang, p);
  }
  return p;
}
