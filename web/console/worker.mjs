// The console's Argon2id work, off the page's thread (a module Worker):
// account keys from the passphrase (crypto-spec §9.1), the login proof
// (§9.2), unwrapping the account's unit keys and opening the grants waiting
// for it (§9.3, §9.4), and the keys and proof of an activation. The account
// keys (auth, wrap and box secret keys) stay in this worker between a
// sign-in and its unlock, and are wiped right after, or on 'forget'.
//
// Protocol: the page posts {id, cmd, args}; the worker answers
// {id, type: 'result', value} or {id, type: 'error', error: {code, message}},
// where code is a CluelineCryptoError code or 'state'. It posts
// {type: 'ready'} once libsodium is loaded, or {type: 'ready', failed: true}.

import * as cc from '../crypto/clueline-crypto.mjs';

/** @type {{keys: object, salt: Uint8Array, kdf: {opslimit: number, memlimit: number}} | null} */
let account = null;

function forget() {
  if (account) cc.wipe(account.keys.auth.secretKey, account.keys.wrapKey, account.keys.box.secretKey);
  account = null;
}

function failure(code, message) {
  const e = new Error(message);
  e.code = code;
  return e;
}

const decode = (text, what) => {
  try {
    return cc.base64urlDecode(text);
  } catch {
    throw failure('invalid_argument', `${what}: malformed base64url`);
  }
};

function kdfOf(kdf) {
  return { opslimit: kdf?.opslimit, memlimit: kdf?.memlimit };
}

const commands = {
  /**
   * Derives the account keys with the challenge's salt and parameters
   * (a hostile server is bounded by the accepted range, which
   * deriveAccountKeys checks) and signs the challenge.
   */
  async signin({ passphrase, salt, kdf, challenge }) {
    forget();
    const saltBytes = decode(salt, 'salt');
    const params = kdfOf(kdf);
    const keys = await cc.deriveAccountKeys(passphrase, saltBytes, params);
    account = { keys, salt: saltBytes, kdf: params };
    const proof = cc.signLoginChallenge(decode(challenge, 'challenge'), keys.auth);
    return { proof: cc.base64urlEncode(proof) };
  },

  /**
   * The unit keys of the signed-in account (`account` of GET /auth/me):
   * its CLK1 blobs unwrapped, and each pending grant opened, checked
   * against its key id and wrapped for the account (the blobs to store
   * with POST /api/v1/auth/me/keys), as app/account_commands.cpp
   * unlock_unit_keys does. The account keys are wiped afterwards.
   */
  async unlock({ salt, kdf, wrapped, grants }) {
    if (!account) throw failure('state', 'no sign-in in progress');
    try {
      if (salt !== cc.base64urlEncode(account.salt) || kdf?.opslimit !== account.kdf.opslimit || kdf?.memlimit !== account.kdf.memlimit) {
        // The keys were derived with what the challenge named; blobs wrapped under others would not open.
        throw failure('invalid_argument', 'the account names another salt or other KDF parameters than its challenge');
      }
      const pairs = [];
      const failed = [];
      for (const w of wrapped ?? []) {
        try {
          pairs.push(await cc.unwrapUnitSecretKey(decode(w.blob, 'blob'), account.keys));
        } catch {
          failed.push(w.key_id);
        }
      }
      const stored = [];
      for (const g of grants ?? []) {
        let pair;
        try {
          pair = cc.openUnitKeyGrant(decode(g.grant, 'grant'), account.keys.box, decode(g.key_id, 'key_id'));
        } catch {
          failed.push(g.key_id);
          continue;
        }
        const blob = cc.wrapUnitSecretKey(pair, account.keys, account.salt, account.kdf);
        stored.push({ key_id: g.key_id, blob: cc.base64urlEncode(blob) });
        pairs.push(pair);
      }
      return { pairs, stored, failed };
    } finally {
      forget();
    }
  },

  forget() {
    forget();
    return true;
  },

  /**
   * A new account's keys from its passphrase, on this device (crypto-spec
   * §9.4): a fresh salt, the default parameters, the activation proof over
   * the invitation code and the box key, and the fingerprint the newcomer
   * reads out to the member who grants the unit key.
   */
  async activate({ code, passphrase }) {
    const codeBytes = decode(code, 'invitation');
    if (codeBytes.length !== cc.INVITATION_CODE_BYTES) throw failure('invalid_argument', 'invitation: 32 bytes expected');
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const kdf = { opslimit: cc.ACCOUNT_KDF_DEFAULTS.opslimit, memlimit: cc.ACCOUNT_KDF_DEFAULTS.memlimit };
    const keys = await cc.deriveAccountKeys(passphrase, salt, kdf);
    try {
      const proof = cc.signActivation(codeBytes, keys.box.publicKey, keys.auth);
      return {
        body: {
          invitation: code,
          salt: cc.base64urlEncode(salt),
          kdf,
          auth_public_key: cc.base64urlEncode(keys.auth.publicKey),
          box_public_key: cc.base64urlEncode(keys.box.publicKey),
          proof: cc.base64urlEncode(proof),
        },
        fingerprint: cc.accountFingerprint(keys.auth.publicKey, keys.box.publicKey),
      };
    } finally {
      cc.wipe(keys.auth.secretKey, keys.wrapKey, keys.box.secretKey);
    }
  },
};

const sodiumReady = cc.ready();
sodiumReady.then(
  () => postMessage({ type: 'ready' }),
  () => postMessage({ type: 'ready', failed: true }),
);

self.onmessage = async (event) => {
  const { id, cmd, args } = event.data ?? {};
  try {
    await sodiumReady;
    const command = commands[cmd];
    if (!command) throw failure('state', `unknown command ${cmd}`);
    const value = await command(args ?? {});
    postMessage({ id, type: 'result', value });
    // The copies posted are the page's now; these are not needed.
    if (cmd === 'unlock') for (const p of value.pairs) cc.wipe(p.secretKey);
  } catch (e) {
    postMessage({ id, type: 'error', error: { code: typeof e?.code === 'string' ? e.code : 'unknown', message: String(e?.message ?? e) } });
  }
};
