// Administration (#/admin/accounts, #/admin/sites): a unit administrator
// keeps its own unit's accounts (invitations, disable, enable, unlock,
// second factor); an admin keeps every unit's, and the poster sites with
// their signed posters (admin-sites.mjs). Who may do what is the server's
// rule (services/authorization.cpp); the page only leaves out the buttons
// the server would refuse.

import { registerView } from './shell.mjs';
import { closeDialogs, confirmDialog, el, field, messageLine, select, showMessage, tel } from './admin-dom.mjs';
import { accountChanges, adminErrorKey, invitableRoles, isLoginName, unitKeyState } from './admin-logic.mjs';
import { leaveSites, renderSites } from './admin-sites.mjs';

let current = null;
// The unit an admin last looked at, kept while the page is open.
let chosenUnit = null;

registerView('admin', {
  navKey: 'admin.nav',
  roles: ['unit_admin', 'admin'],
  async render(container, ctx, params) {
    leave();
    const page = params[0] === 'sites' ? 'sites' : 'accounts';
    if (params[0] !== page) {
      // #/admin alone opens the accounts, under their own address.
      history.replaceState(null, '', '#/admin/accounts');
    }
    current = { page, generation: 0 };
    const body = el('div', { class: 'cl-view admin' });
    container.replaceChildren(subNav(ctx, page), body);
    if (page === 'sites') await renderSites(body, ctx);
    else await renderAccounts(body, ctx, current);
  },
  leave,
});

function leave() {
  closeDialogs();
  leaveSites();
  if (current) current.generation += 1;
  current = null;
}

function subNav(ctx, page) {
  const links = [['accounts', 'admin.accounts.nav']];
  if (ctx.account.role === 'admin') links.push(['sites', 'admin.sites.nav']);
  return el('nav', { class: 'admin-subnav', 'aria-labelledby': 'admin-subnav-label' }, [
    tel(ctx, 'span', 'admin.subnav', undefined, { id: 'admin-subnav-label', class: 'cl-visually-hidden' }),
    el('ul', {}, links.map(([name, key]) => el('li', {}, tel(ctx, 'a', key, undefined, {
      href: `#/admin/${name}`, id: `admin-nav-${name}`, 'aria-current': name === page ? 'page' : null,
    })))),
  ]);
}

// ---------------------------------------------------------------------------
// Accounts

async function renderAccounts(body, ctx, view) {
  const directory = await ctx.directory();
  const units = directory.units ?? [];
  const viewer = ctx.account;
  const isAdmin = viewer.role === 'admin';
  if (isAdmin) {
    if (!units.some((u) => u.id === chosenUnit)) chosenUnit = units.some((u) => u.id === viewer.unit_id) ? viewer.unit_id : units[0]?.id ?? null;
  } else {
    chosenUnit = viewer.unit_id;
  }
  const unitName = (id) => units.find((u) => u.id === id)?.name ?? String(id);

  const heading = tel(ctx, 'h1', 'admin.accounts.title', undefined, { id: 'admin-accounts-title' });
  const parts = [heading, tel(ctx, 'p', isAdmin ? 'admin.accounts.introAdmin' : 'admin.accounts.introUnitAdmin', undefined, { class: 'cl-intro' })];
  let unitSelect = null;
  if (isAdmin) {
    unitSelect = select(ctx, 'admin-accounts-unit', units.map((u) => ({ value: u.id, text: u.name })), chosenUnit);
    parts.push(el('div', { class: 'cl-inline-form' }, field(ctx, 'admin.accounts.unit', unitSelect)));
  } else {
    parts.push(tel(ctx, 'p', 'admin.accounts.ownUnit', { unit: unitName(chosenUnit) }, { id: 'admin-accounts-unit-name' }));
  }
  const error = messageLine('admin-accounts-error', 'alert');
  const status = messageLine('admin-accounts-status');
  const tbody = el('tbody');
  const table = el('table', { id: 'admin-accounts-table', class: 'cl-table' }, [
    tel(ctx, 'caption', 'admin.accounts.caption', { unit: unitName(chosenUnit) }, { id: 'admin-accounts-caption' }),
    el('thead', {}, el('tr', {}, ['name', 'role', 'state', 'totp', 'lastLogin', 'unitKey', 'actions'].map((c) => tel(ctx, 'th', `admin.accounts.column.${c}`, undefined, { scope: 'col' })))),
    tbody,
  ]);
  parts.push(error, status, el('div', { class: 'cl-table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'admin-accounts-caption' }, table));
  parts.push(inviteSection(ctx, () => chosenUnit, unitName, () => load()));
  body.replaceChildren(...parts);

  const load = async () => {
    const generation = view.generation;
    showMessage(ctx, status, 'admin.loading');
    let answer;
    try {
      answer = await ctx.api.get('/api/v1/admin/accounts', { unit: String(chosenUnit) });
    } catch (e) {
      if (generation !== view.generation) return;
      showMessage(ctx, status, null);
      showMessage(ctx, error, adminErrorKey('accounts', e), undefined, 'error');
      return;
    }
    if (generation !== view.generation || current !== view) return;
    showMessage(ctx, status, null);
    showMessage(ctx, error, null);
    const accounts = answer?.accounts ?? [];
    tbody.replaceChildren(...accounts.map((a) => accountRow(ctx, viewer, a, { error, reload: load })));
    if (accounts.length === 0) {
      tbody.append(el('tr', {}, tel(ctx, 'td', 'admin.accounts.none', undefined, { colspan: '7' })));
    }
  };
  unitSelect?.addEventListener('change', () => {
    chosenUnit = Number(unitSelect.value);
    ctx.setText(document.getElementById('admin-accounts-caption'), 'admin.accounts.caption', { unit: unitName(chosenUnit) });
    view.generation += 1;
    load();
  });
  await load();
}

function accountRow(ctx, viewer, account, { error, reload }) {
  const name = el('th', { scope: 'row' }, account.login_name);
  if (account.id === viewer.id) name.append(' ', tel(ctx, 'span', 'admin.accounts.you', undefined, { class: 'cl-tag' }));
  const lastLogin = account.last_login_at ? el('td', {}, ctx.formatTime(account.last_login_at)) : tel(ctx, 'td', 'admin.accounts.never');
  const actions = el('div', { class: 'admin-actions' });
  for (const change of accountChanges(viewer, account)) {
    // Two spans, not the button's own text: a change of language rewrites
    // each [data-i18n] element's whole text, which would drop the name.
    const button = el('button', { type: 'button', class: 'cl-button cl-small cl-secondary', 'data-change': change }, [
      tel(ctx, 'span', `admin.change.${change}.button`),
      ' ',
      tel(ctx, 'span', 'admin.change.for', { name: account.login_name }, { class: 'cl-visually-hidden' }),
    ]);
    button.addEventListener('click', () => changeAccount(ctx, account, change, { error, reload }));
    actions.append(button);
  }
  return el('tr', { 'data-account-id': account.id, 'data-login-name': account.login_name, 'data-state': account.state }, [
    name,
    tel(ctx, 'td', `admin.role.${account.role}`),
    tel(ctx, 'td', `admin.state.${account.state}`, undefined, { class: `state admin-state-${account.state}` }),
    tel(ctx, 'td', account.second_factor ? 'admin.accounts.totpOn' : 'admin.accounts.totpOff', undefined, { class: 'totp' }),
    lastLogin,
    tel(ctx, 'td', `admin.unitKey.${unitKeyState(account)}`),
    el('td', {}, actions),
  ]);
}

async function changeAccount(ctx, account, change, { error, reload }) {
  const params = { name: account.login_name };
  const ok = await confirmDialog(ctx, {
    titleKey: `admin.change.${change}.title`,
    textKey: `admin.change.${change}.text`,
    okKey: `admin.change.${change}.ok`,
    params,
    danger: change === 'disable' || change === 'reset_second_factor',
  });
  if (!ok) return;
  try {
    await ctx.api.post('/api/v1/admin/accounts/change', { account_id: account.id, change });
  } catch (e) {
    showMessage(ctx, error, adminErrorKey('change', e), undefined, 'error');
    await reload();
    return;
  }
  ctx.announce(ctx.t(`admin.change.${change}.done`, params));
  await reload();
  // The row was drawn anew: the keyboard goes on from the same account.
  const row = document.querySelector(`#admin-accounts-table tr[data-account-id="${account.id}"]`);
  (row?.querySelector('button') ?? row?.querySelector('th'))?.focus();
}

// ---------------------------------------------------------------------------
// Invitations

function inviteSection(ctx, unitId, unitName, reload) {
  const roles = invitableRoles(ctx.account);
  const name = el('input', { id: 'admin-invite-name', type: 'text', required: true, autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', maxlength: '64', pattern: '[a-z0-9][a-z0-9._\\-]{0,63}' });
  const role = select(ctx, 'admin-invite-role', roles.map((r) => ({ value: r, key: `admin.role.${r}` })), 'handler');
  const submit = tel(ctx, 'button', 'admin.invite.submit', undefined, { type: 'submit', id: 'admin-invite-submit', class: 'cl-button' });
  const error = messageLine('admin-invite-error', 'alert');
  const result = el('div', { id: 'admin-invite-result', class: 'cl-panel admin-invite-result', tabindex: '-1' });
  result.hidden = true;
  const form = el('form', { id: 'admin-invite-form', class: 'cl-form', novalidate: true }, [
    field(ctx, 'admin.invite.name', name, 'admin.invite.nameHint'),
    field(ctx, 'admin.invite.role', role),
    el('div', { class: 'cl-actions' }, submit),
  ]);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showMessage(ctx, error, null);
    const login = name.value.trim();
    if (!isLoginName(login)) {
      showMessage(ctx, error, 'admin.invite.badName', undefined, 'error');
      name.setAttribute('aria-invalid', 'true');
      name.focus();
      return;
    }
    name.removeAttribute('aria-invalid');
    submit.disabled = true;
    try {
      const answer = await ctx.api.post('/api/v1/admin/invitations', { account: login, unit_id: unitId(), role: role.value });
      showInvitation(ctx, result, answer.invitation, unitName);
      name.value = '';
      await reload();
    } catch (e) {
      showMessage(ctx, error, adminErrorKey('invite', e), undefined, 'error');
    } finally {
      submit.disabled = false;
    }
  });
  return el('section', { class: 'cl-panel', 'aria-labelledby': 'admin-invite-title' }, [
    tel(ctx, 'h2', 'admin.invite.title', undefined, { id: 'admin-invite-title' }),
    tel(ctx, 'p', 'admin.invite.intro', undefined, { class: 'cl-hint' }),
    form, error, result,
  ]);
}

/** The code, once: the server keeps only its hash and cannot show it again. */
function showInvitation(ctx, result, invitation, unitName) {
  const code = el('code', { id: 'admin-invite-code', class: 'cl-code admin-invite-code' }, invitation.code);
  const copy = tel(ctx, 'button', 'admin.invite.copy', undefined, { type: 'button', id: 'admin-invite-copy', class: 'cl-button cl-secondary' });
  const copied = messageLine('admin-invite-copied');
  const done = tel(ctx, 'button', 'admin.invite.done', undefined, { type: 'button', id: 'admin-invite-done', class: 'cl-button cl-secondary' });
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(invitation.code);
      showMessage(ctx, copied, 'admin.invite.copied');
    } catch {
      // No clipboard (an insecure context, a refused permission): select it for a manual copy.
      const range = document.createRange();
      range.selectNodeContents(code);
      const selection = getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      showMessage(ctx, copied, 'admin.invite.copyManually');
    }
  });
  done.addEventListener('click', () => {
    result.replaceChildren();
    result.hidden = true;
    document.getElementById('admin-invite-name')?.focus();
  });
  const params = { name: invitation.account, unit: unitName(invitation.unit_id) };
  result.replaceChildren(
    tel(ctx, 'h3', 'admin.invite.resultTitle', params, { id: 'admin-invite-result-title' }),
    tel(ctx, 'p', 'admin.invite.onceOnly'),
    el('p', { class: 'admin-invite-code-line' }, code),
    el('div', { class: 'cl-actions' }, [copy, done]),
    copied,
    tel(ctx, 'p', 'admin.invite.expires', { time: ctx.formatTime(invitation.expires_at) }),
    el('ol', { class: 'admin-steps' }, [
      tel(ctx, 'li', 'admin.invite.step.handOver', params),
      tel(ctx, 'li', 'admin.invite.step.activate', { address: `${location.origin}/console/#/activate` }),
      tel(ctx, 'li', 'admin.invite.step.fingerprint', params),
      invitation.role === 'handler' || invitation.role === 'unit_admin' ? tel(ctx, 'li', 'admin.invite.step.grant', params) : null,
    ]),
  );
  result.setAttribute('aria-labelledby', 'admin-invite-result-title');
  result.hidden = false;
  result.focus();
  ctx.announce(ctx.t('admin.invite.made', params));
}
