// The console's frame: views registered by name and opened by the URL's
// hash, the navigation a role may see, the language (selector, catalogs,
// every element marked data-i18n), the session (who is signed in, the
// idle time-out, the end of the session when the page goes away), and the
// ctx each view is rendered with. Text reaches the page only through
// textContent, never as HTML.

import { createApi, endSessionOnExit, ApiError } from './api.mjs';
import { LANGUAGES, chooseLanguage, formatNumber, formatTime, formatValue, loadCatalog, translator } from './i18n.mjs';
import { wipe as wipeKeys } from './keys.mjs';
import { parseRoute } from './logic.mjs';
import { bindTexts } from '../shared/texts.mjs';

export { ApiError };

const IDLE_MS = 15 * 60 * 1000;

/** @type {Map<string, {name: string, navKey: string|null, roles: string[], public: boolean, render: Function, leave?: Function}>} */
const views = new Map();
let t = translator('zh-CN', {});
let account = null;
let current = null;
let directoryPromise = null;
let idleTimer = null;
let renderSeq = 0;

// ---------------------------------------------------------------------------
// Views

/**
 * Registers a view; call at module top level. name is the first hash
 * segment. public views (sign-in, activation) open without a session.
 */
export function registerView(name, { navKey = null, roles = [], render, leave, public: isPublic = false } = {}) {
  if (typeof render !== 'function') throw new Error(`view ${name}: render expected`);
  views.set(name, { name, navKey, roles: [...roles], public: isPublic, render, leave });
  if (started) renderNav();
}

function mayOpen(view) {
  return view.public || (account !== null && view.roles.includes(account.role));
}

/** The first view of the navigation the account may open: its home. */
function homeView() {
  for (const view of views.values()) if (view.navKey && mayOpen(view)) return view.name;
  return null;
}

// ---------------------------------------------------------------------------
// Language

export function tr(key, params) {
  return t(key, params);
}

export function hasText(key) {
  return t.has(key);
}

export function currentLanguage() {
  return t.lang;
}

// Catalog texts on DOM nodes; through the live translator, which a change
// of language replaces.
const texts = bindTexts((key, params) => t(key, params));
export const { setText, setPlain, setAttrText } = texts;
const { applyTexts } = texts;

function fillLanguageSelect() {
  const select = document.getElementById('lang-select');
  select.replaceChildren(
    ...LANGUAGES.map((l) => {
      const o = document.createElement('option');
      o.value = l;
      o.lang = l;
      o.textContent = t(`lang.${l}`);
      o.selected = l === t.lang;
      return o;
    }),
  );
}

/** Loads and shows a language; a failed load keeps the current one. */
export async function useLanguage(lang) {
  let catalog;
  try {
    catalog = await loadCatalog(lang);
  } catch {
    // The first load falls back to the other language; a later one keeps what is shown.
    if (!t.has('app.title') && lang !== 'en') return useLanguage('en');
    return;
  }
  t = translator(lang, catalog);
  document.documentElement.lang = lang;
  document.title = t('app.title');
  applyTexts(document);
  fillLanguageSelect();
}

// ---------------------------------------------------------------------------
// Small helpers for views

export function el(tag, { cls, text, key, params, attrs } = {}, children = []) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (key) setText(node, key, params);
  else if (text !== undefined) node.textContent = text;
  if (attrs) for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? '' : String(v));
  for (const c of children) if (c) node.append(c);
  return node;
}

/** Politely tells screen readers (the #announce live region). */
export function announce(text) {
  const region = document.getElementById('announce');
  region.textContent = '';
  // A change after clearing is announced even when the text repeats.
  setTimeout(() => {
    region.textContent = text;
  }, 50);
}

/** Saves bytes or text as a file through a blob URL and a temporary <a download>. */
export function download(filename, data, contentType = 'application/octet-stream') {
  const blob = new Blob([data], { type: contentType });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/**
 * The catalog key of a failure: by the HTTP status of an ApiError (0: no
 * answer), 'error.local' for anything that failed on this page.
 */
export function errorKey(e) {
  if (!(e instanceof ApiError)) return 'error.local';
  const s = e.status;
  if (s === 0) return 'error.network';
  if (s === 400 || s === 422) return 'error.invalid';
  if (s === 401) return 'error.unauthenticated';
  if (s === 403) return 'error.forbidden';
  if (s === 404) return 'error.notFound';
  if (s === 409) return 'error.conflict';
  if (s === 413) return 'error.tooLarge';
  if (s === 429) return 'error.rateLimited';
  if (s === 503) return 'error.unavailable';
  if (s >= 500) return 'error.serverFailed';
  return 'error.server';
}

/** The sentence of a failure for a person, in the current language (for a live region). */
export function errorText(e) {
  return t(errorKey(e), { status: e?.status ?? 0 });
}

/**
 * Shows a failure in node: the catalog's sentence for its status (kept
 * across a change of language), and beneath it, as a detail, the server's
 * own message (English, marked so) or the page's, when there is one.
 */
export function showError(node, e) {
  delete node.dataset.i18n;
  delete node.dataset.i18nParams;
  const sentence = setText(document.createElement('span'), errorKey(e), { status: e?.status ?? 0 });
  sentence.className = 'error-sentence';
  node.replaceChildren(sentence);
  const detail = e instanceof ApiError ? (e.status === 0 ? '' : e.message) : String(e?.message ?? e ?? '');
  if (detail !== '') {
    const small = el('span', { cls: 'error-detail', text: detail });
    // The server and the browser word their messages in English.
    small.lang = 'en';
    node.append(small);
  }
  return node;
}

// ---------------------------------------------------------------------------
// Session

const api = createApi({
  onUnauthenticated: () => {
    if (account !== null) endSession('expired', { tellServer: false });
  },
});

export function currentAccount() {
  return account;
}

function directory() {
  if (directoryPromise === null) {
    directoryPromise = api.get('/api/v1/directory');
    directoryPromise.catch(() => {
      directoryPromise = null;
    });
  }
  return directoryPromise;
}

function makeCtx() {
  return {
    api,
    t: (key, params) => t(key, params),
    setText,
    get lang() {
      return t.lang;
    },
    formatTime: (iso) => formatTime(iso, t.lang),
    formatNumber: (n) => formatNumber(n, t.lang),
    formatValue: (v) => formatValue(v, t.lang),
    get account() {
      return account;
    },
    directory,
    refreshDirectory: () => {
      directoryPromise = null;
      return directory();
    },
    navigate,
    announce,
    download,
  };
}

/** After a sign-in: the account of GET /auth/me; opens the hash's view, or the role's home. */
export function beginSession(signedIn) {
  account = signedIn;
  directoryPromise = null;
  document.getElementById('who').hidden = false;
  setText(document.getElementById('who-name'), 'shell.signedInAs', { name: signedIn.login_name, role: { $key: `role.${signedIn.role}` } });
  document.getElementById('signout').hidden = false;
  renderNav();
  resetIdle();
  const { name } = parseRoute(location.hash);
  const view = views.get(name);
  if (!view || view.public || !mayOpen(view)) navigate(`#/${homeView() ?? 'signin'}`, { replace: true });
  else route();
}

/** Leaves the view shown (its leave(), e.g. revoking blob URLs) and stops its renders still under way. */
function leaveCurrent() {
  renderSeq++;
  const view = current;
  current = null;
  if (view?.leave) {
    try {
      view.leave();
    } catch {
      // A view that fails to leave must not keep the next one out.
    }
  }
}

/**
 * Drops the session on this page at once, before anything is asked of the
 * network: the view left and emptied (the decrypted report, its images and
 * download buttons go with it), open dialogs cancelled, the keys wiped,
 * the account forgotten.
 */
function dropSession() {
  leaveCurrent();
  document.getElementById('view').replaceChildren();
  for (const dialog of document.querySelectorAll('dialog.confirm')) dialog.dispatchEvent(new Event('cancel'));
  document.getElementById('announce').textContent = '';
  wipeKeys();
  account = null;
  directoryPromise = null;
  clearTimeout(idleTimer);
  document.getElementById('who').hidden = true;
  document.getElementById('signout').hidden = true;
  renderNav();
}

/**
 * Ends the session: the view emptied and the keys wiped first, then the
 * sign-in view with the reason, and only then the server told (unless it
 * ended there already) — without waiting for its answer, which may take
 * up to the request time-out; an error there changes nothing here.
 * @param {'signedOut'|'idle'|'expired'} reason
 */
export function endSession(reason, { tellServer = true } = {}) {
  const wasSignedIn = account !== null;
  dropSession();
  pendingNotice = reason;
  if (parseRoute(location.hash).name !== 'signin') navigate('#/signin', { replace: true });
  else route();
  if (tellServer && wasSignedIn) api.post('/api/v1/auth/logout').catch(() => {});
}

let pendingNotice = null;

/** The reason the last session ended, once (the sign-in view shows it). */
export function takeSessionNotice() {
  const n = pendingNotice;
  pendingNotice = null;
  return n;
}

function resetIdle() {
  clearTimeout(idleTimer);
  if (account === null) return;
  idleTimer = setTimeout(() => endSession('idle'), IDLE_MS);
}

// ---------------------------------------------------------------------------
// Navigation

export function navigate(hash, { replace = false } = {}) {
  const target = hash.startsWith('#') ? hash : `#${hash}`;
  if (location.hash === target) {
    route();
    return;
  }
  if (replace) {
    history.replaceState(null, '', target);
    route();
  } else {
    location.hash = target;
  }
}

function renderNav() {
  const nav = document.getElementById('nav-list');
  if (!nav) return;
  const items = [];
  if (account !== null) {
    for (const view of views.values()) {
      if (!view.navKey || !mayOpen(view)) continue;
      const a = el('a', { key: view.navKey, attrs: { href: `#/${view.name}`, 'data-view': view.name } });
      if (current?.name === view.name) a.setAttribute('aria-current', 'page');
      items.push(el('li', {}, [a]));
    }
  }
  nav.replaceChildren(...items);
  document.getElementById('nav').hidden = items.length === 0;
}

async function route() {
  const { name, params } = parseRoute(location.hash);
  let view = views.get(name);
  if (account === null && (!view || !view.public)) view = views.get('signin');
  else if (account !== null && (!view || view.name === 'signin')) view = views.get(homeView() ?? 'signin');
  const container = document.getElementById('view');
  leaveCurrent();
  current = view;
  renderNav();
  const seq = ++renderSeq;
  container.replaceChildren();
  if (!view) return;
  if (!mayOpen(view)) {
    container.append(el('h1', { key: 'shell.notAllowedTitle', attrs: { tabindex: '-1' } }), el('p', { key: 'shell.notAllowed' }));
    container.querySelector('h1').focus();
    return;
  }
  try {
    await view.render(container, makeCtx(), params);
  } catch (e) {
    if (seq !== renderSeq || (account === null && !view.public)) return;
    container.append(showError(el('p', { cls: 'error', attrs: { role: 'alert' } }), e));
  }
  if (seq !== renderSeq) return;
  // The new view's heading takes the focus, so keyboard and screen reader users start there.
  const heading = container.querySelector('h1');
  if (heading && !container.contains(document.activeElement)) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: false });
  }
}

/** Whether a render started for the current view is still the latest (views check after each await). */
export function renderToken() {
  const seq = renderSeq;
  return () => seq === renderSeq;
}

// ---------------------------------------------------------------------------
// Start

let started = false;

export async function start() {
  started = true;
  await useLanguage(chooseLanguage(navigator.languages ?? [navigator.language]));
  document.getElementById('lang-select').addEventListener('change', (e) => useLanguage(e.target.value));
  document.getElementById('signout').addEventListener('click', () => endSession('signedOut'));
  for (const type of ['pointerdown', 'keydown', 'wheel', 'touchstart', 'input']) {
    document.addEventListener(type, resetIdle, { passive: true, capture: true });
  }
  // Leaving the page ends the session: the keys go with the page's memory,
  // and the server forgets the cookie's session.
  // The view is emptied too, so that a page kept in the back/forward cache
  // shows nothing of a clue when it comes back: it comes back at sign-in.
  window.addEventListener('pagehide', () => {
    const wasSignedIn = account !== null;
    dropSession();
    if (wasSignedIn) {
      endSessionOnExit();
      pendingNotice = 'signedOut';
    }
  });
  window.addEventListener('pageshow', (event) => {
    if (!event.persisted) return;
    if (parseRoute(location.hash).name !== 'signin') navigate('#/signin', { replace: true });
    else route();
  });
  window.addEventListener('hashchange', () => route());
  document.getElementById('skip-link').addEventListener('click', (e) => {
    e.preventDefault();
    const main = document.getElementById('main');
    main.focus();
  });
  renderNav();
  await route();
  document.getElementById('loading').hidden = true;
}
