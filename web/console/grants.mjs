// Accounts of one's unit waiting for the unit key (crypto-spec §9.4), as
// `clueline account grant` handles them: the fingerprint computed here from
// the keys the server lists, compared with the one the newcomer read out,
// and only on a match the held unit key sealed to the account's box key.

import { accountFingerprint, base64urlDecode, base64urlEncode, ready as cryptoReady, sealUnitKeyGrant } from '../crypto/clueline-crypto.mjs';
import { confirmAction } from './confirm.mjs';
import { heldKey } from './keys.mjs';
import { fingerprintsMatch } from './logic.mjs';
import { el, setText, showError } from './shell.mjs';

function computedFingerprint(account) {
  return accountFingerprint(base64urlDecode(account.auth_public_key), base64urlDecode(account.box_public_key));
}

async function grant(ctx, account, input, button, status, current, refresh) {
  if (button.disabled) return;
  status.hidden = true;
  const computed = computedFingerprint(account);
  if (!fingerprintsMatch(computed, input.value)) {
    setText(status, 'grants.mismatch', { name: account.login_name });
    status.className = 'error';
    status.hidden = false;
    status.focus();
    return;
  }
  const yes = await confirmAction({ titleKey: 'grants.confirmTitle', textKey: 'grants.confirmText', params: { name: account.login_name }, confirmKey: 'grants.grant', opener: button });
  if (!yes || !current()) return;
  // One grant at a time: a second click while this one posts does nothing.
  button.disabled = true;
  try {
    for (const keyIdText of account.missing_key_ids) {
      const pair = heldKey(keyIdText);
      if (pair === null) {
        setText(status, 'grants.noKey');
        status.className = 'error';
        status.hidden = false;
        status.focus();
        return;
      }
      const sealed = sealUnitKeyGrant(pair, base64urlDecode(account.box_public_key));
      await ctx.api.post('/api/v1/accounts/grants', { account_id: account.id, key_id: keyIdText, grant: base64urlEncode(sealed) });
      if (!current()) return;
    }
    await refresh();
    if (!current()) return;
    // The button is gone with the list shown again: the section's heading takes the focus.
    const heading = document.getElementById('awaiting-keys-title');
    if (heading && !heading.closest('[hidden]')) heading.focus();
    ctx.announce(ctx.t('grants.done', { name: account.login_name }));
  } catch (e) {
    if (!current() || !status.isConnected) return;
    showError(status, e);
    status.className = 'error';
    status.hidden = false;
    status.focus();
  } finally {
    button.disabled = false;
  }
}

/**
 * Renders the accounts waiting for a key into section (hidden when there
 * are none): a fingerprint field and a grant button for each this account
 * holds every missing key of. current() tells whether the view it is
 * part of is still shown (renderToken of shell.mjs); once not, nothing is
 * rendered.
 */
export async function renderAwaitingKeys(section, ctx, current) {
  await cryptoReady();
  if (!current()) return;
  const refresh = () => renderAwaitingKeys(section, ctx, current);
  let answer;
  try {
    answer = await ctx.api.get('/api/v1/accounts/awaiting-key');
  } catch {
    if (current()) section.hidden = true;
    return;
  }
  if (!current()) return;
  const others = (answer.accounts ?? []).filter((a) => a.id !== ctx.account.id);
  section.hidden = others.length === 0;
  const list = el('ul', { cls: 'awaiting' });
  for (const account of others) {
    const inputId = `grant-fingerprint-${account.id}`;
    const input = el('input', { attrs: { id: inputId, type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: '40', 'aria-describedby': `${inputId}-hint` } });
    const status = el('p', { attrs: { role: 'alert', tabindex: '-1', hidden: true } });
    const canGrant = account.missing_key_ids.every((id) => heldKey(id) !== null);
    const button = el('button', { cls: 'primary', key: 'grants.grant', attrs: { type: 'button', 'data-grant': account.login_name, disabled: !canGrant } });
    button.addEventListener('click', () => grant(ctx, account, input, button, status, current, refresh));
    list.append(
      el('li', {}, [
        el('p', { key: 'grants.who', params: { name: account.login_name, role: { $key: `role.${account.role}` } } }),
        el('label', { key: 'grants.fingerprintLabel', params: { name: account.login_name }, attrs: { for: inputId } }),
        el('p', { cls: 'hint', key: canGrant ? 'grants.fingerprintHint' : 'grants.noKey', attrs: { id: `${inputId}-hint` } }),
        input,
        button,
        status,
      ]),
    );
  }
  section.replaceChildren(el('h2', { key: 'grants.heading', attrs: { id: 'awaiting-keys-title', tabindex: '-1' } }), el('p', { key: 'grants.intro' }), list);
}
