// Shared helpers for the node:test suites of clueline-crypto.mjs.
import assert from 'node:assert/strict';
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { CluelineCryptoError } from '../clueline-crypto.mjs';

/** Asserts that fn throws a CluelineCryptoError with the given code (or any code if code is omitted). */
export function assertFails(fn, code, message) {
  let thrown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown !== undefined, message ?? `expected a CluelineCryptoError${code ? ` (${code})` : ''}, nothing was thrown`);
  assert.ok(thrown instanceof CluelineCryptoError, `${message ?? ''} expected CluelineCryptoError, got ${thrown}`);
  assert.ok(thrown.code === 'invalid_argument' || thrown.code === 'authentication_failed', `unexpected code ${thrown.code}`);
  if (code !== undefined) assert.equal(thrown.code, code, message);
  return thrown;
}

/** Like assertFails, for a function that returns a Promise: awaits its rejection. */
export async function assertRejects(fn, code, message) {
  let thrown;
  try {
    await fn();
  } catch (e) {
    thrown = e;
  }
  return assertFails(() => {
    if (thrown !== undefined) throw thrown;
  }, code, message);
}

/** n random bytes as a plain Uint8Array (any size). */
export function randomBytes(n) {
  return new Uint8Array(nodeRandomBytes(n));
}

/** A copy of bytes with bit `bit` (0 = most significant bit of byte 0) flipped. */
export function flipBit(bytes, bit) {
  const out = new Uint8Array(bytes);
  out[bit >>> 3] ^= 0x80 >>> (bit & 7);
  return out;
}

/** Deterministic pseudo-random sample of k distinct bit positions below n (always includes the first and last 64). */
export function sampleBits(n, k, seed = 1) {
  const set = new Set();
  for (let i = 0; i < Math.min(64, n); i++) {
    set.add(i);
    set.add(n - 1 - i);
  }
  let x = seed >>> 0 || 1;
  while (set.size < Math.min(n, k + 128)) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    set.add(x % n);
  }
  return [...set].sort((a, b) => a - b);
}

export function equalBytes(a, b) {
  return Buffer.from(a).equals(Buffer.from(b));
}
