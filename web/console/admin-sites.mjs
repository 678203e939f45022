// The sites page of the administration (#/admin/sites, admin only): the
// poster sites, adding and revoking one, and poster PDFs. The server holds
// no site-signing secret key (docs/crypto-spec.md §3): the admin loads the
// key file here, the page signs the site tokens itself and sends only the
// signed tokens. The key lives in this module's memory while the page is
// open and is wiped when the page is left; it is never stored or sent.

import { ready, signSiteToken, wipe } from '../crypto/clueline-crypto.mjs';
import { confirmDialog, el, field, messageLine, select, showMessage, tel } from './admin-dom.mjs';
import {
  KNOWN_KINDS,
  KeyFileError,
  MAX_POSTERS,
  POSTER_LANGUAGES,
  adminErrorKey,
  isSiteKind,
  isSiteName,
  posterFileName,
  signingKeyFromFile,
  siteUrl,
} from './admin-logic.mjs';

/** {publicKey, secretKey, publicKeyText} of the loaded key file, or null. */
let signingKey = null;
/** site id → {tokenVersion, token}: tokens signed since the key was loaded. */
let tokens = new Map();
let page = null;

/** Wipes the key: on leaving the page, on "forget", before loading another. */
export function leaveSites() {
  forgetKey();
  if (page) page.generation += 1;
  page = null;
}

// A closed or navigated-away page takes its memory along; the key is still
// wiped first, as the shell wipes the unit keys.
window.addEventListener('pagehide', () => forgetKey());

function forgetKey() {
  if (signingKey) wipe(signingKey.secretKey);
  signingKey = null;
  tokens = new Map();
}

function tokenFor(site) {
  const known = tokens.get(site.id);
  if (known && known.tokenVersion === site.token_version) return known.token;
  if (!signingKey) return null;
  const token = signSiteToken({ siteId: site.id, tokenVersion: site.token_version }, signingKey.secretKey);
  tokens.set(site.id, { tokenVersion: site.token_version, token });
  return token;
}

export async function renderSites(body, ctx) {
  if (ctx.account.role !== 'admin') {
    body.replaceChildren(
      tel(ctx, 'h1', 'admin.sites.title', undefined, { id: 'admin-sites-title' }),
      tel(ctx, 'p', 'admin.sites.adminOnly'),
    );
    return;
  }
  page = { generation: 0 };
  const view = page;
  let directory = await ctx.directory();
  const deploymentKey = () => directory.deployment?.site_signing_public_key ?? null;
  const unitName = (id) => (directory.units ?? []).find((u) => u.id === id)?.name ?? String(id);

  // --- the key
  const keyInput = el('input', { id: 'admin-key-file', type: 'file', accept: '.key,text/plain' });
  const keyStatus = el('p', { id: 'admin-key-status', class: 'cl-message', role: 'status' });
  const forget = tel(ctx, 'button', 'admin.key.forget', undefined, { type: 'button', id: 'admin-key-forget', class: 'cl-button cl-secondary' });
  const showKeyState = (state, key = `admin.key.state.${state}`) => {
    keyStatus.dataset.state = state;
    keyStatus.dataset.kind = state === 'loaded' || state === 'new' ? 'ok' : state === 'none' ? 'info' : 'error';
    ctx.setText(keyStatus, key, { key: signingKey?.publicKeyText ?? '' });
    forget.hidden = signingKey === null;
  };
  const keyPanel = el('section', { class: 'cl-panel', 'aria-labelledby': 'admin-key-title' }, [
    tel(ctx, 'h2', 'admin.key.title', undefined, { id: 'admin-key-title' }),
    tel(ctx, 'p', 'admin.key.intro', undefined, { class: 'cl-hint' }),
    field(ctx, 'admin.key.file', keyInput, 'admin.key.fileHint'),
    keyStatus,
    el('div', { class: 'cl-actions' }, forget),
  ]);

  // --- the sites
  const error = messageLine('admin-sites-error', 'alert');
  const status = messageLine('admin-sites-status');
  const tbody = el('tbody');
  const table = el('table', { id: 'admin-sites-table', class: 'cl-table' }, [
    tel(ctx, 'caption', 'admin.sites.caption', undefined, { id: 'admin-sites-caption' }),
    el('thead', {}, el('tr', {}, ['select', 'name', 'unit', 'kind', 'version', 'url', 'actions'].map((c) => tel(ctx, 'th', `admin.sites.column.${c}`, undefined, { scope: 'col' })))),
    tbody,
  ]);

  // --- posters
  const languages = POSTER_LANGUAGES.map((lang) => {
    const box = el('input', { type: 'checkbox', id: `admin-poster-lang-${lang}`, name: 'admin-poster-lang', value: lang, checked: true });
    return el('div', { class: 'cl-check' }, [box, tel(ctx, 'label', `admin.posters.language.${lang}`, undefined, { for: box.id, lang })]);
  });
  const postersButton = tel(ctx, 'button', 'admin.posters.submit', undefined, { type: 'button', id: 'admin-posters-submit', class: 'cl-button' });
  const postersError = messageLine('admin-posters-error', 'alert');
  const postersStatus = messageLine('admin-posters-status');
  const postersPanel = el('section', { class: 'cl-panel', 'aria-labelledby': 'admin-posters-title' }, [
    tel(ctx, 'h2', 'admin.posters.title', undefined, { id: 'admin-posters-title' }),
    tel(ctx, 'p', 'admin.posters.intro', { max: MAX_POSTERS }, { class: 'cl-hint' }),
    el('fieldset', { class: 'cl-fieldset' }, [tel(ctx, 'legend', 'admin.posters.languages'), ...languages]),
    el('div', { class: 'cl-actions' }, postersButton),
    postersError, postersStatus,
  ]);

  // --- a new site
  const siteName = el('input', { id: 'admin-site-name', type: 'text', required: true, maxlength: '200', autocomplete: 'off' });
  const siteUnit = select(ctx, 'admin-site-unit', (directory.units ?? []).filter((u) => u.active !== false).map((u) => ({ value: u.id, text: u.name })));
  const siteKind = select(ctx, 'admin-site-kind', KNOWN_KINDS.map((k) => ({ value: k, key: `admin.kind.${k}` })), 'village_board');
  const siteSubmit = tel(ctx, 'button', 'admin.site.submit', undefined, { type: 'submit', id: 'admin-site-submit', class: 'cl-button' });
  const siteError = messageLine('admin-site-error', 'alert');
  const siteForm = el('form', { id: 'admin-site-form', class: 'cl-form', novalidate: true }, [
    field(ctx, 'admin.site.name', siteName),
    field(ctx, 'admin.site.unit', siteUnit, 'admin.site.unitHint'),
    field(ctx, 'admin.site.kind', siteKind),
    el('div', { class: 'cl-actions' }, siteSubmit),
  ]);
  const sitePanel = el('section', { class: 'cl-panel', 'aria-labelledby': 'admin-site-title' }, [
    tel(ctx, 'h2', 'admin.site.title', undefined, { id: 'admin-site-title' }),
    tel(ctx, 'p', 'admin.site.intro', undefined, { class: 'cl-hint' }),
    siteForm, siteError,
  ]);

  body.replaceChildren(
    tel(ctx, 'h1', 'admin.sites.title', undefined, { id: 'admin-sites-title' }),
    tel(ctx, 'p', 'admin.sites.intro', undefined, { class: 'cl-intro' }),
    keyPanel, error, status,
    el('div', { class: 'cl-table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'admin-sites-caption' }, table),
    postersPanel, sitePanel,
  );
  showKeyState(signingKey ? 'loaded' : 'none');

  const selected = () => [...tbody.querySelectorAll('input.admin-site-select:checked')].map((b) => Number(b.value));

  const fillTable = (keepSelected = selected()) => {
    const sites = directory.sites ?? [];
    tbody.replaceChildren(...sites.map((site) => siteRow(ctx, site, unitName(site.unit_id), keepSelected.includes(site.id), revoke)));
    if (sites.length === 0) tbody.append(el('tr', {}, tel(ctx, 'td', 'admin.sites.none', undefined, { colspan: '7' })));
  };

  const refresh = async (keepSelected) => {
    directory = await ctx.refreshDirectory();
    if (view !== page) return;
    // The first site has just made the loaded key the deployment's.
    if (signingKey && keyStatus.dataset.state === 'new' && deploymentKey() === signingKey.publicKeyText) showKeyState('loaded');
    fillTable(keepSelected);
  };

  keyInput.addEventListener('change', async () => {
    const file = keyInput.files?.[0];
    forgetKey();
    if (!file) {
      showKeyState('none');
      fillTable();
      return;
    }
    try {
      await ready();
      // The file's text cannot be wiped (JS strings are immutable); it is
      // dropped here and only the key bytes, which are wiped, are kept.
      signingKey = signingKeyFromFile(await file.text(), deploymentKey());
      showKeyState(deploymentKey() === null ? 'new' : 'loaded');
      ctx.announce(ctx.t(`admin.key.state.${deploymentKey() === null ? 'new' : 'loaded'}`, { key: signingKey.publicKeyText }));
    } catch (e) {
      forgetKey();
      showKeyState('refused', e instanceof KeyFileError ? e.key : 'admin.key.error.unreadable');
    } finally {
      // The picker forgets the file too: nothing of it stays in the form.
      keyInput.value = '';
    }
    fillTable();
  });
  forget.addEventListener('click', () => {
    forgetKey();
    showKeyState('none');
    fillTable();
    keyInput.focus();
  });

  async function revoke(site) {
    const params = { name: site.name };
    const ok = await confirmDialog(ctx, { titleKey: 'admin.revoke.title', textKey: 'admin.revoke.text', okKey: 'admin.revoke.ok', params, danger: true });
    if (!ok) return;
    showMessage(ctx, error, null);
    try {
      await ctx.api.post('/api/v1/admin/sites/revoke', { site_id: site.id });
    } catch (e) {
      showMessage(ctx, error, adminErrorKey('revoke', e), undefined, 'error');
      return;
    }
    tokens.delete(site.id);
    await refresh();
    showMessage(ctx, status, signingKey ? 'admin.revoke.doneSigned' : 'admin.revoke.done', params, 'ok');
    ctx.announce(ctx.t('admin.revoke.done', params));
    tbody.querySelector(`tr[data-site-id="${site.id}"] button[data-action="revoke"]`)?.focus();
  }

  postersButton.addEventListener('click', async () => {
    showMessage(ctx, postersError, null);
    const ids = selected();
    const langs = languages.map((d) => d.querySelector('input')).filter((b) => b.checked).map((b) => b.value);
    let problem = null;
    if (!signingKey) problem = 'admin.posters.needKey';
    else if (ids.length === 0) problem = 'admin.posters.noneSelected';
    else if (ids.length > MAX_POSTERS) problem = 'admin.posters.tooMany';
    else if (langs.length === 0) problem = 'admin.posters.noLanguage';
    if (problem) {
      showMessage(ctx, postersError, problem, { max: MAX_POSTERS }, 'error');
      return;
    }
    const sites = (directory.sites ?? []).filter((s) => ids.includes(s.id));
    postersButton.disabled = true;
    showMessage(ctx, postersStatus, 'admin.posters.making', { count: sites.length });
    try {
      const body = { tokens: sites.map(tokenFor), languages: langs };
      const answer = await ctx.api.postBytes('/api/v1/admin/posters', new TextEncoder().encode(JSON.stringify(body)), 'application/json', 'application/pdf');
      if (!answer?.bytes) throw Object.assign(new Error('no PDF'), { status: 500 });
      ctx.download(posterFileName(ids), answer.bytes, 'application/pdf');
      showMessage(ctx, postersStatus, 'admin.posters.done', { count: sites.length }, 'ok');
      ctx.announce(ctx.t('admin.posters.done', { count: sites.length }));
    } catch (e) {
      showMessage(ctx, postersStatus, null);
      showMessage(ctx, postersError, adminErrorKey('posters', e), undefined, 'error');
    } finally {
      postersButton.disabled = false;
    }
    fillTable(ids);
  });

  siteForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    showMessage(ctx, siteError, null);
    const name = siteName.value.trim();
    const key = signingKey?.publicKeyText ?? deploymentKey();
    let problem = null;
    if (!isSiteName(name)) problem = 'admin.site.badName';
    else if (!isSiteKind(siteKind.value)) problem = 'admin.site.badKind';
    else if (!key) problem = 'admin.site.needKey';
    if (problem) {
      showMessage(ctx, siteError, problem, undefined, 'error');
      if (problem === 'admin.site.badName') siteName.focus();
      return;
    }
    siteSubmit.disabled = true;
    let added;
    try {
      added = (await ctx.api.post('/api/v1/admin/sites', { name, unit_id: Number(siteUnit.value), kind: siteKind.value, site_signing_public_key: key })).site;
    } catch (e) {
      showMessage(ctx, siteError, adminErrorKey('site', e), undefined, 'error');
      return;
    } finally {
      siteSubmit.disabled = false;
    }
    siteName.value = '';
    // The new site is selected, so that its poster is one click away.
    await refresh([...selected(), added.id]);
    const params = { name: added.name };
    showMessage(ctx, status, signingKey ? 'admin.site.addedSigned' : 'admin.site.added', params, 'ok');
    ctx.announce(ctx.t('admin.site.added', params));
  });

  fillTable();
}

function siteRow(ctx, site, unitName, checked, revoke) {
  const box = el('input', { type: 'checkbox', class: 'admin-site-select', id: `admin-site-select-${site.id}`, value: site.id, checked });
  const boxLabel = tel(ctx, 'label', 'admin.sites.selectFor', { name: site.name }, { for: box.id, class: 'cl-visually-hidden' });
  const kind = KNOWN_KINDS.includes(site.kind) ? tel(ctx, 'td', `admin.kind.${site.kind}`, undefined, { class: 'kind' }) : el('td', { class: 'kind' }, site.kind);
  const url = el('td', { class: 'site-url' });
  const token = tokenFor(site);
  if (token) url.append(el('code', { class: 'cl-code' }, siteUrl(location.origin, token)));
  else url.append(tel(ctx, 'span', 'admin.sites.urlNeedsKey', undefined, { class: 'cl-hint' }));
  const revokeButton = el('button', { type: 'button', class: 'cl-button cl-small cl-secondary', 'data-action': 'revoke' }, [
    tel(ctx, 'span', 'admin.revoke.button'),
    ' ',
    tel(ctx, 'span', 'admin.revoke.for', { name: site.name }, { class: 'cl-visually-hidden' }),
  ]);
  revokeButton.addEventListener('click', () => revoke(site));
  return el('tr', { 'data-site-id': site.id, 'data-token-version': site.token_version }, [
    el('td', {}, [box, boxLabel]),
    el('th', { scope: 'row' }, site.name),
    el('td', {}, unitName),
    kind,
    el('td', { class: 'token-version cl-num' }, ctx.formatNumber(site.token_version)),
    url,
    el('td', {}, el('div', { class: 'admin-actions' }, revokeButton)),
  ]);
}
