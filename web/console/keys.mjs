// The unlocked unit key pairs of the signed-in account. They live in this
// module's memory only — never in storage, a cookie or the worker — and
// are overwritten with zeros when the session ends (sign-out, idle time,
// page hidden for good, an expired session).

import { keyId, base64urlEncode, wipe as wipeBytes } from '../crypto/clueline-crypto.mjs';

/** @type {{publicKey: Uint8Array, secretKey: Uint8Array, keyId: string}[]} */
let held = [];

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
  }
}

/** How many unit keys are held now (the browser test checks it is 0 after sign-out). */
export function heldUnitKeyCount() {
  return held.length;
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
