// clueline browser crypto: the JavaScript implementation of docs/crypto-spec.md
// (protocol version 2), byte for byte compatible with the C++ reference in
// crypto/. Runs unchanged in browsers (as a static ES module, no bundler) and
// in node (tests, bench).
//
// Usage:
//   import * as cc from './clueline-crypto.mjs';
//   await cc.ready();            // once; loads libsodium (WebAssembly)
//   const kp = cc.generateBoxKeyPair();
//   // Unit keys the server names are sealed to only after the checks of
//   // spec §3.1, against the site token the reporter holds:
//   const keys = cc.verifiedRouteKeys(routeJson, token);   // then cc.sealEnvelope(fields, keys, body)
//   const receiptKeys = await cc.deriveReceiptKeys(receipt, deploymentSalt); // Argon2id: a Promise
//
// Contracts that hold for every export:
//   - Bytes in and out are Uint8Array (node Buffers are accepted as input).
//     Returned arrays are fresh copies the caller owns; callers should
//     wipe secrets they no longer need with wipe().
//   - Every function except ready(), base64urlEncode/base64urlDecode and the
//     pure string helpers needs ready() to have resolved; before that they
//     throw CluelineCryptoError('invalid_argument').
//   - Every failure is a CluelineCryptoError whose .code is exactly one of
//       'invalid_argument'       malformed input: wrong length, magic, bucket,
//                                base64url, character set, range (spec §11)
//       'authentication_failed'  a signature, seal, AEAD tag, key id or padding
//                                that does not check out
//     Authentication failures never say which step failed. No function
//     returns a partial result. hash-wasm failing to load (a page gone
//     offline) or Argon2id failing to get its memory is 'invalid_argument'
//     too, with a message that says which.
//   - The functions are synchronous, except the three that run Argon2id:
//     deriveReceiptKeys, deriveAccountKeys and unwrapUnitSecretKey return
//     Promises, because hash-wasm's Argon2id is asynchronous; their failures
//     are rejections with the same CluelineCryptoError codes. Argon2id takes
//     from a fraction of a second to several seconds and keeps the thread
//     busy while it runs, so pages should call them from a Worker.
//
// libsodium is reached only through the single import below and ready():
// change the import specifier here to serve the module from another path.
// (libsodium-wrappers' own ESM file imports the bare specifier 'libsodium',
// so a browser page needs an import map for both names or a rewritten path.)
// Argon2id comes from hash-wasm, imported on first use by loadArgon2id(),
// because the standard libsodium-wrappers build has no crypto_pwhash.

import sodiumModule from 'libsodium-wrappers';

/** @type {any} the initialised libsodium-wrappers object, or null before ready() */
let sodium = null;
/** @type {Promise<void> | null} */
let readyPromise = null;

/**
 * Loads and initialises libsodium. Idempotent; call (and await) once before
 * using any other function of this module.
 * @returns {Promise<void>}
 */
export function ready() {
  if (readyPromise === null) {
    readyPromise = Promise.resolve(sodiumModule.ready).then(() => {
      sodium = sodiumModule;
    });
  }
  return readyPromise;
}

function S() {
  if (sodium === null) throw new CluelineCryptoError('invalid_argument', 'clueline-crypto: await ready() first');
  return sodium;
}

// ---------------------------------------------------------------------------
// Errors and byte helpers

/** The only error type this module throws. */
export class CluelineCryptoError extends Error {
  /**
   * @param {'invalid_argument' | 'authentication_failed'} code
   * @param {string} [message]
   */
  constructor(code, message) {
    super(message ?? (code === 'authentication_failed' ? 'cannot open' : 'malformed input'));
    this.name = 'CluelineCryptoError';
    /** @type {'invalid_argument' | 'authentication_failed'} */
    this.code = code;
  }
}

function invalid(message) {
  return new CluelineCryptoError('invalid_argument', message);
}

function authFailed() {
  return new CluelineCryptoError('authentication_failed', 'cannot open');
}

/** Checks that x is a Uint8Array (of length len, if given). */
function bytesArg(x, name, len) {
  if (!(x instanceof Uint8Array)) throw invalid(`${name}: Uint8Array expected`);
  if (len !== undefined && x.length !== len) throw invalid(`${name}: ${len} bytes expected`);
  return x;
}

/** A fresh plain Uint8Array copy of u8[start, end). */
function copyOf(u8, start = 0, end = u8.length) {
  return new Uint8Array(u8.subarray(start, end));
}

function concat(...parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function ascii(s) {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function u8(x) {
  return Uint8Array.of(x);
}

function u16be(x) {
  return Uint8Array.of((x >>> 8) & 0xff, x & 0xff);
}

function u32be(x) {
  return Uint8Array.of((x >>> 24) & 0xff, (x >>> 16) & 0xff, (x >>> 8) & 0xff, x & 0xff);
}

function readU16be(b, o) {
  return (b[o] << 8) | b[o + 1];
}

function readU32be(b, o) {
  return ((b[o] << 24) >>> 0) + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
}

function isUint(x, max) {
  return Number.isInteger(x) && x >= 0 && x <= max;
}

function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 of a string; refuses lone surrogates (TextEncoder would silently replace them). */
function utf8(s, name) {
  if (typeof s !== 'string') throw invalid(`${name}: string expected`);
  if (typeof s.isWellFormed === 'function' ? !s.isWellFormed() : /[\uD800-\uDFFF]/u.test(s)) {
    throw invalid(`${name}: not well-formed Unicode`);
  }
  return utf8Encoder.encode(s);
}

/**
 * Overwrites the given byte arrays with zeros (sodium_memzero). Ignores
 * null/undefined. Safe to call before ready().
 * @param {...(Uint8Array | null | undefined)} arrays
 */
export function wipe(...arrays) {
  for (const a of arrays) if (a instanceof Uint8Array) a.fill(0);
}

function blake2b(outlen, msg) {
  return S().crypto_generichash(outlen, msg, null);
}

// ---------------------------------------------------------------------------
// base64url (spec §1): RFC 4648 §5, no padding, strict decoder.

const B64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64_VALUE = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64_VALUE[B64_ALPHABET.charCodeAt(i)] = i;

/**
 * base64url without padding (sodium_base64_VARIANT_URLSAFE_NO_PADDING).
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function base64urlEncode(bytes) {
  bytesArg(bytes, 'bytes');
  let out = '';
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64_ALPHABET[v >>> 18] + B64_ALPHABET[(v >>> 12) & 63] + B64_ALPHABET[(v >>> 6) & 63] + B64_ALPHABET[v & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const v = bytes[i] << 16;
    out += B64_ALPHABET[v >>> 18] + B64_ALPHABET[(v >>> 12) & 63];
  } else if (rest === 2) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += B64_ALPHABET[v >>> 18] + B64_ALPHABET[(v >>> 12) & 63] + B64_ALPHABET[(v >>> 6) & 63];
  }
  return out;
}

/**
 * Strict base64url decoder: refuses padding, whitespace, any character
 * outside [A-Za-z0-9_-], a length of 4k+1 and non-zero trailing bits.
 * @param {string} text
 * @returns {Uint8Array}
 * @throws {CluelineCryptoError} invalid_argument
 */
export function base64urlDecode(text) {
  if (typeof text !== 'string') throw invalid('base64url: string expected');
  const n = text.length;
  if (n % 4 === 1) throw invalid('base64url: bad length');
  const out = new Uint8Array(Math.floor((n * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? B64_VALUE[c] : -1;
    if (v < 0) throw invalid('base64url: bad character');
    acc = ((acc << 6) | v) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) throw invalid('base64url: non-canonical trailing bits');
  return out;
}

// ---------------------------------------------------------------------------
// Keys (spec §2)

/**
 * @typedef {{publicKey: Uint8Array, secretKey: Uint8Array}} KeyPair
 * Box (X25519) pairs: 32 + 32 bytes. Signing (Ed25519) pairs: 32 + 64 bytes
 * (libsodium's secret key format: seed ‖ public key).
 */

/**
 * New random X25519 unit key pair (crypto_box_keypair).
 * @returns {KeyPair}
 */
export function generateBoxKeyPair() {
  const kp = S().crypto_box_keypair();
  return { publicKey: kp.publicKey, secretKey: kp.privateKey };
}

/**
 * X25519 key pair from its 32-byte secret key (public = crypto_scalarmult_base(secret)).
 * @param {Uint8Array} secretKey 32 bytes
 * @returns {KeyPair} (secretKey is a copy)
 */
export function boxKeyPairFromSecret(secretKey) {
  bytesArg(secretKey, 'secretKey', 32);
  return { publicKey: S().crypto_scalarmult_base(secretKey), secretKey: copyOf(secretKey) };
}

/**
 * Key id of a public key: BLAKE2b-16(publicKey).
 * @param {Uint8Array} publicKey 32 bytes
 * @returns {Uint8Array} 16 bytes
 */
export function keyId(publicKey) {
  bytesArg(publicKey, 'publicKey', 32);
  return blake2b(16, publicKey);
}

/**
 * New random Ed25519 key pair (crypto_sign_keypair); secretKey is 64 bytes.
 * @returns {KeyPair}
 */
export function generateSigningKeyPair() {
  const kp = S().crypto_sign_keypair();
  return { publicKey: kp.publicKey, secretKey: kp.privateKey };
}

/**
 * Ed25519 key pair from a 32-byte seed (crypto_sign_seed_keypair).
 * @param {Uint8Array} seed 32 bytes
 * @returns {KeyPair}
 */
export function signingKeyPairFromSeed(seed) {
  bytesArg(seed, 'seed', 32);
  const kp = S().crypto_sign_seed_keypair(seed);
  return { publicKey: kp.publicKey, secretKey: kp.privateKey };
}

function checkBoxKeyPair(kp, name) {
  if (kp === null || typeof kp !== 'object') throw invalid(`${name}: key pair expected`);
  bytesArg(kp.publicKey, `${name}.publicKey`, 32);
  bytesArg(kp.secretKey, `${name}.secretKey`, 32);
}

// ---------------------------------------------------------------------------
// Site token (spec §3)

export const SITE_TOKEN_BYTES = 86;
export const SITE_TOKEN_LENGTH = 115;
/** Length of a deployment key fingerprint (and of the token's fingerprint field). */
export const DEPLOYMENT_KEY_FINGERPRINT_BYTES = 16;
const SITE_TOKEN_DOMAIN = ascii('clueline/site-token/v2');
const SITE_TOKEN_SIGNED_BYTES = 4 + 2 + DEPLOYMENT_KEY_FINGERPRINT_BYTES; // site_id ‖ token_version ‖ fingerprint

/** Constant-time equality (sodium.memcmp) of two byte arrays; false for different lengths. */
function sameBytes(a, b) {
  return a.length === b.length && S().memcmp(a, b) === true;
}

/**
 * The deployment's key id, which every site token carries (spec §3):
 * BLAKE2b-16(deployment signing public key), the same function as keyId().
 * @param {Uint8Array} publicKey 32-byte Ed25519 deployment signing public key
 * @returns {Uint8Array} 16 bytes
 * @throws {CluelineCryptoError} invalid_argument (length)
 */
export function deploymentKeyFingerprint(publicKey) {
  bytesArg(publicKey, 'publicKey', 32);
  return blake2b(DEPLOYMENT_KEY_FINGERPRINT_BYTES, publicKey);
}

function checkSiteFields(fields) {
  if (fields === null || typeof fields !== 'object') throw invalid('site token: fields expected');
  const { siteId, tokenVersion } = fields;
  if (!isUint(siteId, 0xffffffff)) throw invalid('site token: siteId must be a u32');
  if (!isUint(tokenVersion, 0xffff)) throw invalid('site token: tokenVersion must be a u16');
  return { siteId, tokenVersion };
}

/**
 * The public half of a 64-byte Ed25519 secret key (what libsodium's
 * crypto_sign_ed25519_sk_to_pk copies out; libsodium-wrappers does not export
 * it), checked against the public key its seed gives so that an
 * inconsistent secret key cannot sign under another fingerprint.
 */
function signingPublicKeyOf(signingSecretKey) {
  const half = copyOf(signingSecretKey, 32, 64);
  const kp = S().crypto_sign_seed_keypair(signingSecretKey.subarray(0, 32));
  wipe(kp.privateKey);
  if (!sameBytes(kp.publicKey, half)) throw invalid('signingSecretKey: public half does not match its seed');
  return half;
}

/**
 * Signs a site token and returns its 86 raw bytes:
 * site_id:u32be ‖ token_version:u16be ‖ fingerprint[16] ‖ signature[64], where
 * fingerprint = deploymentKeyFingerprint(public half of signingSecretKey) and
 * signature = crypto_sign_detached("clueline/site-token/v2" ‖ site_id ‖ token_version ‖ fingerprint).
 * @param {{siteId: number, tokenVersion: number}} fields
 * @param {Uint8Array} signingSecretKey 64-byte Ed25519 secret key (seed ‖ public key)
 * @returns {Uint8Array} 86 bytes
 * @throws {CluelineCryptoError} invalid_argument (fields out of range, key length, a secret key whose halves disagree)
 */
export function signSiteTokenBytes(fields, signingSecretKey) {
  const { siteId, tokenVersion } = checkSiteFields(fields);
  bytesArg(signingSecretKey, 'signingSecretKey', 64);
  const signed = concat(u32be(siteId), u16be(tokenVersion), deploymentKeyFingerprint(signingPublicKeyOf(signingSecretKey)));
  const sig = S().crypto_sign_detached(concat(SITE_TOKEN_DOMAIN, signed), signingSecretKey);
  return concat(signed, sig);
}

/**
 * Signs a site token; returns the 115-character base64url TOKEN of the QR URL.
 * @param {{siteId: number, tokenVersion: number}} fields
 * @param {Uint8Array} signingSecretKey 64-byte Ed25519 secret key
 * @returns {string}
 */
export function signSiteToken(fields, signingSecretKey) {
  return base64urlEncode(signSiteTokenBytes(fields, signingSecretKey));
}

/**
 * Decodes a site token WITHOUT verifying it (e.g. to read the site id
 * before the public key is at hand). Accepts the 115-character string or
 * the 86 raw bytes.
 * @param {string | Uint8Array} token
 * @returns {{siteId: number, tokenVersion: number, fingerprint: Uint8Array, bytes: Uint8Array}}
 *   fingerprint: the 16-byte deployment key fingerprint the token names
 * @throws {CluelineCryptoError} invalid_argument
 */
export function parseSiteToken(token) {
  let raw;
  if (typeof token === 'string') {
    if (token.length !== SITE_TOKEN_LENGTH) throw invalid('site token: 115 characters expected');
    raw = base64urlDecode(token);
  } else {
    bytesArg(token, 'site token', SITE_TOKEN_BYTES);
    raw = copyOf(token);
  }
  if (raw.length !== SITE_TOKEN_BYTES) throw invalid('site token: 86 bytes expected');
  return {
    siteId: readU32be(raw, 0),
    tokenVersion: readU16be(raw, 4),
    fingerprint: copyOf(raw, 6, SITE_TOKEN_SIGNED_BYTES),
    bytes: raw,
  };
}

/**
 * Verifies 86 raw token bytes against a deployment signing key: the token's
 * fingerprint must be deploymentKeyFingerprint(signingPublicKey) (compared
 * in constant time) and its signature must verify under that key.
 * @param {Uint8Array} tokenBytes 86 bytes
 * @param {Uint8Array} signingPublicKey 32 bytes
 * @returns {{siteId: number, tokenVersion: number}}
 * @throws {CluelineCryptoError} invalid_argument (lengths), authentication_failed (fingerprint or signature)
 */
export function verifySiteTokenBytes(tokenBytes, signingPublicKey) {
  bytesArg(tokenBytes, 'tokenBytes', SITE_TOKEN_BYTES);
  bytesArg(signingPublicKey, 'signingPublicKey', 32);
  const signed = tokenBytes.subarray(0, SITE_TOKEN_SIGNED_BYTES);
  if (!sameBytes(signed.subarray(6), deploymentKeyFingerprint(signingPublicKey))) throw authFailed();
  let ok = false;
  try {
    ok = S().crypto_sign_verify_detached(tokenBytes.subarray(SITE_TOKEN_SIGNED_BYTES), concat(SITE_TOKEN_DOMAIN, signed), signingPublicKey);
  } catch {
    ok = false;
  }
  if (ok !== true) throw authFailed();
  return { siteId: readU32be(tokenBytes, 0), tokenVersion: readU16be(tokenBytes, 4) };
}

/**
 * Verifies a 115-character token string (see verifySiteTokenBytes).
 * @param {string} token
 * @param {Uint8Array} signingPublicKey 32 bytes
 * @returns {{siteId: number, tokenVersion: number}}
 * @throws {CluelineCryptoError} invalid_argument (length, base64url), authentication_failed (fingerprint or signature)
 */
export function verifySiteToken(token, signingPublicKey) {
  if (typeof token !== 'string' || token.length !== SITE_TOKEN_LENGTH) throw invalid('site token: 115 characters expected');
  return verifySiteTokenBytes(base64urlDecode(token), signingPublicKey);
}

// ---------------------------------------------------------------------------
// Unit key certificate (spec §3.1)

/** Default validity of a unit key certificate in days (informational: the administrator's tool chooses it). */
export const UNIT_KEY_CERTIFICATE_DEFAULT_DAYS = 730;
/** Smallest and largest certificate (a level of 1 and of 32 bytes). */
export const UNIT_KEY_CERTIFICATE_MIN_BYTES = 138;
export const UNIT_KEY_CERTIFICATE_MAX_BYTES = 169;
const UNIT_KEY_CERT_DOMAIN = ascii('clueline/unit-key-certificate/v1');
const CERT_LEVEL_RE = /^[a-z0-9_]{1,32}$/;
const MAX_SECONDS = Number.MAX_SAFE_INTEGER; // 2^53 − 1: the largest time a JavaScript number holds exactly

/**
 * @typedef {object} UnitKeyCertificateFields
 * @property {number} unitId       u32
 * @property {number} parentId     u32; 0 for the root unit
 * @property {string} level        1..32 of [a-z0-9_]
 * @property {Uint8Array} publicKey the unit's 32-byte X25519 public key
 * @property {number} notBefore    Unix seconds, an integer 0..2^53−1
 * @property {number} notAfter     Unix seconds, an integer 0..2^53−1, > notBefore
 * @typedef {UnitKeyCertificateFields & {keyId: Uint8Array}} UnitKeyCertificate
 *   keyId: the certificate's 16-byte key id (verified: BLAKE2b-16(publicKey))
 */

function u64be(x) {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(x));
  return out;
}

function readU64be(b, o) {
  return new DataView(b.buffer, b.byteOffset + o, 8).getBigUint64(0);
}

function checkCertificateFields(fields) {
  if (fields === null || typeof fields !== 'object') throw invalid('unit key certificate: fields expected');
  const { unitId, parentId, level, publicKey, notBefore, notAfter } = fields;
  if (!isUint(unitId, 0xffffffff)) throw invalid('unit key certificate: unitId must be a u32');
  if (!isUint(parentId, 0xffffffff)) throw invalid('unit key certificate: parentId must be a u32');
  if (typeof level !== 'string' || !CERT_LEVEL_RE.test(level)) throw invalid('unit key certificate: level must be 1..32 characters of [a-z0-9_]');
  bytesArg(publicKey, 'unit key certificate: publicKey', 32);
  if (!isUint(notBefore, MAX_SECONDS)) throw invalid('unit key certificate: notBefore must be an integer 0..2^53-1');
  if (!isUint(notAfter, MAX_SECONDS)) throw invalid('unit key certificate: notAfter must be an integer 0..2^53-1');
  if (notBefore >= notAfter) throw invalid('unit key certificate: notBefore must be before notAfter');
  return { unitId, parentId, level, publicKey, notBefore, notAfter };
}

/**
 * Makes a unit key certificate (what the administrator does offline, spec §3.1):
 * fields = unit_id:u32be ‖ parent_id:u32be ‖ u8 len(level) ‖ level ‖ key_id[16]
 *          ‖ public_key[32] ‖ not_before:u64be ‖ not_after:u64be, with key_id = keyId(publicKey);
 * certificate = fields ‖ crypto_sign_detached("clueline/unit-key-certificate/v1" ‖ fields, signingSecretKey).
 * Deterministic (Ed25519).
 * @param {UnitKeyCertificateFields} fields
 * @param {Uint8Array} signingSecretKey 64-byte Ed25519 deployment signing secret key
 * @returns {Uint8Array} 138..169 bytes
 * @throws {CluelineCryptoError} invalid_argument (a field out of range, key lengths)
 */
export function signUnitKeyCertificate(fields, signingSecretKey) {
  const f = checkCertificateFields(fields);
  bytesArg(signingSecretKey, 'signingSecretKey', 64);
  const level = ascii(f.level);
  const body = concat(u32be(f.unitId), u32be(f.parentId), u8(level.length), level, keyId(f.publicKey), f.publicKey,
    u64be(f.notBefore), u64be(f.notAfter));
  const sig = S().crypto_sign_detached(concat(UNIT_KEY_CERT_DOMAIN, body), signingSecretKey);
  return concat(body, sig);
}

/** A certificate given as bytes or base64url text, as raw bytes. */
function certificateBytes(certificate) {
  if (typeof certificate === 'string') return base64urlDecode(certificate);
  return bytesArg(certificate, 'certificate');
}

/** Parses certificate bytes: the fields (copies) and the length of the signed part. */
function parseCertificate(raw) {
  if (raw.length < UNIT_KEY_CERTIFICATE_MIN_BYTES || raw.length > UNIT_KEY_CERTIFICATE_MAX_BYTES) throw invalid('malformed unit key certificate');
  const n = raw[8];
  if (n < 1 || n > 32 || raw.length !== 137 + n) throw invalid('malformed unit key certificate');
  let level = '';
  for (let i = 0; i < n; i++) {
    const c = raw[9 + i];
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f)) throw invalid('malformed unit key certificate');
    level += String.fromCharCode(c);
  }
  const o = 9 + n;
  const notBefore = readU64be(raw, o + 48);
  const notAfter = readU64be(raw, o + 56);
  if (notAfter > BigInt(MAX_SECONDS)) throw invalid('unit key certificate: times beyond 2^53-1 seconds are not supported');
  if (notBefore >= notAfter) throw invalid('malformed unit key certificate');
  return {
    certificate: {
      unitId: readU32be(raw, 0),
      parentId: readU32be(raw, 4),
      level,
      keyId: copyOf(raw, o, o + 16),
      publicKey: copyOf(raw, o + 16, o + 48),
      notBefore: Number(notBefore),
      notAfter: Number(notAfter),
    },
    signedLength: o + 64,
  };
}

/**
 * Reads a unit key certificate WITHOUT verifying it: exact length, level
 * characters, not_before < not_after, no trailing bytes.
 * @param {Uint8Array | string} certificate raw bytes or base64url
 * @returns {UnitKeyCertificate} (copies; keyId not checked)
 * @throws {CluelineCryptoError} invalid_argument
 */
export function parseUnitKeyCertificate(certificate) {
  return parseCertificate(certificateBytes(certificate)).certificate;
}

/**
 * Verifies a unit key certificate (spec §3.1 check 2 and the key id of
 * check 3): it parses, its signature verifies under deploymentPublicKey,
 * and its key id is BLAKE2b-16 of its public key. Says nothing about which
 * unit or which time it is checked for: see verifiedUnitKeys.
 * @param {Uint8Array | string} certificate raw bytes or base64url
 * @param {Uint8Array} deploymentPublicKey 32-byte Ed25519 deployment signing public key
 * @returns {UnitKeyCertificate}
 * @throws {CluelineCryptoError} invalid_argument (malformed), authentication_failed (signature, key id)
 */
export function verifyUnitKeyCertificate(certificate, deploymentPublicKey) {
  const raw = certificateBytes(certificate);
  bytesArg(deploymentPublicKey, 'deploymentPublicKey', 32);
  const { certificate: cert, signedLength } = parseCertificate(raw);
  let ok = false;
  try {
    ok = S().crypto_sign_verify_detached(raw.subarray(signedLength), concat(UNIT_KEY_CERT_DOMAIN, raw.subarray(0, signedLength)), deploymentPublicKey);
  } catch {
    ok = false;
  }
  if (ok !== true) throw authFailed();
  if (!sameBytes(keyId(cert.publicKey), cert.keyId)) throw authFailed();
  return cert;
}

/**
 * @typedef {{nowSeconds?: number}} KeyCheckOptions
 *   nowSeconds: the client's clock in Unix seconds (default Math.floor(Date.now() / 1000))
 * @typedef {{key_id?: string, public_key: string, certificate: string}} ServedUnitKey
 *   one key as the server names it (base64url fields)
 */

function nowOption(options) {
  const now = options?.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (!isUint(now, MAX_SECONDS)) throw invalid('nowSeconds must be an integer 0..2^53-1');
  return now;
}

/** A base64url field of a server answer, decoded, of exactly len bytes. */
function servedBytes(value, len, name) {
  if (typeof value !== 'string') throw invalid(`${name}: base64url string expected`);
  let out;
  try {
    out = base64urlDecode(value);
  } catch {
    throw invalid(`${name}: malformed base64url`);
  }
  if (out.length !== len) throw invalid(`${name}: ${len} bytes expected`);
  return out;
}

function secondsText(t) {
  return t * 1000 <= 8.64e15 ? new Date(t * 1000).toISOString() : `${t} s`;
}

function notVouched(label) {
  return new CluelineCryptoError('authentication_failed', `${label}: key not vouched for by the deployment key`);
}

/**
 * The public keys of one unit, each checked against its certificate as
 * spec §3.1 says (checks 2–4; check 1, the deployment key against the site
 * token, is the caller's: verifiedRouteKeys and verifiedFollowupKeys do it).
 * For every key: the certificate verifies under deploymentPublicKey, its
 * key id is that of its public key, its public key is the key served, its
 * unit id is the unit's id, its level the unit's level, and
 * notBefore ≤ now ≤ notAfter. A served key_id, if present, must be the
 * key's id. One key that fails refuses the whole unit.
 * @param {{id?: number, unit_id?: number, name?: string, unit_name?: string, level: string, keys: ServedUnitKey[]}} unit
 *   a unit as the server's JSON gives it (id or unit_id)
 * @param {Uint8Array} deploymentPublicKey 32 bytes, already checked against the site token
 * @param {KeyCheckOptions} [options]
 * @returns {Uint8Array[]} the units' X25519 public keys, in the order served
 * @throws {CluelineCryptoError} invalid_argument (a malformed unit, key or certificate, no keys),
 *   authentication_failed (a key without certificate, a certificate that does not verify or does
 *   not fit the key or the unit, or that is not valid now; the message names the unit)
 */
export function verifiedUnitKeys(unit, deploymentPublicKey, options = {}) {
  const now = nowOption(options);
  bytesArg(deploymentPublicKey, 'deploymentPublicKey', 32);
  if (unit === null || typeof unit !== 'object') throw invalid('unit: object expected');
  const unitId = unit.id ?? unit.unit_id;
  if (!isUint(unitId, 0xffffffff)) throw invalid('unit: id must be a u32');
  const name = unit.name ?? unit.unit_name;
  const label = typeof name === 'string' ? `unit ${unitId} (${name})` : `unit ${unitId}`;
  if (typeof unit.level !== 'string') throw invalid(`${label}: level expected`);
  if (!Array.isArray(unit.keys) || unit.keys.length === 0) throw invalid(`${label}: no keys`);
  return unit.keys.map((key, i) => {
    const where = `${label}: keys[${i}]`;
    if (key === null || typeof key !== 'object') throw invalid(`${where}: object expected`);
    const publicKey = servedBytes(key.public_key, 32, `${where}.public_key`);
    if (key.key_id !== undefined && !sameBytes(servedBytes(key.key_id, 16, `${where}.key_id`), keyId(publicKey))) throw notVouched(label);
    if (key.certificate === undefined || key.certificate === null || key.certificate === '') {
      throw new CluelineCryptoError('authentication_failed', `${label}: key without certificate`);
    }
    let certificate = key.certificate;
    if (typeof certificate === 'string') {
      try {
        certificate = base64urlDecode(certificate);
      } catch {
        throw invalid(`${where}.certificate: malformed base64url`);
      }
    } else if (!(certificate instanceof Uint8Array)) {
      throw invalid(`${where}.certificate: base64url string expected`);
    }
    let cert;
    try {
      cert = verifyUnitKeyCertificate(certificate, deploymentPublicKey);
    } catch (e) {
      if (e instanceof CluelineCryptoError && e.code === 'authentication_failed') throw notVouched(label);
      throw e;
    }
    if (!sameBytes(cert.publicKey, publicKey) || cert.unitId !== unitId || cert.level !== unit.level) throw notVouched(label);
    if (now < cert.notBefore) {
      throw new CluelineCryptoError('authentication_failed', `${label}: key certificate not valid before ${secondsText(cert.notBefore)}`);
    }
    if (now > cert.notAfter) {
      throw new CluelineCryptoError('authentication_failed', `${label}: key certificate expired at ${secondsText(cert.notAfter)}`);
    }
    return publicKey;
  });
}

/**
 * Check 1 of spec §3.1: the answer's deployment_key has the fingerprint the
 * site token names, and the token verifies under it. Returns the key.
 */
function verifiedDeploymentKey(answer, token, what) {
  if (answer === null || typeof answer !== 'object') throw invalid(`${what}: object expected`);
  const deploymentKey = servedBytes(answer.deployment_key, 32, `${what}.deployment_key`);
  const tokenBytes = parseSiteToken(token).bytes;
  try {
    verifySiteTokenBytes(tokenBytes, deploymentKey);
  } catch (e) {
    if (e instanceof CluelineCryptoError && e.code === 'authentication_failed') {
      throw new CluelineCryptoError('authentication_failed', `${what}: deployment_key is not the key the site token names`);
    }
    throw e;
  }
  return deploymentKey;
}

/**
 * The keys to seal a report to (sealEnvelope's recipientPublicKeys), from
 * the answer of GET /api/v1/route, after every check of spec §3.1 (§5.1):
 * route.deployment_key must have the fingerprint of the site token the
 * reporter scanned and the token must verify under it; then every key of
 * every recipient must pass verifiedUnitKeys. Nothing is returned unless
 * everything passes.
 * @param {{deployment_key: string, recipients: Array<{unit_id: number, unit_name?: string, level: string, role?: string, keys: ServedUnitKey[]}>}} route
 * @param {string | Uint8Array} token the site token (115 characters or 86 bytes)
 * @param {KeyCheckOptions} [options]
 * @returns {Uint8Array[]} the public keys, recipient by recipient, in the order served
 * @throws {CluelineCryptoError} invalid_argument (a malformed answer or token),
 *   authentication_failed (any check of §3.1)
 */
export function verifiedRouteKeys(route, token, options = {}) {
  const nowSeconds = nowOption(options);
  const deploymentKey = verifiedDeploymentKey(route, token, 'route');
  if (!Array.isArray(route.recipients) || route.recipients.length === 0) throw invalid('route: no recipients');
  const keys = [];
  for (const recipient of route.recipients) keys.push(...verifiedUnitKeys(recipient, deploymentKey, { nowSeconds }));
  return keys;
}

/**
 * The keys to seal a follow-up message to (sealPayload('message', …)),
 * from the answer of GET /api/v1/followup: followup.deployment_key is
 * checked against the site token the reporter keeps (any poster of the
 * deployment), then the keys of followup.unit as verifiedUnitKeys does.
 * @param {{deployment_key: string, unit: {id: number, name?: string, level: string, keys: ServedUnitKey[]}}} followup
 * @param {string | Uint8Array} token the site token (115 characters or 86 bytes)
 * @param {KeyCheckOptions} [options]
 * @returns {Uint8Array[]} the unit's public keys, in the order served
 * @throws {CluelineCryptoError} invalid_argument (a malformed answer or token),
 *   authentication_failed (any check of §3.1)
 */
export function verifiedFollowupKeys(followup, token, options = {}) {
  const nowSeconds = nowOption(options);
  const deploymentKey = verifiedDeploymentKey(followup, token, 'followup');
  if (followup.unit === null || typeof followup.unit !== 'object') throw invalid('followup: unit expected');
  return verifiedUnitKeys(followup.unit, deploymentKey, { nowSeconds });
}

// ---------------------------------------------------------------------------
// Proof of work (spec §7)

export const POW_CHALLENGE_BYTES = 32;
export const POW_NONCE_BYTES = 8;
export const POW_MAX_DIFFICULTY = 32;
/** How many hashes solvePow tries between two onProgress calls. */
export const POW_PROGRESS_INTERVAL = 65536;

function checkDifficulty(d) {
  if (!isUint(d, POW_MAX_DIFFICULTY)) throw invalid('pow: difficulty must be an integer 0..32');
}

/**
 * Number of leading zero bits of bytes, counted from the most significant
 * bit of byte 0.
 * @param {Uint8Array} bytes
 * @returns {number}
 */
export function leadingZeroBits(bytes) {
  bytesArg(bytes, 'bytes');
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0) {
      n += 8;
      continue;
    }
    return n + Math.clz32(b) - 24;
  }
  return n;
}

/**
 * True iff BLAKE2b-32(challenge ‖ nonce) starts with `difficulty` zero bits.
 * @param {Uint8Array} challenge 32 bytes
 * @param {Uint8Array} nonce 8 bytes
 * @param {number} difficulty 0..32
 * @returns {boolean}
 */
export function verifyPow(challenge, nonce, difficulty) {
  bytesArg(challenge, 'challenge', POW_CHALLENGE_BYTES);
  bytesArg(nonce, 'nonce', POW_NONCE_BYTES);
  checkDifficulty(difficulty);
  return leadingZeroBits(blake2b(32, concat(challenge, nonce))) >= difficulty;
}

/**
 * Finds the first nonce = u64be(counter), counter = 0, 1, 2, ..., for which
 * verifyPow(challenge, nonce, difficulty) holds; identical to the C++ solver.
 * Synchronous: a page runs it in a Worker, which can post onProgress's
 * counts to show that the search is moving.
 * @param {Uint8Array} challenge 32 bytes
 * @param {number} difficulty 0..32 (expected work: 2^difficulty hashes)
 * @param {{onProgress?: (hashesTried: number) => void}} [options]
 *   onProgress, if a function, is called synchronously after every
 *   POW_PROGRESS_INTERVAL (65,536) hashes that found no solution, with the
 *   number of hashes tried so far (65536, 131072, ...). It never changes the
 *   result; whatever it throws ends the search and reaches the caller
 *   unchanged (the way to abandon a search).
 * @returns {Uint8Array} 8 bytes
 * @throws {CluelineCryptoError} invalid_argument (challenge length, difficulty, options not an object)
 */
export function solvePow(challenge, difficulty, options = {}) {
  bytesArg(challenge, 'challenge', POW_CHALLENGE_BYTES);
  checkDifficulty(difficulty);
  if (options !== null && typeof options !== 'object') throw invalid('pow: options must be an object');
  const onProgress = typeof options?.onProgress === 'function' ? options.onProgress : null;
  const hash = S().crypto_generichash;
  const buf = new Uint8Array(40);
  buf.set(challenge, 0);
  const fullBytes = difficulty >>> 3;
  const mask = (0xff00 >>> (difficulty & 7)) & 0xff; // the top (difficulty % 8) bits
  let hi = 0;
  let lo = 0;
  for (;;) {
    buf[32] = hi >>> 24; buf[33] = hi >>> 16; buf[34] = hi >>> 8; buf[35] = hi;
    buf[36] = lo >>> 24; buf[37] = lo >>> 16; buf[38] = lo >>> 8; buf[39] = lo;
    const h = hash(32, buf, null);
    let ok = true;
    for (let i = 0; i < fullBytes; i++) {
      if (h[i] !== 0) {
        ok = false;
        break;
      }
    }
    if (ok && (h[fullBytes] & mask) === 0) return buf.slice(32, 40);
    if (onProgress !== null && (lo & (POW_PROGRESS_INTERVAL - 1)) === POW_PROGRESS_INTERVAL - 1) {
      onProgress(hi * 4294967296 + lo + 1);
    }
    lo = (lo + 1) >>> 0;
    if (lo === 0) {
      hi = (hi + 1) >>> 0;
      if (hi === 0) throw invalid('pow: no solution'); // 2^64 hashes: unreachable
    }
  }
}

// ---------------------------------------------------------------------------
// Argon2id (crypto_pwhash, ALG_ARGON2ID13)

// Imported on first use so that a page which never derives a key never
// downloads it. The specifier stays bare so that the asset build can rewrite
// it to the served path.
/** @type {Promise<Function> | null} */
let argon2idModule = null;

function loadArgon2id() {
  if (argon2idModule === null) {
    const loading = import('hash-wasm').then((m) => {
      if (typeof m.argon2id !== 'function') throw new Error('hash-wasm exports no argon2id');
      return m.argon2id;
    });
    // A failed load (a page gone offline) is not kept, so the next call retries.
    loading.catch(() => {
      if (argon2idModule === loading) argon2idModule = null;
    });
    argon2idModule = loading;
  }
  return argon2idModule;
}

/**
 * crypto_pwhash(outlen, password, salt, opslimit, memlimit, ALG_ARGON2ID13),
 * which is Argon2id v1.3 with one lane, no secret and no associated data, and
 * memlimit counted in whole KiB (libsodium divides by 1024 and drops the rest).
 * Callers have checked the ranges and that password is not empty (hash-wasm
 * refuses an empty password, libsodium does not).
 * @returns {Promise<Uint8Array>} outlen bytes
 */
async function argon2id(outlen, password, salt, opslimit, memlimit) {
  let hash;
  try {
    hash = await loadArgon2id();
  } catch (e) {
    throw invalid(`Argon2id: hash-wasm could not be loaded (${e?.message ?? e})`);
  }
  try {
    return await hash({
      password,
      salt,
      iterations: opslimit,
      parallelism: 1,
      memorySize: Math.floor(memlimit / 1024),
      hashLength: outlen,
      outputType: 'binary',
    });
  } catch (e) {
    // What is left after the callers' checks: the memory could not be had.
    throw invalid(`Argon2id failed (${e?.message ?? e})`);
  }
}

// ---------------------------------------------------------------------------
// Receipt (spec §6)

export const RECEIPT_DIGITS = 25;
export const RECEIPT_OPSLIMIT = 2;
export const RECEIPT_MEMLIMIT = 67108864;
const RECEIPT_RE = /^[0-9]{25}$/;

/**
 * New receipt: 25 decimal digits, each from randombytes_uniform(10).
 * @returns {string} 25 ASCII digits (use formatReceipt to show it)
 */
export function generateReceipt() {
  const s = S();
  let out = '';
  for (let i = 0; i < RECEIPT_DIGITS; i++) out += String.fromCharCode(48 + s.randombytes_uniform(10));
  return out;
}

/**
 * A typed-back receipt with its spaces (U+0020) and hyphens (U+002D)
 * removed; anything but 25 ASCII digits then is refused.
 * @param {string} typed
 * @returns {string} 25 digits
 * @throws {CluelineCryptoError} invalid_argument
 */
export function normalizeReceipt(typed) {
  if (typeof typed !== 'string') throw invalid('receipt: string expected');
  const digits = typed.replace(/[ -]/g, '');
  if (!RECEIPT_RE.test(digits)) throw invalid('receipt: 25 digits expected');
  return digits;
}

/**
 * Receipt for display: 5 groups of 5 digits joined by hyphens.
 * @param {string} digits a receipt (normalised first)
 * @returns {string} e.g. "12345-67890-12345-67890-12345"
 */
export function formatReceipt(digits) {
  const d = normalizeReceipt(digits);
  return [0, 5, 10, 15, 20].map((i) => d.slice(i, i + 5)).join('-');
}

/**
 * BLAKE2b-32(lookupKey): the value the envelope carries and the server indexes.
 * @param {Uint8Array} lookupKey 32 bytes
 * @returns {Uint8Array} 32 bytes
 */
export function receiptLookupHash(lookupKey) {
  bytesArg(lookupKey, 'lookupKey', 32);
  return blake2b(32, lookupKey);
}

/**
 * Derives the receipt's keys: out = Argon2id13(receipt digits, deployment salt,
 * opslimit 2, memlimit 64 MiB, 64 bytes); lookupKey = out[0..32];
 * reply key pair = crypto_box_seed_keypair(out[32..64]);
 * lookupHash = BLAKE2b-32(lookupKey). Slow (Argon2id, 64 MiB): call it from a Worker.
 * @param {string} receipt 25 digits (spaces and hyphens allowed, see normalizeReceipt)
 * @param {Uint8Array} deploymentSalt 16 bytes
 * @returns {Promise<{lookupKey: Uint8Array, lookupHash: Uint8Array, replyKeyPair: KeyPair}>}
 * @throws {CluelineCryptoError} (as a rejection) invalid_argument
 */
export async function deriveReceiptKeys(receipt, deploymentSalt) {
  const s = S();
  const digits = normalizeReceipt(receipt);
  bytesArg(deploymentSalt, 'deploymentSalt', 16);
  const password = ascii(digits);
  let out, seed;
  try {
    out = await argon2id(64, password, deploymentSalt, RECEIPT_OPSLIMIT, RECEIPT_MEMLIMIT);
    seed = out.slice(32, 64);
    const lookupKey = out.slice(0, 32);
    const kp = s.crypto_box_seed_keypair(seed);
    return {
      lookupKey,
      lookupHash: blake2b(32, lookupKey),
      replyKeyPair: { publicKey: kp.publicKey, secretKey: kp.privateKey },
    };
  } finally {
    wipe(password, out, seed);
  }
}

// ---------------------------------------------------------------------------
// Padding (spec §1, §4)

/** Allowed padded sizes of a sealed payload's plaintext. */
export const PAYLOAD_BUCKETS = Object.freeze([1024, 4096, 16384, 65536, 262144]);
/** Largest plaintext a payload can carry (plaintexts of 262144 bytes or more are refused). */
export const PAYLOAD_MAX_PLAINTEXT = 262143;

/**
 * sodium_pad(m, B) with B the smallest bucket strictly larger than len(m);
 * the result is exactly B bytes.
 * @param {Uint8Array} plaintext at most 262143 bytes
 * @returns {Uint8Array}
 */
export function padToBucket(plaintext) {
  bytesArg(plaintext, 'plaintext');
  const bucket = PAYLOAD_BUCKETS.find((b) => b > plaintext.length);
  if (bucket === undefined) throw invalid('payload: plaintext too large');
  const padded = S().pad(plaintext, bucket);
  if (padded.length !== bucket) throw invalid('payload: padding');
  return padded;
}

/**
 * sodium_unpad with block size len(padded); len(padded) must be a bucket.
 * @param {Uint8Array} padded
 * @returns {Uint8Array} the plaintext (a copy)
 * @throws {CluelineCryptoError} invalid_argument (not a bucket), authentication_failed (bad padding)
 */
export function unpad(padded) {
  bytesArg(padded, 'padded');
  if (!PAYLOAD_BUCKETS.includes(padded.length)) throw invalid('payload: not a bucket size');
  return unpadBlock(padded, padded.length);
}

function unpadBlock(padded, blockSize) {
  let inner;
  try {
    inner = S().unpad(padded, blockSize);
  } catch {
    throw authFailed();
  }
  const out = new Uint8Array(inner); // inner views a private copy of padded
  wipe(inner);
  return out;
}

// ---------------------------------------------------------------------------
// Sealed payload (spec §4)

export const MAX_RECIPIENTS = 16;
const KEY_ENTRY_BYTES = 16 + 80;
const PAYLOAD_DOMAINS = Object.freeze({
  envelope: ascii('clueline/envelope/v1'),
  message: ascii('clueline/message/v1'),
  reply: ascii('clueline/reply/v1'),
});

function domainBytes(domain) {
  if (typeof domain !== 'string' || !Object.prototype.hasOwnProperty.call(PAYLOAD_DOMAINS, domain)) {
    throw invalid("payload: domain must be 'envelope', 'message' or 'reply'");
  }
  return PAYLOAD_DOMAINS[domain];
}

function checkContext(domain, context) {
  bytesArg(context, 'context');
  if (domain !== 'envelope' && context.length !== 16) throw invalid('payload: context must be the 16-byte clue id');
}

/**
 * @typedef {{keyId: Uint8Array, sealedKey: Uint8Array}} KeyEntry
 *   keyId 16 bytes, sealedKey = crypto_box_seal(data_key, pk) 80 bytes
 * @typedef {{recipients: KeyEntry[], nonce: Uint8Array, header: Uint8Array, ciphertext: Uint8Array}} ParsedPayload
 *   header = u8 n ‖ entries ‖ nonce (the part bound into the associated data)
 */

/**
 * Seals plaintext to 1..16 recipients (exactly 1 for 'reply'):
 * payload = u8 n ‖ (key_id[16] ‖ crypto_box_seal(data_key, pk)[80])·n ‖ nonce[24]
 *           ‖ u32be len(ct) ‖ ct,
 * ct = XChaCha20-Poly1305(pad(m, bucket), ad = D ‖ context ‖ header, nonce, data_key).
 * @param {'envelope' | 'message' | 'reply'} domain
 * @param {Uint8Array} context envelope bytes before the payload ('envelope') or the 16-byte clue id
 * @param {Uint8Array[]} recipientPublicKeys 32-byte X25519 keys with distinct key ids
 * @param {Uint8Array | string} plaintext bytes, or a string sealed as UTF-8; < 262144 bytes
 * @returns {Uint8Array}
 */
export function sealPayload(domain, context, recipientPublicKeys, plaintext) {
  const s = S();
  const d = domainBytes(domain);
  checkContext(domain, context);
  if (!Array.isArray(recipientPublicKeys)) throw invalid('payload: recipients must be an array');
  const n = recipientPublicKeys.length;
  if (n < 1 || n > MAX_RECIPIENTS) throw invalid('payload: 1..16 recipients expected');
  if (domain === 'reply' && n !== 1) throw invalid('payload: a reply has exactly one recipient');
  const ids = recipientPublicKeys.map((pk, i) => keyId(bytesArg(pk, `recipient ${i}`, 32)));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) if (equalBytes(ids[i], ids[j])) throw invalid('payload: duplicate recipient');
  }
  const m = typeof plaintext === 'string' ? utf8(plaintext, 'plaintext') : bytesArg(plaintext, 'plaintext');
  const padded = padToBucket(m);
  if (typeof plaintext === 'string') wipe(m);
  const dataKey = s.randombytes_buf(32);
  try {
    const nonce = s.randombytes_buf(24);
    const parts = [u8(n)];
    for (let i = 0; i < n; i++) {
      let sealed;
      try {
        sealed = s.crypto_box_seal(dataKey, recipientPublicKeys[i]);
      } catch {
        throw invalid(`payload: recipient ${i} is not a usable public key`);
      }
      parts.push(ids[i], sealed);
    }
    parts.push(nonce);
    const header = concat(...parts);
    const ct = s.crypto_aead_xchacha20poly1305_ietf_encrypt(padded, concat(d, context, header), null, nonce, dataKey);
    return concat(header, u32be(ct.length), ct);
  } finally {
    wipe(dataKey, padded);
  }
}

/**
 * Parses a payload's structure (no cryptography): 1..16 entries with
 * distinct key ids, a ciphertext of a bucket size + 16, no trailing bytes.
 * @param {Uint8Array} payload
 * @returns {ParsedPayload} (copies)
 * @throws {CluelineCryptoError} invalid_argument
 */
export function parsePayload(payload) {
  bytesArg(payload, 'payload');
  const len = payload.length;
  if (len < 1) throw invalid('malformed payload');
  const n = payload[0];
  if (n < 1 || n > MAX_RECIPIENTS) throw invalid('malformed payload');
  const headerLen = 1 + KEY_ENTRY_BYTES * n + 24;
  if (len < headerLen + 4) throw invalid('malformed payload');
  const ctLen = readU32be(payload, headerLen);
  if (!PAYLOAD_BUCKETS.includes(ctLen - 16)) throw invalid('malformed payload');
  if (len !== headerLen + 4 + ctLen) throw invalid('malformed payload');
  const recipients = [];
  for (let i = 0; i < n; i++) {
    const o = 1 + KEY_ENTRY_BYTES * i;
    const id = copyOf(payload, o, o + 16);
    for (const r of recipients) if (equalBytes(r.keyId, id)) throw invalid('malformed payload');
    recipients.push({ keyId: id, sealedKey: copyOf(payload, o + 16, o + KEY_ENTRY_BYTES) });
  }
  return {
    recipients,
    nonce: copyOf(payload, headerLen - 24, headerLen),
    header: copyOf(payload, 0, headerLen),
    ciphertext: copyOf(payload, headerLen + 4),
  };
}

function normaliseEntries(extra) {
  if (extra === undefined || extra === null) return [];
  if (!Array.isArray(extra)) throw invalid('extraKeyEntries must be an array');
  return extra.map((e, i) => {
    if (e instanceof Uint8Array) {
      bytesArg(e, `extraKeyEntries[${i}]`, KEY_ENTRY_BYTES);
      return { keyId: e.subarray(0, 16), sealedKey: e.subarray(16) };
    }
    if (e === null || typeof e !== 'object') throw invalid(`extraKeyEntries[${i}]: entry expected`);
    return { keyId: bytesArg(e.keyId, `extraKeyEntries[${i}].keyId`, 16), sealedKey: bytesArg(e.sealedKey, `extraKeyEntries[${i}].sealedKey`, 80) };
  });
}

/** Finds and opens this key pair's entry; returns the data key or throws authentication_failed. */
function openEntry(parsed, keyPair, extraEntries) {
  const s = S();
  const id = keyId(keyPair.publicKey);
  const entry = parsed.recipients.find((r) => equalBytes(r.keyId, id)) ?? extraEntries.find((r) => equalBytes(r.keyId, id));
  if (entry === undefined) throw authFailed();
  let dataKey;
  try {
    dataKey = s.crypto_box_seal_open(entry.sealedKey, keyPair.publicKey, keyPair.secretKey);
  } catch {
    throw authFailed();
  }
  if (!(dataKey instanceof Uint8Array) || dataKey.length !== 32) {
    wipe(dataKey);
    throw authFailed();
  }
  return dataKey;
}

/**
 * @typedef {{extraKeyEntries?: Array<Uint8Array | KeyEntry>}} OpenOptions
 *   extraKeyEntries: key entries added after sealing by a transfer (§9,
 *   resealDataKey; each key_id[16] ‖ sealed[80]). They are consulted when
 *   the key pair's id is not in the payload header; the AEAD still binds
 *   the original header.
 */

/**
 * Opens a sealed payload with a recipient's key pair.
 * @param {'envelope' | 'message' | 'reply'} domain
 * @param {Uint8Array} context as given to sealPayload
 * @param {Uint8Array} payload
 * @param {KeyPair} keyPair X25519
 * @param {OpenOptions} [options]
 * @returns {Uint8Array} plaintext
 * @throws {CluelineCryptoError} invalid_argument (malformed), authentication_failed (any other failure)
 */
export function openPayload(domain, context, payload, keyPair, options = {}) {
  const s = S();
  const d = domainBytes(domain);
  checkContext(domain, context);
  checkBoxKeyPair(keyPair, 'keyPair');
  const extra = normaliseEntries(options?.extraKeyEntries);
  const parsed = parsePayload(payload);
  if (domain === 'reply' && parsed.recipients.length !== 1) throw invalid('malformed payload');
  const dataKey = openEntry(parsed, keyPair, extra);
  let padded;
  try {
    try {
      padded = s.crypto_aead_xchacha20poly1305_ietf_decrypt(null, parsed.ciphertext, concat(d, context, parsed.header), parsed.nonce, dataKey);
    } catch {
      throw authFailed();
    }
    return unpadBlock(padded, parsed.ciphertext.length - 16);
  } finally {
    wipe(dataKey, padded);
  }
}

/**
 * Recovers a payload's 32-byte data key with a recipient's key pair (for a
 * transfer, §9). It does not check the payload's AEAD: open the payload
 * first if its authenticity matters.
 * @param {Uint8Array} payload
 * @param {KeyPair} keyPair
 * @param {OpenOptions} [options]
 * @returns {Uint8Array} 32 bytes (wipe after use)
 */
export function openDataKey(payload, keyPair, options = {}) {
  checkBoxKeyPair(keyPair, 'keyPair');
  const extra = normaliseEntries(options?.extraKeyEntries);
  return openEntry(parsePayload(payload), keyPair, extra);
}

/**
 * Seals a data key again to a new unit key (transfer, §9).
 * @param {Uint8Array} dataKey 32 bytes
 * @param {Uint8Array} newPublicKey 32 bytes
 * @returns {{keyId: Uint8Array, sealedKey: Uint8Array, entry: Uint8Array}}
 *   entry = keyId[16] ‖ sealedKey[80], the 96 bytes to upload
 */
export function resealDataKey(dataKey, newPublicKey) {
  bytesArg(dataKey, 'dataKey', 32);
  const id = keyId(newPublicKey);
  let sealed;
  try {
    sealed = S().crypto_box_seal(dataKey, newPublicKey);
  } catch {
    throw invalid('newPublicKey is not a usable public key');
  }
  return { keyId: id, sealedKey: sealed, entry: concat(id, sealed) };
}

// ---------------------------------------------------------------------------
// Envelope (spec §5)

const ENVELOPE_MAGIC = ascii('CLE2');
const ROUTING_CHAR = /^[a-z0-9_]*$/;

function checkRoutingField(value, name, min) {
  if (typeof value !== 'string' || value.length < min || value.length > 32 || !ROUTING_CHAR.test(value)) {
    throw invalid(`envelope: ${name} must be ${min}..32 characters of [a-z0-9_]`);
  }
  return ascii(value);
}

/**
 * @typedef {object} EnvelopeFields
 * @property {Uint8Array | string} siteToken  86 raw bytes or the 115-character token (not verified here)
 * @property {string} category                1..32 of [a-z0-9_]
 * @property {string} [accusedLevel]          0..32 of [a-z0-9_]; '' (default) = unknown
 * @property {Uint8Array} replyPublicKey      32 bytes (§6)
 * @property {Uint8Array} receiptLookupHash   32 bytes (§6)
 * @property {Uint8Array} powChallenge        32 bytes (§7)
 * @property {Uint8Array} powNonce            8 bytes (§7)
 */

/**
 * Builds a report envelope:
 * "CLE2" ‖ token[86] ‖ u8 len ‖ category ‖ u8 len ‖ accused_level ‖ reply_pk[32]
 * ‖ lookup_hash[32] ‖ pow_challenge[32] ‖ pow_nonce[8] ‖ payload, where the
 * payload is sealPayload('envelope', <all preceding bytes>, recipients, body).
 * @param {EnvelopeFields} fields
 * @param {Uint8Array[]} recipientPublicKeys
 * @param {string | Uint8Array} body the report body JSON (a string is sealed as UTF-8)
 * @returns {Uint8Array}
 */
export function sealEnvelope(fields, recipientPublicKeys, body) {
  if (fields === null || typeof fields !== 'object') throw invalid('envelope: fields expected');
  const token = parseSiteToken(fields.siteToken).bytes;
  const category = checkRoutingField(fields.category, 'category', 1);
  const level = checkRoutingField(fields.accusedLevel ?? '', 'accusedLevel', 0);
  const prefix = concat(
    ENVELOPE_MAGIC,
    token,
    u8(category.length), category,
    u8(level.length), level,
    bytesArg(fields.replyPublicKey, 'replyPublicKey', 32),
    bytesArg(fields.receiptLookupHash, 'receiptLookupHash', 32),
    bytesArg(fields.powChallenge, 'powChallenge', 32),
    bytesArg(fields.powNonce, 'powNonce', 8),
  );
  return concat(prefix, sealPayload('envelope', prefix, recipientPublicKeys, body));
}

/**
 * @typedef {object} ParsedEnvelope
 * @property {Uint8Array} siteToken     86 raw bytes (unverified)
 * @property {number} siteId
 * @property {number} tokenVersion
 * @property {string} category
 * @property {string} accusedLevel      '' = unknown
 * @property {Uint8Array} replyPublicKey
 * @property {Uint8Array} receiptLookupHash
 * @property {Uint8Array} powChallenge
 * @property {Uint8Array} powNonce
 * @property {Uint8Array} context       every envelope byte before the payload
 * @property {Uint8Array} payload       the sealed payload bytes
 * @property {Uint8Array[]} recipientKeyIds
 */

/**
 * Parses an envelope's structure (no cryptography, no token verification).
 * @param {Uint8Array} envelope
 * @returns {ParsedEnvelope} (copies)
 * @throws {CluelineCryptoError} invalid_argument
 */
export function parseEnvelope(envelope) {
  bytesArg(envelope, 'envelope');
  const b = envelope;
  let o = 0;
  const need = (k) => {
    if (b.length - o < k) throw invalid('malformed envelope');
  };
  need(4 + SITE_TOKEN_BYTES + 1);
  if (!equalBytes(b.subarray(0, 4), ENVELOPE_MAGIC)) throw invalid('malformed envelope');
  o = 4;
  const siteToken = copyOf(b, o, o + SITE_TOKEN_BYTES);
  o += SITE_TOKEN_BYTES;
  const readRouting = (min) => {
    need(1);
    const n = b[o++];
    if (n < min || n > 32) throw invalid('malformed envelope');
    need(n);
    let s = '';
    for (let i = 0; i < n; i++) {
      const c = b[o + i];
      if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f)) throw invalid('malformed envelope');
      s += String.fromCharCode(c);
    }
    o += n;
    return s;
  };
  const category = readRouting(1);
  const accusedLevel = readRouting(0);
  need(32 + 32 + 32 + 8);
  const replyPublicKey = copyOf(b, o, o + 32); o += 32;
  const receiptLookupHash = copyOf(b, o, o + 32); o += 32;
  const powChallenge = copyOf(b, o, o + 32); o += 32;
  const powNonce = copyOf(b, o, o + 8); o += 8;
  const context = copyOf(b, 0, o);
  const payload = copyOf(b, o);
  const parsed = parsePayload(payload);
  return {
    siteToken,
    siteId: readU32be(siteToken, 0),
    tokenVersion: readU16be(siteToken, 4),
    category,
    accusedLevel,
    replyPublicKey,
    receiptLookupHash,
    powChallenge,
    powNonce,
    context,
    payload,
    recipientKeyIds: parsed.recipients.map((r) => r.keyId),
  };
}

/**
 * Opens an envelope's report body with a unit key pair.
 * @param {Uint8Array} envelope
 * @param {KeyPair} unitKeyPair
 * @param {OpenOptions} [options]
 * @returns {string} the body (UTF-8 JSON text)
 * @throws {CluelineCryptoError} invalid_argument (malformed, or a body that is not UTF-8), authentication_failed
 */
export function openEnvelope(envelope, unitKeyPair, options = {}) {
  const env = parseEnvelope(envelope);
  const body = openPayload('envelope', env.context, env.payload, unitKeyPair, options);
  try {
    return utf8Decoder.decode(body);
  } catch {
    throw invalid('envelope: body is not UTF-8');
  } finally {
    wipe(body);
  }
}

// ---------------------------------------------------------------------------
// Attachments (spec §8)

export const ATTACHMENT_CHUNK_BYTES = 65536;
const ATTACHMENT_HEADER_BYTES = 24;
const ATTACHMENT_CIPHER_CHUNK_BYTES = ATTACHMENT_CHUNK_BYTES + 17;

/**
 * New random 32-byte attachment key.
 * @returns {Uint8Array}
 */
export function generateAttachmentKey() {
  return S().randombytes_buf(32);
}

/** Wipes and frees a secretstream state the wrapper allocated and never frees. */
function releaseStreamState(state) {
  const lib = S().libsodium;
  if (lib && lib.HEAPU8 instanceof Uint8Array && typeof lib._free === 'function' && Number.isInteger(state)) {
    lib.HEAPU8.fill(0, state, state + 52);
    lib._free(state);
  }
}

/**
 * Encrypts a file: stream = header[24] ‖ chunk_1 ‖ … ‖ chunk_k with
 * plaintext = sodium_pad(file, 65536) cut into 65536-byte chunks, each pushed
 * with crypto_secretstream_xchacha20poly1305 (tag MESSAGE, FINAL on the
 * last). Output length 24 + k·65553.
 * @param {Uint8Array} fileBytes
 * @param {Uint8Array} key 32 bytes
 * @returns {Uint8Array}
 */
export function encryptAttachment(fileBytes, key) {
  const s = S();
  bytesArg(fileBytes, 'fileBytes');
  bytesArg(key, 'key', 32);
  const padded = s.pad(fileBytes, ATTACHMENT_CHUNK_BYTES);
  const k = padded.length / ATTACHMENT_CHUNK_BYTES;
  const { state, header } = s.crypto_secretstream_xchacha20poly1305_init_push(key);
  try {
    const out = new Uint8Array(ATTACHMENT_HEADER_BYTES + k * ATTACHMENT_CIPHER_CHUNK_BYTES);
    out.set(header, 0);
    for (let i = 0; i < k; i++) {
      const tag = i === k - 1 ? s.crypto_secretstream_xchacha20poly1305_TAG_FINAL : s.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
      const chunk = padded.subarray(i * ATTACHMENT_CHUNK_BYTES, (i + 1) * ATTACHMENT_CHUNK_BYTES);
      const c = s.crypto_secretstream_xchacha20poly1305_push(state, chunk, null, tag);
      out.set(c, ATTACHMENT_HEADER_BYTES + i * ATTACHMENT_CIPHER_CHUNK_BYTES);
    }
    return out;
  } finally {
    wipe(padded);
    releaseStreamState(state);
  }
}

/**
 * Decrypts an attachment stream. Refuses (invalid_argument) a length not of
 * the form 24 + k·65553 (k ≥ 1), and (authentication_failed) a chunk that
 * does not decrypt, a tag other than MESSAGE before the last chunk, a last
 * chunk without FINAL, or a bad padding.
 * @param {Uint8Array} stream
 * @param {Uint8Array} key 32 bytes
 * @returns {Uint8Array} the file bytes
 */
export function decryptAttachment(stream, key) {
  const s = S();
  bytesArg(stream, 'stream');
  bytesArg(key, 'key', 32);
  const body = stream.length - ATTACHMENT_HEADER_BYTES;
  if (body < ATTACHMENT_CIPHER_CHUNK_BYTES || body % ATTACHMENT_CIPHER_CHUNK_BYTES !== 0) throw invalid('malformed attachment stream');
  const k = body / ATTACHMENT_CIPHER_CHUNK_BYTES;
  const plain = new Uint8Array(k * ATTACHMENT_CHUNK_BYTES);
  let state;
  try {
    try {
      state = s.crypto_secretstream_xchacha20poly1305_init_pull(stream.subarray(0, ATTACHMENT_HEADER_BYTES), key);
    } catch {
      throw authFailed();
    }
    for (let i = 0; i < k; i++) {
      const o = ATTACHMENT_HEADER_BYTES + i * ATTACHMENT_CIPHER_CHUNK_BYTES;
      let r;
      try {
        r = s.crypto_secretstream_xchacha20poly1305_pull(state, stream.subarray(o, o + ATTACHMENT_CIPHER_CHUNK_BYTES), null);
      } catch {
        r = false;
      }
      if (!r || !(r.message instanceof Uint8Array) || r.message.length !== ATTACHMENT_CHUNK_BYTES) throw authFailed();
      const want = i === k - 1 ? s.crypto_secretstream_xchacha20poly1305_TAG_FINAL : s.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
      plain.set(r.message, i * ATTACHMENT_CHUNK_BYTES);
      wipe(r.message);
      if (r.tag !== want) throw authFailed();
    }
    return unpadBlock(plain, ATTACHMENT_CHUNK_BYTES);
  } finally {
    wipe(plain);
    if (state !== undefined) releaseStreamState(state);
  }
}

// ---------------------------------------------------------------------------
// Supervisor accounts, login and unit key wrapping (spec §9)

/** libsodium's MODERATE limits, the spec's defaults for accounts. */
export const ACCOUNT_KDF_DEFAULTS = Object.freeze({ opslimit: 3, memlimit: 268435456 });
export const ACCOUNT_OPSLIMIT_MIN = 1;
export const ACCOUNT_OPSLIMIT_MAX = 10;
export const ACCOUNT_MEMLIMIT_MIN = 8192;
export const ACCOUNT_MEMLIMIT_MAX = 1073741824;
export const WRAPPED_KEY_BYTES = 116;
const KDF_CONTEXT = 'CLacct01';
const WRAP_MAGIC = ascii('CLK1');
const WRAP_DOMAIN = ascii('clueline/unit-key/v1');
const LOGIN_DOMAIN = ascii('clueline/login/v1');
const ACTIVATE_DOMAIN = ascii('clueline/activate/v1');
const FINGERPRINT_DOMAIN = ascii('clueline/account-fingerprint/v1');

/**
 * @typedef {{opslimit: number, memlimit: number}} KdfParams memlimit in bytes
 * @typedef {{auth: KeyPair, wrapKey: Uint8Array, box: KeyPair}} AccountKeys
 *   auth: Ed25519 login pair; wrapKey: 32 bytes; box: X25519 pair that
 *   receives unit-key grants (§9.4)
 */

function checkKdfParams(params) {
  const p = params ?? ACCOUNT_KDF_DEFAULTS;
  if (typeof p !== 'object') throw invalid('kdf params: object expected');
  const { opslimit, memlimit } = p;
  if (!Number.isInteger(opslimit) || opslimit < ACCOUNT_OPSLIMIT_MIN || opslimit > ACCOUNT_OPSLIMIT_MAX) {
    throw invalid('kdf params: opslimit must be 1..10');
  }
  if (!Number.isInteger(memlimit) || memlimit < ACCOUNT_MEMLIMIT_MIN || memlimit > ACCOUNT_MEMLIMIT_MAX) {
    throw invalid('kdf params: memlimit must be 8192..1073741824 bytes');
  }
  return { opslimit, memlimit };
}

/**
 * master = Argon2id13(NFC(passphrase) as UTF-8, salt, opslimit, memlimit, 32 bytes);
 * auth = crypto_sign_seed_keypair(kdf(1, "CLacct01", master));
 * wrapKey = kdf(2, "CLacct01", master);
 * box.secretKey = kdf(3, "CLacct01", master), box.publicKey = crypto_scalarmult_base(box.secretKey)
 * (kdf = crypto_kdf_derive_from_key, 32 bytes; the box pair is spec §9.4's
 * account box key). Slow by design: call it from a Worker.
 * @param {string} passphrase (NFC-normalised here); not empty, since the
 *   Argon2id library refuses an empty password
 * @param {Uint8Array} salt 16-byte account salt
 * @param {KdfParams} [params] default ACCOUNT_KDF_DEFAULTS; opslimit 1..10, memlimit 8 KiB..1 GiB
 * @returns {Promise<AccountKeys>}
 * @throws {CluelineCryptoError} (as a rejection) invalid_argument
 */
export async function deriveAccountKeys(passphrase, salt, params = ACCOUNT_KDF_DEFAULTS) {
  const s = S();
  if (typeof passphrase !== 'string') throw invalid('passphrase: string expected');
  if (passphrase.length === 0) throw invalid('passphrase: must not be empty');
  bytesArg(salt, 'salt', 16);
  const { opslimit, memlimit } = checkKdfParams(params);
  const password = utf8(passphrase.normalize('NFC'), 'passphrase');
  let master, authSeed;
  try {
    master = await argon2id(32, password, salt, opslimit, memlimit);
    authSeed = s.crypto_kdf_derive_from_key(32, 1, KDF_CONTEXT, master);
    const wrapKey = s.crypto_kdf_derive_from_key(32, 2, KDF_CONTEXT, master);
    const boxSecret = s.crypto_kdf_derive_from_key(32, 3, KDF_CONTEXT, master);
    const kp = s.crypto_sign_seed_keypair(authSeed);
    return {
      auth: { publicKey: kp.publicKey, secretKey: kp.privateKey },
      wrapKey,
      box: { publicKey: s.crypto_scalarmult_base(boxSecret), secretKey: boxSecret },
    };
  } finally {
    wipe(password, master, authSeed);
  }
}

function checkAccountKeys(keys) {
  if (keys === null || typeof keys !== 'object') throw invalid('accountKeys expected');
  bytesArg(keys.wrapKey, 'accountKeys.wrapKey', 32);
}

/**
 * Wraps a unit secret key for storage on the server:
 * blob = "CLK1" ‖ u32be opslimit ‖ u32be floor(memlimit / 1024) ‖ salt[16]
 *        ‖ key_id[16] ‖ nonce[24] ‖ XChaCha20-Poly1305(unit sk, ad = "clueline/unit-key/v1" ‖ blob[0..68], nonce, wrapKey)[48].
 * accountKeys must come from deriveAccountKeys(passphrase, salt, params)
 * with the same salt and params, or the blob will not unwrap.
 * @param {KeyPair} unitKeyPair X25519 (the public key must match the secret key)
 * @param {AccountKeys | {wrapKey: Uint8Array}} accountKeys
 * @param {Uint8Array} salt 16 bytes
 * @param {KdfParams} [params] default ACCOUNT_KDF_DEFAULTS
 * @returns {Uint8Array} 116 bytes
 */
export function wrapUnitSecretKey(unitKeyPair, accountKeys, salt, params = ACCOUNT_KDF_DEFAULTS) {
  const s = S();
  checkBoxKeyPair(unitKeyPair, 'unitKeyPair');
  checkAccountKeys(accountKeys);
  bytesArg(salt, 'salt', 16);
  const { opslimit, memlimit } = checkKdfParams(params);
  if (!equalBytes(s.crypto_scalarmult_base(unitKeyPair.secretKey), unitKeyPair.publicKey)) {
    throw invalid('unitKeyPair: public key does not match secret key');
  }
  const nonce = s.randombytes_buf(24);
  const head = concat(WRAP_MAGIC, u32be(opslimit), u32be(Math.floor(memlimit / 1024)), salt, keyId(unitKeyPair.publicKey), nonce);
  const ct = s.crypto_aead_xchacha20poly1305_ietf_encrypt(unitKeyPair.secretKey, concat(WRAP_DOMAIN, head), null, nonce, accountKeys.wrapKey);
  return concat(head, ct);
}

/**
 * Parses a wrapped-key blob (no cryptography).
 * @param {Uint8Array} blob 116 bytes
 * @returns {{opslimit: number, memlimit: number, memlimitKib: number, salt: Uint8Array, keyId: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array}}
 *   memlimit in bytes (= memlimitKib · 1024)
 * @throws {CluelineCryptoError} invalid_argument (length, magic, parameters out of range)
 */
export function parseWrappedKey(blob) {
  bytesArg(blob, 'blob');
  if (blob.length !== WRAPPED_KEY_BYTES || !equalBytes(blob.subarray(0, 4), WRAP_MAGIC)) throw invalid('malformed wrapped key');
  const opslimit = readU32be(blob, 4);
  const memlimitKib = readU32be(blob, 8);
  if (opslimit < ACCOUNT_OPSLIMIT_MIN || opslimit > ACCOUNT_OPSLIMIT_MAX) throw invalid('malformed wrapped key');
  if (memlimitKib < ACCOUNT_MEMLIMIT_MIN / 1024 || memlimitKib > ACCOUNT_MEMLIMIT_MAX / 1024) throw invalid('malformed wrapped key');
  return {
    opslimit,
    memlimit: memlimitKib * 1024,
    memlimitKib,
    salt: copyOf(blob, 12, 28),
    keyId: copyOf(blob, 28, 44),
    nonce: copyOf(blob, 44, 68),
    ciphertext: copyOf(blob, 68, 116),
  };
}

/**
 * Unwraps a unit secret key, given the passphrase (the account keys are then
 * derived with the blob's salt and parameters) or already derived account
 * keys, and checks that the key's id is the blob's. Asynchronous in both
 * cases, so that callers need not know which of the two they hold.
 * @param {Uint8Array} blob
 * @param {string | AccountKeys | {wrapKey: Uint8Array}} passphraseOrAccountKeys
 * @returns {Promise<KeyPair>}
 * @throws {CluelineCryptoError} (as a rejection) invalid_argument (malformed blob),
 *   authentication_failed (wrong passphrase, tampered blob)
 */
export async function unwrapUnitSecretKey(blob, passphraseOrAccountKeys) {
  const s = S();
  const p = parseWrappedKey(blob);
  let keys;
  let derived = false;
  if (typeof passphraseOrAccountKeys === 'string') {
    keys = await deriveAccountKeys(passphraseOrAccountKeys, p.salt, { opslimit: p.opslimit, memlimit: p.memlimit });
    derived = true;
  } else {
    checkAccountKeys(passphraseOrAccountKeys);
    keys = passphraseOrAccountKeys;
  }
  let sk;
  try {
    try {
      sk = s.crypto_aead_xchacha20poly1305_ietf_decrypt(null, p.ciphertext, concat(WRAP_DOMAIN, blob.subarray(0, 68)), p.nonce, keys.wrapKey);
    } catch {
      throw authFailed();
    }
    if (sk.length !== 32) throw authFailed();
    const pk = s.crypto_scalarmult_base(sk);
    if (!equalBytes(keyId(pk), p.keyId)) throw authFailed();
    const out = { publicKey: pk, secretKey: sk };
    sk = undefined;
    return out;
  } finally {
    wipe(sk);
    if (derived) wipe(keys.wrapKey, keys.auth.secretKey, keys.box.secretKey);
  }
}

/**
 * Login proof: crypto_sign_detached("clueline/login/v1" ‖ challenge, auth secret key).
 * @param {Uint8Array} challenge 32 bytes from the server
 * @param {KeyPair} authKeyPair Ed25519 (from deriveAccountKeys(...).auth)
 * @returns {Uint8Array} 64-byte signature
 */
export function signLoginChallenge(challenge, authKeyPair) {
  bytesArg(challenge, 'challenge', 32);
  if (authKeyPair === null || typeof authKeyPair !== 'object') throw invalid('authKeyPair: key pair expected');
  bytesArg(authKeyPair.secretKey, 'authKeyPair.secretKey', 64);
  return S().crypto_sign_detached(concat(LOGIN_DOMAIN, challenge), authKeyPair.secretKey);
}

/**
 * Checks a login proof.
 * @param {Uint8Array} challenge 32 bytes
 * @param {Uint8Array} signature 64 bytes
 * @param {Uint8Array} authPublicKey 32 bytes
 * @returns {boolean}
 * @throws {CluelineCryptoError} invalid_argument on wrong lengths only
 */
export function verifyLoginProof(challenge, signature, authPublicKey) {
  bytesArg(challenge, 'challenge', 32);
  bytesArg(signature, 'signature', 64);
  bytesArg(authPublicKey, 'authPublicKey', 32);
  try {
    return S().crypto_sign_verify_detached(signature, concat(LOGIN_DOMAIN, challenge), authPublicKey) === true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------
// Onboarding: activation, fingerprint, unit-key grants (spec §9.4)

export const INVITATION_CODE_BYTES = 32;
export const ACTIVATION_PROOF_BYTES = 64;
export const UNIT_KEY_GRANT_BYTES = 80;

function activationMessage(code, boxPublicKey) {
  return concat(ACTIVATE_DOMAIN, code, boxPublicKey);
}

/**
 * Activation proof (made on the newcomer's device):
 * crypto_sign_detached("clueline/activate/v1" ‖ code[32] ‖ boxPublicKey[32], auth secret key),
 * over 84 bytes. Shows the server that whoever holds the invitation code
 * also holds the auth secret key and chose this box key.
 * @param {Uint8Array} code 32-byte invitation code (base64url-decoded)
 * @param {Uint8Array} boxPublicKey 32 bytes (deriveAccountKeys(...).box.publicKey)
 * @param {KeyPair} authKeyPair Ed25519 (deriveAccountKeys(...).auth)
 * @returns {Uint8Array} 64-byte signature
 * @throws {CluelineCryptoError} invalid_argument (lengths)
 */
export function signActivation(code, boxPublicKey, authKeyPair) {
  bytesArg(code, 'code', INVITATION_CODE_BYTES);
  bytesArg(boxPublicKey, 'boxPublicKey', 32);
  if (authKeyPair === null || typeof authKeyPair !== 'object') throw invalid('authKeyPair: key pair expected');
  bytesArg(authKeyPair.secretKey, 'authKeyPair.secretKey', 64);
  return S().crypto_sign_detached(activationMessage(code, boxPublicKey), authKeyPair.secretKey);
}

/**
 * Checks an activation proof (what the server does at activation).
 * Like the C++ verify_activation, a wrong length of any argument gives
 * false, not an error.
 * @param {Uint8Array} code 32 bytes
 * @param {Uint8Array} boxPublicKey 32 bytes
 * @param {Uint8Array} signature 64 bytes
 * @param {Uint8Array} authPublicKey 32 bytes
 * @returns {boolean}
 * @throws {CluelineCryptoError} invalid_argument only for an argument that is not a Uint8Array
 */
export function verifyActivation(code, boxPublicKey, signature, authPublicKey) {
  bytesArg(code, 'code');
  bytesArg(boxPublicKey, 'boxPublicKey');
  bytesArg(signature, 'signature');
  bytesArg(authPublicKey, 'authPublicKey');
  if (code.length !== INVITATION_CODE_BYTES || boxPublicKey.length !== 32 || signature.length !== ACTIVATION_PROOF_BYTES || authPublicKey.length !== 32) {
    return false;
  }
  const s = S();
  try {
    return s.crypto_sign_verify_detached(signature, activationMessage(code, boxPublicKey), authPublicKey) === true;
  } catch {
    return false;
  }
}

/**
 * The account fingerprint two people compare out of band before a unit key
 * is granted: the first 10 bytes of
 * BLAKE2b-32("clueline/account-fingerprint/v1" ‖ authPublicKey ‖ boxPublicKey)
 * as 20 lower-case hex digits in five groups of four joined by '-'
 * (24 characters, e.g. "3f2a-09bc-77d1-e0a4-5b6c"). The newcomer computes it
 * from its own derived keys, the granting member from the keys the server
 * lists for the account.
 * @param {Uint8Array} authPublicKey 32 bytes (Ed25519)
 * @param {Uint8Array} boxPublicKey 32 bytes (X25519)
 * @returns {string}
 * @throws {CluelineCryptoError} invalid_argument (lengths)
 */
export function accountFingerprint(authPublicKey, boxPublicKey) {
  bytesArg(authPublicKey, 'authPublicKey', 32);
  bytesArg(boxPublicKey, 'boxPublicKey', 32);
  const digest = blake2b(32, concat(FINGERPRINT_DOMAIN, authPublicKey, boxPublicKey));
  const hex = S().to_hex(digest.subarray(0, 10));
  return [0, 4, 8, 12, 16].map((i) => hex.slice(i, i + 4)).join('-');
}

/**
 * Grants a unit key to an account (on the granting member's device, after
 * comparing accountFingerprint): crypto_box_seal(unit secret key[32],
 * recipientBoxPublicKey), 80 bytes. Randomised. Send it with
 * keyId(unitKeyPair.publicKey).
 * @param {KeyPair} unitKeyPair X25519 (the public key must match the secret key)
 * @param {Uint8Array} recipientBoxPublicKey 32 bytes, the account's box public key
 * @returns {Uint8Array} 80 bytes
 * @throws {CluelineCryptoError} invalid_argument (lengths, an inconsistent unit pair, a
 *   recipient key libsodium refuses, such as the 32 zero bytes of an account without box key)
 */
export function sealUnitKeyGrant(unitKeyPair, recipientBoxPublicKey) {
  const s = S();
  checkBoxKeyPair(unitKeyPair, 'unitKeyPair');
  bytesArg(recipientBoxPublicKey, 'recipientBoxPublicKey', 32);
  if (!equalBytes(s.crypto_scalarmult_base(unitKeyPair.secretKey), unitKeyPair.publicKey)) {
    throw invalid('unitKeyPair: public key does not match secret key');
  }
  let grant;
  try {
    grant = s.crypto_box_seal(unitKeyPair.secretKey, recipientBoxPublicKey);
  } catch {
    throw invalid('recipientBoxPublicKey is not a usable public key');
  }
  if (!(grant instanceof Uint8Array) || grant.length !== UNIT_KEY_GRANT_BYTES) throw invalid('unit key grant: sealing failed');
  return grant;
}

/**
 * Opens a unit-key grant with the account's box key pair (on the newcomer's
 * device) and checks that the key inside has id expectedKeyId. Store the
 * result with wrapUnitSecretKey afterwards (§9.4).
 * @param {Uint8Array} grant 80 bytes
 * @param {KeyPair} boxKeyPair X25519 (deriveAccountKeys(...).box)
 * @param {Uint8Array} expectedKeyId 16 bytes, the key id the grant was listed under
 * @returns {KeyPair} the unit key pair
 * @throws {CluelineCryptoError} invalid_argument (a grant that is not 80 bytes, other lengths),
 *   authentication_failed (does not open, or holds a key with another id)
 */
export function openUnitKeyGrant(grant, boxKeyPair, expectedKeyId) {
  const s = S();
  bytesArg(grant, 'grant', UNIT_KEY_GRANT_BYTES);
  checkBoxKeyPair(boxKeyPair, 'boxKeyPair');
  bytesArg(expectedKeyId, 'expectedKeyId', 16);
  let sk;
  try {
    try {
      sk = s.crypto_box_seal_open(grant, boxKeyPair.publicKey, boxKeyPair.secretKey);
    } catch {
      throw authFailed();
    }
    if (!(sk instanceof Uint8Array) || sk.length !== 32) throw authFailed();
    let pk;
    try {
      pk = s.crypto_scalarmult_base(sk);
    } catch {
      throw authFailed();
    }
    if (!equalBytes(keyId(pk), expectedKeyId)) throw authFailed();
    const out = { publicKey: pk, secretKey: sk };
    sk = undefined;
    return out;
  } finally {
    wipe(sk);
  }
}
