// What both citizen pages share: the language (selector, catalog, texts of
// every element marked data-i18n), sections, the full-page error, the
// worker client and the file picker. Text reaches the page only through
// textContent, never as HTML.

import {
  chooseLanguage,
  formatValue,
  languageFromHash,
  loadCatalog,
  offeredLanguages,
  translator,
} from './i18n.mjs';
import { LIMITS, MAX_FILE_BYTES, checkAttachments, isCleanableImage, safeFileName } from './logic.mjs';
import { cleanPhoto } from './photos.mjs';
import { bindTexts } from '../shared/texts.mjs';

// ---------------------------------------------------------------------------
// Language

let t = translator('en', {});
let offered = offeredLanguages(null);
const languageListeners = [];

export function tr(key, params) {
  return t(key, params);
}

export function hasText(key) {
  return t.has(key);
}

export function currentLanguage() {
  return t.lang;
}

/** Calls fn after every change of language (the page re-renders what it built itself). */
export function onLanguageChange(fn) {
  languageListeners.push(fn);
}

// Catalog texts on DOM nodes; through the live translator, which a change
// of language replaces.
const texts = bindTexts((key, params) => t(key, params));
export const { setText, setPlain, setAttrText } = texts;
const { applyTexts } = texts;

/** A value formatted in the current language ({$date}, {$bytes}, numbers). */
export function fmt(value) {
  return formatValue(value, t.lang);
}

function fillSelector() {
  const select = document.getElementById('lang-select');
  if (!select) return;
  select.replaceChildren(
    ...offered.map((l) => {
      const o = document.createElement('option');
      o.value = l;
      o.lang = l;
      o.textContent = t(`lang.${l}`);
      o.selected = l === t.lang;
      return o;
    }),
  );
  select.closest('.lang')?.toggleAttribute('hidden', offered.length < 2);
}

/** Keeps "#lang=xx" in the URL (never sent to the server) and in the page links, so the other page opens in it too. */
function rememberLanguage(lang) {
  const hash = `#lang=${lang}`;
  if (location.hash !== hash) history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
  for (const a of document.querySelectorAll('a[data-page-link]')) {
    if (a.dataset.pageLink) a.href = `${a.dataset.pageLink}${hash}`;
  }
}

/** Points the links marked data-page-link (to the other page) at href, keeping the language. */
export function linkPages(href) {
  for (const a of document.querySelectorAll('a[data-page-link]')) a.dataset.pageLink = href;
  rememberLanguage(t.lang);
}

/** Loads and shows a language; on a failed load, keeps the current one (or tries English). */
export async function useLanguage(lang) {
  let catalog;
  try {
    catalog = await loadCatalog(lang);
  } catch (e) {
    if (lang === 'en') throw e;
    lang = 'en';
    catalog = await loadCatalog('en');
  }
  t = translator(lang, catalog);
  document.documentElement.lang = lang;
  applyTexts(document);
  fillSelector();
  rememberLanguage(lang);
  for (const fn of languageListeners) fn(lang);
}

/**
 * The first language of the page, before the server has said which it
 * offers: from the URL fragment or the phone's languages.
 */
export async function startLanguage() {
  const select = document.getElementById('lang-select');
  select?.addEventListener('change', () => {
    useLanguage(select.value).catch(() => fillSelector());
  });
  const lang = chooseLanguage(navigator.languages ?? [navigator.language], offered, languageFromHash(location.hash));
  try {
    await useLanguage(lang);
  } catch {
    // No catalog could be loaded at all: the <noscript> notice is the one text that needs none.
    const notice = document.querySelector('noscript');
    const p = document.createElement('p');
    p.className = 'boot-failed';
    p.textContent = notice ? notice.textContent.trim() : '';
    document.getElementById('loading')?.replaceWith(p);
    throw new Error('no catalog');
  }
}

/** Narrows the languages to those the sites API advertises; switches when the current one is not among them. */
export async function restrictLanguages(advertised) {
  offered = offeredLanguages(advertised);
  const want = chooseLanguage(navigator.languages ?? [navigator.language], offered, offered.includes(t.lang) ? t.lang : languageFromHash(location.hash));
  if (want !== t.lang) await useLanguage(want);
  else fillSelector();
}

// ---------------------------------------------------------------------------
// Sections

/** Shows one of the page's top-level sections (main > section, #loading) and moves focus to its heading. */
export function showSection(id, { focus = true } = {}) {
  for (const s of document.querySelectorAll('main > section, main > #loading')) s.hidden = s.id !== id;
  const section = document.getElementById(id);
  const heading = section?.querySelector('h1');
  if (focus && heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
  window.scrollTo(0, 0);
}

/** A list of error messages in a box (role=alert): LimitErrors or plain {code, params}. */
export function showErrors(box, problems) {
  if (!problems || problems.length === 0) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  const nodes = problems.map((p) => setText(document.createElement('p'), `error.${p.code}`, p.params && Object.keys(p.params).length ? p.params : undefined));
  box.replaceChildren(...nodes);
  box.hidden = false;
}

/** The full-page error: what happened and what to do, in the page's language. */
export function showFatal(kind, { retry = false, textKey } = {}) {
  setText(document.getElementById('fatal-title'), `fatal.${kind}.title`);
  setText(document.getElementById('fatal-text'), textKey ?? `fatal.${kind}.text`);
  const advice = document.getElementById('fatal-advice');
  const keys = kind === 'notFound' || kind === 'gone' ? ['fatal.advicePoster', 'fatal.adviceContact'] : [`fatal.${kind}.advice`, 'fatal.adviceContact'];
  advice.replaceChildren(...keys.map((k) => setText(document.createElement('li'), k)));
  const button = document.getElementById('fatal-retry');
  button.hidden = !retry;
  button.onclick = () => location.reload();
  document.title = t(`fatal.${kind}.title`);
  showSection('fatal');
}

/** The full-page error for an API failure of the first request. */
export function fatalFor(error) {
  switch (error?.code) {
    case 'notFound':
      return { kind: 'notFound' };
    case 'gone':
      return { kind: 'gone' };
    case 'network':
      return { kind: 'network', retry: true };
    case 'unavailable':
    case 'rateLimited':
      return { kind: 'unavailable', retry: true };
    default:
      return { kind: 'server', retry: true };
  }
}

// ---------------------------------------------------------------------------
// Worker client

/**
 * Starts worker.mjs. ready resolves with {maxPlaintext, limits} once
 * libsodium is loaded, and rejects when this browser cannot run it.
 * call(cmd, args, {onProgress, transfer}) resolves with the result or
 * rejects with the worker's plain error {code, retryable, stage, params}.
 */
export function startWorker() {
  let worker;
  let resolveReady;
  let rejectReady;
  const ready = new Promise((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => {});
  const pending = new Map();
  let nextId = 1;
  const failAll = (error) => {
    rejectReady(error);
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  try {
    worker = new Worker(new URL('./worker.mjs', import.meta.url), { type: 'module', name: 'clueline' });
  } catch {
    failAll({ code: 'cryptoUnavailable', retryable: false });
    return { ready, call: () => Promise.reject({ code: 'cryptoUnavailable', retryable: false }) };
  }
  worker.onmessage = (event) => {
    const m = event.data;
    if (m?.type === 'ready') {
      if (m.failed) failAll({ code: 'cryptoUnavailable', retryable: false });
      else resolveReady({ maxPlaintext: m.maxPlaintext, limits: m.limits });
      return;
    }
    const p = pending.get(m?.id);
    if (!p) return;
    if (m.type === 'progress') p.onProgress?.(m);
    else {
      pending.delete(m.id);
      if (m.type === 'result') p.resolve(m.value);
      else p.reject(m.error);
    }
  };
  worker.onerror = (event) => {
    event.preventDefault?.();
    failAll({ code: 'cryptoUnavailable', retryable: false });
  };
  return {
    ready,
    call(cmd, args = {}, { onProgress, transfer = [] } = {}) {
      return ready.then(
        () =>
          new Promise((resolve, reject) => {
            const id = nextId++;
            pending.set(id, { resolve, reject, onProgress });
            worker.postMessage({ id, cmd, args }, transfer);
          }),
      );
    },
  };
}

// ---------------------------------------------------------------------------
// Progress bars

/** Sets a <progress>: a fraction 0..1, or null for "working, amount unknown". */
export function setBar(bar, fraction) {
  if (fraction === null || !Number.isFinite(fraction)) bar.removeAttribute('value');
  else bar.value = Math.max(0, Math.min(1, fraction));
}

// ---------------------------------------------------------------------------
// File picker

/**
 * The files a reporter chose, photos cleaned as they are chosen.
 * @param {{input: HTMLInputElement, list: HTMLUListElement, errors: HTMLElement, hint: HTMLElement, existing?: () => {count: number, bytes: number}}} els
 */
export function filePicker({ input, list, errors, hint, existing = () => ({ count: 0, bytes: 0 }) }) {
  /** @type {Array<{id: number, original: string, name: string, type: string, size: number, blob: Blob | null, cleaned: boolean, photo: boolean, pending: boolean}>} */
  const files = [];
  let nextId = 1;
  setText(hint, 'files.hint', { count: LIMITS.maxAttachments, perFile: { $bytes: MAX_FILE_BYTES }, total: { $bytes: LIMITS.maxTotalBytes } });

  const problems = () => checkAttachments(files.filter((f) => !f.pending), existing());

  function render() {
    list.replaceChildren(
      ...files.map((f) => {
        const li = document.createElement('li');
        li.className = f.pending ? 'file pending' : f.cleaned ? 'file cleaned' : 'file warn';
        const name = document.createElement('span');
        name.className = 'file-name';
        setPlain(name, f.original);
        const size = document.createElement('span');
        size.className = 'file-size';
        size.textContent = f.pending ? '' : fmt({ $bytes: f.size });
        const note = document.createElement('p');
        note.className = 'file-note';
        if (f.pending) setText(note, 'files.processing');
        else if (f.cleaned) setText(note, 'files.cleaned');
        else setText(note, f.photo ? 'files.photoNotCleaned' : 'files.notCleaned');
        const remove = document.createElement('button');
        remove.type = 'button';
        remove.className = 'link';
        setText(remove, 'files.remove');
        setAttrText(remove, 'aria-label', 'files.removeNamed', { name: f.original });
        remove.disabled = f.pending;
        remove.addEventListener('click', () => {
          const i = files.indexOf(f);
          if (i >= 0) files.splice(i, 1);
          render();
          input.focus();
        });
        li.append(name, ' ', size, note, remove);
        return li;
      }),
    );
    showErrors(errors, problems());
  }

  async function add(file) {
    const f = { id: nextId++, original: safeFileName(file.name), name: '', type: '', size: file.size, blob: null, cleaned: false, photo: false, pending: true };
    files.push(f);
    render();
    if (isCleanableImage(file.type, file.name)) {
      f.photo = true;
      try {
        f.blob = await cleanPhoto(file);
        f.type = 'image/jpeg';
        f.cleaned = true;
      } catch {
        f.blob = file; // sent as it is, with the warning
      }
    } else {
      f.blob = file;
    }
    if (!f.cleaned) {
      f.name = safeFileName(file.name);
      f.type = file.type || 'application/octet-stream';
    }
    f.size = f.blob.size;
    f.pending = false;
    render();
  }

  input.addEventListener('change', () => {
    const chosen = [...(input.files ?? [])];
    input.value = '';
    // One at a time: decoding several large photos at once can exhaust a phone's memory.
    chosen.reduce((p, file) => p.then(() => add(file)), Promise.resolve());
  });
  onLanguageChange(render);

  return {
    files,
    problems,
    busy: () => files.some((f) => f.pending),
    clear() {
      files.length = 0;
      render();
    },
    /**
     * The files as the worker takes them, read into memory now; cleaned
     * photos are flagged, and the worker names them by their upload index
     * (photo-1.jpg, …), because the camera's names carry the time and device.
     * @returns {Promise<{files: Array<{name: string, type: string, photo: boolean, bytes: ArrayBuffer}>, transfer: ArrayBuffer[]}>}
     */
    async collect() {
      const out = [];
      for (const f of files) {
        let bytes;
        try {
          bytes = await f.blob.arrayBuffer();
        } catch {
          throw { code: 'fileUnreadable', params: { name: f.original } };
        }
        out.push({ name: f.cleaned ? '' : f.name, type: f.type, photo: f.cleaned, bytes });
      }
      return { files: out, transfer: out.map((f) => f.bytes) };
    },
    render,
  };
}
