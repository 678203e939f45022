// First sign-in of a new supervisor (crypto-spec §9.4), as `clueline
// account activate` does it: the invitation code and a new passphrase,
// the account keys made in the worker, the activation sent with public
// keys and a proof only, and the fingerprint — computed on this device
// from the keys made here — shown to read out to the member who grants
// the unit key.

import { base64urlDecode } from '../crypto/clueline-crypto.mjs';
import { invitationCode, passphraseProblem, MIN_PASSPHRASE_LENGTH, totpUri } from './logic.mjs';
import { ApiError, el, registerView, setPlain, setText, showError } from './shell.mjs';
import { callWorker } from './worker-client.mjs';

function field(id, labelKey, input, hintKey, hintParams) {
  const parts = [el('label', { key: labelKey, attrs: { for: id } })];
  if (hintKey) {
    parts.push(el('p', { cls: 'hint', key: hintKey, params: hintParams, attrs: { id: `${id}-hint` } }));
    input.setAttribute('aria-describedby', `${id}-hint`);
  }
  parts.push(input);
  return el('div', { cls: 'field' }, parts);
}

function showDone(container, answer, fingerprint) {
  const done = el('section', { cls: 'done', attrs: { 'aria-labelledby': 'activate-done-title' } }, [
    el('h2', { key: 'activate.doneTitle', attrs: { id: 'activate-done-title', tabindex: '-1' } }),
    el('p', { key: 'activate.doneText', params: { name: answer.account.login_name } }),
    el('p', { cls: 'fingerprint', text: fingerprint, attrs: { id: 'activate-fingerprint' } }),
    el('p', { key: 'activate.fingerprintHint' }),
  ]);
  if (typeof answer.totp_secret === 'string') {
    const secret = base64urlDecode(answer.totp_secret);
    const uri = el('p', { cls: 'code', attrs: { id: 'activate-totp-uri' } });
    setPlain(uri, totpUri(answer.account.login_name, secret));
    done.append(el('p', { key: 'activate.totpText' }), uri);
  }
  done.append(el('p', {}, [el('a', { key: 'activate.toSignin', attrs: { href: '#/signin', id: 'activate-signin-link' } })]));
  container.append(done);
  done.querySelector('h2').focus();
}

async function activate(container, ctx, form) {
  const error = form.querySelector('#activate-error');
  const first = form.querySelector('#activate-passphrase');
  const second = form.querySelector('#activate-passphrase2');
  const code = invitationCode(form.querySelector('#activate-code').value);
  error.hidden = true;
  const problem = code === null ? 'activate.error.code' : passphraseProblem(first.value, second.value);
  if (problem) {
    setText(error, problem, { min: MIN_PASSPHRASE_LENGTH });
    error.hidden = false;
    error.focus();
    return;
  }
  const submit = form.querySelector('#activate-submit');
  const status = form.querySelector('#activate-progress');
  submit.disabled = true;
  setText(status, 'activate.working');
  status.hidden = false;
  const passphrase = first.value;
  first.value = '';
  second.value = '';
  try {
    const made = await callWorker('activate', { code, passphrase });
    const body = { ...made.body, second_factor: form.querySelector('#activate-totp').checked };
    const answer = await ctx.api.post('/api/v1/auth/activate', body);
    form.hidden = true;
    showDone(container, answer, made.fingerprint);
  } catch (e) {
    // The worker's and the crypto module's failures are English texts: the catalog says what they mean here.
    const key = !(e instanceof ApiError) ? (e?.code === 'cryptoUnavailable' ? 'activate.error.crypto' : 'activate.error.local')
      : e.status === 404 ? 'activate.error.notFound'
      : e.status === 409 ? 'activate.error.conflict'
      : null;
    if (key) setText(error, key);
    else showError(error, e);
    error.hidden = false;
    error.focus();
  } finally {
    submit.disabled = false;
    status.hidden = true;
  }
}

registerView('activate', {
  public: true,
  roles: [],
  render(container, ctx) {
    const code = el('input', { attrs: { id: 'activate-code', name: 'invitation', type: 'text', autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false', maxlength: '64', required: true } });
    const first = el('input', { attrs: { id: 'activate-passphrase', name: 'passphrase', type: 'password', autocomplete: 'new-password', required: true } });
    const second = el('input', { attrs: { id: 'activate-passphrase2', name: 'passphrase2', type: 'password', autocomplete: 'new-password', required: true } });
    const totp = el('input', { attrs: { id: 'activate-totp', name: 'second_factor', type: 'checkbox' } });
    const form = el('form', { attrs: { id: 'activate-form', novalidate: true } }, [
      field('activate-code', 'activate.code', code, 'activate.codeHint'),
      field('activate-passphrase', 'activate.passphrase', first, 'activate.passphraseHint', { min: MIN_PASSPHRASE_LENGTH }),
      field('activate-passphrase2', 'activate.passphrase2', second),
      el('div', { cls: 'field check' }, [totp, el('label', { key: 'activate.totp', attrs: { for: 'activate-totp' } })]),
      el('div', { cls: 'error', attrs: { id: 'activate-error', role: 'alert', tabindex: '-1', hidden: true } }),
      el('p', { attrs: { id: 'activate-progress', role: 'status', hidden: true } }),
      el('button', { cls: 'primary', key: 'activate.submit', attrs: { id: 'activate-submit', type: 'submit' } }),
    ]);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      activate(container, ctx, form);
    });
    container.append(
      el('h1', { key: 'activate.heading' }),
      el('p', { key: 'activate.intro' }),
      form,
      el('p', {}, [el('a', { key: 'activate.toSignin', attrs: { href: '#/signin' } })]),
    );
  },
});
