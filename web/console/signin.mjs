// Sign-in (crypto-spec §9.2), as `clueline login` and `whoami --unlock` do
// it: a challenge for the name, the account keys derived from the
// passphrase in the worker (Argon2id, seconds at the default parameters),
// the challenge signed there, the login, then the account's unit keys
// unwrapped and its pending grants opened, wrapped and stored. Only the
// unit key pairs come back to the page, into keys.mjs.

import { ready as cryptoReady, wipe as wipeBytes } from '../crypto/clueline-crypto.mjs';
import { hold, wipe as wipeKeys } from './keys.mjs';
import { MIN_PASSPHRASE_LENGTH, signinErrorKey } from './logic.mjs';
import { beginSession, el, registerView, setText, takeSessionNotice, tr } from './shell.mjs';
import { callWorker } from './worker-client.mjs';

function field(id, labelKey, input, hintKey) {
  const label = el('label', { key: labelKey, attrs: { for: id } });
  const parts = [label];
  if (hintKey) {
    parts.push(el('p', { cls: 'hint', key: hintKey, attrs: { id: `${id}-hint` } }));
    input.setAttribute('aria-describedby', `${id}-hint`);
  }
  parts.push(input);
  return el('div', { cls: 'field' }, parts);
}

/** Shows the running step and the seconds since the sign-in began, each second. */
function progressShower(box) {
  const bar = el('progress', { attrs: { 'aria-labelledby': 'signin-progress-text' } });
  const textNode = el('span', { attrs: { id: 'signin-progress-text' } });
  box.replaceChildren(bar, textNode);
  let phase = 'signin.progress.deriving';
  const began = Date.now();
  const show = () => setText(textNode, phase, { seconds: Math.floor((Date.now() - began) / 1000) });
  show();
  const timer = setInterval(show, 1000);
  box.hidden = false;
  return {
    phase(key) {
      phase = key;
      show();
    },
    stop() {
      clearInterval(timer);
      box.hidden = true;
      box.replaceChildren();
    },
  };
}

async function signIn(ctx, form) {
  const name = form.querySelector('#signin-name').value.trim();
  const passphraseInput = form.querySelector('#signin-passphrase');
  const totp = form.querySelector('#signin-totp').value.replace(/\s+/g, '');
  const error = form.querySelector('#signin-error');
  const submit = form.querySelector('#signin-submit');
  error.hidden = true;
  const problem = name === '' ? 'signin.error.noName'
    : [...passphraseInput.value].length < MIN_PASSPHRASE_LENGTH ? 'signin.error.short'
    : totp !== '' && !/^[0-9]{6}$/.test(totp) ? 'signin.error.totpFormat'
    : null;
  if (problem) {
    setText(error, problem, problem === 'signin.error.short' ? { min: MIN_PASSPHRASE_LENGTH } : undefined);
    error.hidden = false;
    error.focus();
    return;
  }
  submit.disabled = true;
  form.setAttribute('aria-busy', 'true');
  const progress = progressShower(form.querySelector('#signin-progress'));
  let passphrase = passphraseInput.value;
  passphraseInput.value = '';
  let step = 'login';
  let unlocked = null;
  try {
    await cryptoReady();
    const challenge = await ctx.api.post('/api/v1/auth/challenge', { account: name });
    const { proof } = await callWorker('signin', { passphrase, salt: challenge.salt, kdf: challenge.kdf, challenge: challenge.challenge });
    passphrase = null;
    progress.phase('signin.progress.signing');
    const request = { account: name, challenge: challenge.challenge, proof, client: 'browser' };
    if (totp !== '') request.totp = totp;
    await ctx.api.post('/api/v1/auth/login', request);
    step = 'unlock';
    progress.phase('signin.progress.unlocking');
    const { account } = await ctx.api.get('/api/v1/auth/me');
    unlocked = await callWorker('unlock', {
      salt: account.salt,
      kdf: { opslimit: account.kdf.opslimit, memlimit: account.kdf.memlimit },
      wrapped: account.wrapped_unit_keys,
      grants: account.pending_grants,
    });
    // Each granted key is stored wrapped for this account, which removes its grant.
    // Held (and so wiped by every way out) before anything else can fail.
    hold(unlocked.pairs);
    for (const blob of unlocked.stored) await ctx.api.post('/api/v1/auth/me/keys', blob);
    progress.stop();
    form.querySelector('#signin-totp').value = '';
    if (unlocked.stored.length > 0) ctx.announce(tr('signin.grantsStored', { count: unlocked.stored.length }));
    if (unlocked.failed.length > 0) ctx.announce(tr('signin.keysFailed', { count: unlocked.failed.length }));
    beginSession(account);
  } catch (e) {
    progress.stop();
    wipeKeys();
    // Pairs hold() did not take (it failed part way) are zeroed here.
    for (const pair of unlocked?.pairs ?? []) if (pair?.secretKey instanceof Uint8Array) wipeBytes(pair.secretKey);
    callWorker('forget').catch(() => {});
    passphrase = null;
    const key = e?.code === 'cryptoUnavailable' ? 'signin.error.crypto'
      : step === 'unlock' ? 'signin.error.unlock'
      : signinErrorKey(e);
    setText(error, key);
    error.hidden = false;
    error.focus();
    if (step === 'unlock') {
      // Signed in, but without keys the console is of no use: end that session.
      ctx.api.post('/api/v1/auth/logout').catch(() => {});
    }
  } finally {
    submit.disabled = false;
    form.removeAttribute('aria-busy');
  }
}

registerView('signin', {
  public: true,
  roles: [],
  render(container, ctx) {
    const notice = takeSessionNotice();
    const name = el('input', { attrs: { id: 'signin-name', name: 'account', type: 'text', autocomplete: 'username', autocapitalize: 'off', spellcheck: 'false', maxlength: '64', required: true } });
    const passphrase = el('input', { attrs: { id: 'signin-passphrase', name: 'passphrase', type: 'password', autocomplete: 'current-password', required: true } });
    const totp = el('input', { attrs: { id: 'signin-totp', name: 'totp', type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6', pattern: '[0-9]{6}' } });
    const form = el('form', { attrs: { id: 'signin-form', novalidate: true } }, [
      field('signin-name', 'signin.name', name),
      field('signin-passphrase', 'signin.passphrase', passphrase, 'signin.passphraseHint'),
      field('signin-totp', 'signin.totp', totp, 'signin.totpHint'),
      el('div', { cls: 'error', attrs: { id: 'signin-error', role: 'alert', tabindex: '-1', hidden: true } }),
      el('div', { cls: 'progress', attrs: { id: 'signin-progress', role: 'status', hidden: true } }),
      el('button', { cls: 'primary', key: 'signin.submit', attrs: { id: 'signin-submit', type: 'submit' } }),
    ]);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      signIn(ctx, form);
    });
    container.append(
      ...[
        el('h1', { key: 'signin.heading' }),
        notice ? el('p', { cls: 'notice', key: `signin.notice.${notice}`, attrs: { role: 'status' } }) : null,
        el('p', { key: 'signin.intro' }),
        form,
        el('p', {}, [el('a', { key: 'signin.toActivate', attrs: { href: '#/activate' } })]),
      ].filter(Boolean),
    );
  },
});
