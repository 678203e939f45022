// The unlocked unit key pairs of the signed-in account. They live in this
// module's memory only — never in storage, a cookie or the worker — and
// are overwritten with zeros when the session ends (sign-out, idle time,
// page hidden for good, an expired session).

import { keyId, base64urlEncode, wipe as wipeBytes } from '../crypto/clueline-crypto.mjs';

/** @type {{publicKey: Uint8Array, secretKey: Uint8Array, keyId: string}[]} */
let held = [];

/**
 * Every secret key array hold() was ever given, weakly: an array stays
 * strongly referenced by `held` until wipe() zeroes it, so one that is
 * gone was zeroed before it went. Only whether they are zero is ever told.
 * @type {Set<WeakRef<Uint8Array>>}
 */
const everHeld = new Set();

/**
 * Keeps unit key pairs (X25519), replacing one of the same key id.
 * @param {{publicKey: Uint8Array, secretKey: Uint8Array}[]} pairs libsodium must be ready
 */
export function hold(pairs) {
  for (const pair of pairs) {
    const id = base64urlEncode(keyId(pair.publicKey));
    const earlier = held.findIndex((h) => h.keyId === id);
    if (earlier >= 0) {
      wipeBytes(held[earlier].secretKey);
      held.splice(earlier, 1);
    }
    held.push({ publicKey: pair.publicKey, secretKey: pair.secretKey, keyId: id });
    everHeld.add(new WeakRef(pair.secretKey));
  }
}

/** How many unit keys are held now (the browser test checks it is 0 after sign-out). */
export function heldUnitKeyCount() {
  return held.length;
}

/**
 * Whether every secret key array ever held is all zeros now (the browser
 * tests check it after sign-out and the idle time-out); false while any
 * key is held. Tells nothing of the keys' contents.
 */
export function secretKeysZeroed() {
  for (const ref of everHeld) {
    const key = ref.deref();
    if (key === undefined) {
      everHeld.delete(ref);
      continue;
    }
    if (key.some((b) => b !== 0)) return false;
  }
  return true;
}

/** The held pairs, to open clues with (the caller must not keep them). */
export function heldKeys() {
  return held.map((h) => ({ publicKey: h.publicKey, secretKey: h.secretKey, keyId: h.keyId }));
}

/** The held pair with this base64url key id, or null. */
export function heldKey(id) {
  const h = held.find((k) => k.keyId === id);
  return h ? { publicKey: h.publicKey, secretKey: h.secretKey, keyId: h.keyId } : null;
}

/** Overwrites every held secret key with zeros and forgets them all. */
export function wipe() {
  for (const h of held) wipeBytes(h.secretKey);
  held = [];
}
