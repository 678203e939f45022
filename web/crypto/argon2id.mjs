// Argon2id (version 1.3, RFC 9106) in plain JavaScript, restricted to the
// parameters libsodium's crypto_pwhash uses: one lane, no secret, no
// associated data. It exists because the standard build of
// libsodium-wrappers does not export crypto_pwhash (only the "sumo" build
// does); clueline-crypto.mjs prefers sodium.crypto_pwhash when it is present
// and falls back to this module otherwise. Both give identical bytes:
//
//   argon2id13(outlen, password, salt, opslimit, memlimit, blake2b)
//     === crypto_pwhash(outlen, password, salt, opslimit, memlimit,
//                       crypto_pwhash_ALG_ARGON2ID13)
//
// This module imports nothing: BLAKE2b (crypto_generichash) is passed in by
// the caller, so libsodium is reached only through clueline-crypto.mjs.
//
// Every 64-bit word of a 1024-byte block is held as two 32-bit halves in a
// Uint32Array (low half at the even index). The arithmetic below only ever
// adds non-negative integers below 2^53, so plain JavaScript numbers are exact.

const SYNC_POINTS = 4;
const BLOCK_WORDS = 256; // 32-bit words per 1024-byte block
const ADDRESSES_IN_BLOCK = 128;
const ARGON2_VERSION = 0x13;
const ARGON2_TYPE_ID = 2;
const TWO_POW_32 = 4294967296;

/**
 * BLAKE2b round without message (Argon2's permutation P) on the 16 64-bit
 * words of v at the given 64-bit word indices: G on the four columns, then on
 * the four diagonals, where G(a, b, c, d) is
 *   a = fBlaMka(a, b); d = rotr64(d ^ a, 32); c = fBlaMka(c, d); b = rotr64(b ^ c, 24);
 *   a = fBlaMka(a, b); d = rotr64(d ^ a, 16); c = fBlaMka(c, d); b = rotr64(b ^ c, 63);
 * and fBlaMka(x, y) = x + y + 2 * lo32(x) * lo32(y) (mod 2^64). Unrolled by
 * hand with the 16 words in local variables: about 1.6x faster than a loop
 * over an array in V8. The 32x32-bit product is split into 16-bit halves so
 * that every intermediate value is an exact integer below 2^34.
 */
function roundNoMsg(v, i0, i1, i2, i3, i4, i5, i6, i7, i8, i9, i10, i11, i12, i13, i14, i15) {
  let x0, x1, y0, y1, mid, low, lo, hi, sum, t;
  i0 <<= 1; let v0l = v[i0], v0h = v[i0 + 1];
  i1 <<= 1; let v1l = v[i1], v1h = v[i1 + 1];
  i2 <<= 1; let v2l = v[i2], v2h = v[i2 + 1];
  i3 <<= 1; let v3l = v[i3], v3h = v[i3 + 1];
  i4 <<= 1; let v4l = v[i4], v4h = v[i4 + 1];
  i5 <<= 1; let v5l = v[i5], v5h = v[i5 + 1];
  i6 <<= 1; let v6l = v[i6], v6h = v[i6 + 1];
  i7 <<= 1; let v7l = v[i7], v7h = v[i7 + 1];
  i8 <<= 1; let v8l = v[i8], v8h = v[i8 + 1];
  i9 <<= 1; let v9l = v[i9], v9h = v[i9 + 1];
  i10 <<= 1; let v10l = v[i10], v10h = v[i10 + 1];
  i11 <<= 1; let v11l = v[i11], v11h = v[i11 + 1];
  i12 <<= 1; let v12l = v[i12], v12h = v[i12 + 1];
  i13 <<= 1; let v13l = v[i13], v13h = v[i13 + 1];
  i14 <<= 1; let v14l = v[i14], v14h = v[i14 + 1];
  i15 <<= 1; let v15l = v[i15], v15h = v[i15 + 1];
  // G(0, 4, 8, 12)
  x0 = v0l & 0xffff; x1 = v0l >>> 16; y0 = v4l & 0xffff; y1 = v4l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v0l + v4l + lo * 2;
  v0l = sum >>> 0; v0h = (v0h + v4h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  t = (v12l ^ v0l) >>> 0; v12l = (v12h ^ v0h) >>> 0; v12h = t;
  x0 = v8l & 0xffff; x1 = v8l >>> 16; y0 = v12l & 0xffff; y1 = v12l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v8l + v12l + lo * 2;
  v8l = sum >>> 0; v8h = (v8h + v12h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  v4l ^= v8l; v4h ^= v8h;
  t = ((v4l >>> 24) | (v4h << 8)) >>> 0; v4h = ((v4h >>> 24) | (v4l << 8)) >>> 0; v4l = t;
  x0 = v0l & 0xffff; x1 = v0l >>> 16; y0 = v4l & 0xffff; y1 = v4l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v0l + v4l + lo * 2;
  v0l = sum >>> 0; v0h = (v0h + v4h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  v12l ^= v0l; v12h ^= v0h;
  t = ((v12l >>> 16) | (v12h << 16)) >>> 0; v12h = ((v12h >>> 16) | (v12l << 16)) >>> 0; v12l = t;
  x0 = v8l & 0xffff; x1 = v8l >>> 16; y0 = v12l & 0xffff; y1 = v12l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v8l + v12l + lo * 2;
  v8l = sum >>> 0; v8h = (v8h + v12h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  v4l ^= v8l; v4h ^= v8h;
  t = ((v4l << 1) | (v4h >>> 31)) >>> 0; v4h = ((v4h << 1) | (v4l >>> 31)) >>> 0; v4l = t;
  // G(1, 5, 9, 13)
  x0 = v1l & 0xffff; x1 = v1l >>> 16; y0 = v5l & 0xffff; y1 = v5l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v1l + v5l + lo * 2;
  v1l = sum >>> 0; v1h = (v1h + v5h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  t = (v13l ^ v1l) >>> 0; v13l = (v13h ^ v1h) >>> 0; v13h = t;
  x0 = v9l & 0xffff; x1 = v9l >>> 16; y0 = v13l & 0xffff; y1 = v13l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v9l + v13l + lo * 2;
  v9l = sum >>> 0; v9h = (v9h + v13h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  v5l ^= v9l; v5h ^= v9h;
  t = ((v5l >>> 24) | (v5h << 8)) >>> 0; v5h = ((v5h >>> 24) | (v5l << 8)) >>> 0; v5l = t;
  x0 = v1l & 0xffff; x1 = v1l >>> 16; y0 = v5l & 0xffff; y1 = v5l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v1l + v5l + lo * 2;
  v1l = sum >>> 0; v1h = (v1h + v5h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  v13l ^= v1l; v13h ^= v1h;
  t = ((v13l >>> 16) | (v13h << 16)) >>> 0; v13h = ((v13h >>> 16) | (v13l << 16)) >>> 0; v13l = t;
  x0 = v9l & 0xffff; x1 = v9l >>> 16; y0 = v13l & 0xffff; y1 = v13l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v9l + v13l + lo * 2;
  v9l = sum >>> 0; v9h = (v9h + v13h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  v5l ^= v9l; v5h ^= v9h;
  t = ((v5l << 1) | (v5h >>> 31)) >>> 0; v5h = ((v5h << 1) | (v5l >>> 31)) >>> 0; v5l = t;
  // G(2, 6, 10, 14)
  x0 = v2l & 0xffff; x1 = v2l >>> 16; y0 = v6l & 0xffff; y1 = v6l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v2l + v6l + lo * 2;
  v2l = sum >>> 0; v2h = (v2h + v6h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  t = (v14l ^ v2l) >>> 0; v14l = (v14h ^ v2h) >>> 0; v14h = t;
  x0 = v10l & 0xffff; x1 = v10l >>> 16; y0 = v14l & 0xffff; y1 = v14l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v10l + v14l + lo * 2;
  v10l = sum >>> 0; v10h = (v10h + v14h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  v6l ^= v10l; v6h ^= v10h;
  t = ((v6l >>> 24) | (v6h << 8)) >>> 0; v6h = ((v6h >>> 24) | (v6l << 8)) >>> 0; v6l = t;
  x0 = v2l & 0xffff; x1 = v2l >>> 16; y0 = v6l & 0xffff; y1 = v6l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v2l + v6l + lo * 2;
  v2l = sum >>> 0; v2h = (v2h + v6h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  v14l ^= v2l; v14h ^= v2h;
  t = ((v14l >>> 16) | (v14h << 16)) >>> 0; v14h = ((v14h >>> 16) | (v14l << 16)) >>> 0; v14l = t;
  x0 = v10l & 0xffff; x1 = v10l >>> 16; y0 = v14l & 0xffff; y1 = v14l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v10l + v14l + lo * 2;
  v10l = sum >>> 0; v10h = (v10h + v14h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  v6l ^= v10l; v6h ^= v10h;
  t = ((v6l << 1) | (v6h >>> 31)) >>> 0; v6h = ((v6h << 1) | (v6l >>> 31)) >>> 0; v6l = t;
  // G(3, 7, 11, 15)
  x0 = v3l & 0xffff; x1 = v3l >>> 16; y0 = v7l & 0xffff; y1 = v7l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v3l + v7l + lo * 2;
  v3l = sum >>> 0; v3h = (v3h + v7h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  t = (v15l ^ v3l) >>> 0; v15l = (v15h ^ v3h) >>> 0; v15h = t;
  x0 = v11l & 0xffff; x1 = v11l >>> 16; y0 = v15l & 0xffff; y1 = v15l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v11l + v15l + lo * 2;
  v11l = sum >>> 0; v11h = (v11h + v15h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  v7l ^= v11l; v7h ^= v11h;
  t = ((v7l >>> 24) | (v7h << 8)) >>> 0; v7h = ((v7h >>> 24) | (v7l << 8)) >>> 0; v7l = t;
  x0 = v3l & 0xffff; x1 = v3l >>> 16; y0 = v7l & 0xffff; y1 = v7l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v3l + v7l + lo * 2;
  v3l = sum >>> 0; v3h = (v3h + v7h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  v15l ^= v3l; v15h ^= v3h;
  t = ((v15l >>> 16) | (v15h << 16)) >>> 0; v15h = ((v15h >>> 16) | (v15l << 16)) >>> 0; v15l = t;
  x0 = v11l & 0xffff; x1 = v11l >>> 16; y0 = v15l & 0xffff; y1 = v15l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v11l + v15l + lo * 2;
  v11l = sum >>> 0; v11h = (v11h + v15h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  v7l ^= v11l; v7h ^= v11h;
  t = ((v7l << 1) | (v7h >>> 31)) >>> 0; v7h = ((v7h << 1) | (v7l >>> 31)) >>> 0; v7l = t;
  // G(0, 5, 10, 15)
  x0 = v0l & 0xffff; x1 = v0l >>> 16; y0 = v5l & 0xffff; y1 = v5l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v0l + v5l + lo * 2;
  v0l = sum >>> 0; v0h = (v0h + v5h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  t = (v15l ^ v0l) >>> 0; v15l = (v15h ^ v0h) >>> 0; v15h = t;
  x0 = v10l & 0xffff; x1 = v10l >>> 16; y0 = v15l & 0xffff; y1 = v15l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v10l + v15l + lo * 2;
  v10l = sum >>> 0; v10h = (v10h + v15h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  v5l ^= v10l; v5h ^= v10h;
  t = ((v5l >>> 24) | (v5h << 8)) >>> 0; v5h = ((v5h >>> 24) | (v5l << 8)) >>> 0; v5l = t;
  x0 = v0l & 0xffff; x1 = v0l >>> 16; y0 = v5l & 0xffff; y1 = v5l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v0l + v5l + lo * 2;
  v0l = sum >>> 0; v0h = (v0h + v5h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  v15l ^= v0l; v15h ^= v0h;
  t = ((v15l >>> 16) | (v15h << 16)) >>> 0; v15h = ((v15h >>> 16) | (v15l << 16)) >>> 0; v15l = t;
  x0 = v10l & 0xffff; x1 = v10l >>> 16; y0 = v15l & 0xffff; y1 = v15l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v10l + v15l + lo * 2;
  v10l = sum >>> 0; v10h = (v10h + v15h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  v5l ^= v10l; v5h ^= v10h;
  t = ((v5l << 1) | (v5h >>> 31)) >>> 0; v5h = ((v5h << 1) | (v5l >>> 31)) >>> 0; v5l = t;
  // G(1, 6, 11, 12)
  x0 = v1l & 0xffff; x1 = v1l >>> 16; y0 = v6l & 0xffff; y1 = v6l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v1l + v6l + lo * 2;
  v1l = sum >>> 0; v1h = (v1h + v6h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  t = (v12l ^ v1l) >>> 0; v12l = (v12h ^ v1h) >>> 0; v12h = t;
  x0 = v11l & 0xffff; x1 = v11l >>> 16; y0 = v12l & 0xffff; y1 = v12l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v11l + v12l + lo * 2;
  v11l = sum >>> 0; v11h = (v11h + v12h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  v6l ^= v11l; v6h ^= v11h;
  t = ((v6l >>> 24) | (v6h << 8)) >>> 0; v6h = ((v6h >>> 24) | (v6l << 8)) >>> 0; v6l = t;
  x0 = v1l & 0xffff; x1 = v1l >>> 16; y0 = v6l & 0xffff; y1 = v6l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v1l + v6l + lo * 2;
  v1l = sum >>> 0; v1h = (v1h + v6h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  v12l ^= v1l; v12h ^= v1h;
  t = ((v12l >>> 16) | (v12h << 16)) >>> 0; v12h = ((v12h >>> 16) | (v12l << 16)) >>> 0; v12l = t;
  x0 = v11l & 0xffff; x1 = v11l >>> 16; y0 = v12l & 0xffff; y1 = v12l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v11l + v12l + lo * 2;
  v11l = sum >>> 0; v11h = (v11h + v12h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  v6l ^= v11l; v6h ^= v11h;
  t = ((v6l << 1) | (v6h >>> 31)) >>> 0; v6h = ((v6h << 1) | (v6l >>> 31)) >>> 0; v6l = t;
  // G(2, 7, 8, 13)
  x0 = v2l & 0xffff; x1 = v2l >>> 16; y0 = v7l & 0xffff; y1 = v7l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v2l + v7l + lo * 2;
  v2l = sum >>> 0; v2h = (v2h + v7h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  t = (v13l ^ v2l) >>> 0; v13l = (v13h ^ v2h) >>> 0; v13h = t;
  x0 = v8l & 0xffff; x1 = v8l >>> 16; y0 = v13l & 0xffff; y1 = v13l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v8l + v13l + lo * 2;
  v8l = sum >>> 0; v8h = (v8h + v13h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  v7l ^= v8l; v7h ^= v8h;
  t = ((v7l >>> 24) | (v7h << 8)) >>> 0; v7h = ((v7h >>> 24) | (v7l << 8)) >>> 0; v7l = t;
  x0 = v2l & 0xffff; x1 = v2l >>> 16; y0 = v7l & 0xffff; y1 = v7l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v2l + v7l + lo * 2;
  v2l = sum >>> 0; v2h = (v2h + v7h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  v13l ^= v2l; v13h ^= v2h;
  t = ((v13l >>> 16) | (v13h << 16)) >>> 0; v13h = ((v13h >>> 16) | (v13l << 16)) >>> 0; v13l = t;
  x0 = v8l & 0xffff; x1 = v8l >>> 16; y0 = v13l & 0xffff; y1 = v13l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v8l + v13l + lo * 2;
  v8l = sum >>> 0; v8h = (v8h + v13h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  v7l ^= v8l; v7h ^= v8h;
  t = ((v7l << 1) | (v7h >>> 31)) >>> 0; v7h = ((v7h << 1) | (v7l >>> 31)) >>> 0; v7l = t;
  // G(3, 4, 9, 14)
  x0 = v3l & 0xffff; x1 = v3l >>> 16; y0 = v4l & 0xffff; y1 = v4l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v3l + v4l + lo * 2;
  v3l = sum >>> 0; v3h = (v3h + v4h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  t = (v14l ^ v3l) >>> 0; v14l = (v14h ^ v3h) >>> 0; v14h = t;
  x0 = v9l & 0xffff; x1 = v9l >>> 16; y0 = v14l & 0xffff; y1 = v14l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v9l + v14l + lo * 2;
  v9l = sum >>> 0; v9h = (v9h + v14h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  v4l ^= v9l; v4h ^= v9h;
  t = ((v4l >>> 24) | (v4h << 8)) >>> 0; v4h = ((v4h >>> 24) | (v4l << 8)) >>> 0; v4l = t;
  x0 = v3l & 0xffff; x1 = v3l >>> 16; y0 = v4l & 0xffff; y1 = v4l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v3l + v4l + lo * 2;
  v3l = sum >>> 0; v3h = (v3h + v4h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  v14l ^= v3l; v14h ^= v3h;
  t = ((v14l >>> 16) | (v14h << 16)) >>> 0; v14h = ((v14h >>> 16) | (v14l << 16)) >>> 0; v14l = t;
  x0 = v9l & 0xffff; x1 = v9l >>> 16; y0 = v14l & 0xffff; y1 = v14l >>> 16;
  mid = x1 * y0 + x0 * y1; low = (mid & 0xffff) * 65536 + x0 * y0;
  hi = x1 * y1 + ((mid / 65536) | 0) + ((low / 4294967296) | 0); lo = low >>> 0;
  sum = v9l + v14l + lo * 2;
  v9l = sum >>> 0; v9h = (v9h + v14h + hi * 2 + ((sum * 2.3283064365386963e-10) | 0)) >>> 0;
  v4l ^= v9l; v4h ^= v9h;
  t = ((v4l << 1) | (v4h >>> 31)) >>> 0; v4h = ((v4h << 1) | (v4l >>> 31)) >>> 0; v4l = t;
  v[i0] = v0l; v[i0 + 1] = v0h;
  v[i1] = v1l; v[i1 + 1] = v1h;
  v[i2] = v2l; v[i2 + 1] = v2h;
  v[i3] = v3l; v[i3 + 1] = v3h;
  v[i4] = v4l; v[i4 + 1] = v4h;
  v[i5] = v5l; v[i5 + 1] = v5h;
  v[i6] = v6l; v[i6 + 1] = v6h;
  v[i7] = v7l; v[i7 + 1] = v7h;
  v[i8] = v8l; v[i8 + 1] = v8h;
  v[i9] = v9l; v[i9 + 1] = v9h;
  v[i10] = v10l; v[i10 + 1] = v10h;
  v[i11] = v11l; v[i11 + 1] = v11h;
  v[i12] = v12l; v[i12 + 1] = v12h;
  v[i13] = v13l; v[i13 + 1] = v13h;
  v[i14] = v14l; v[i14 + 1] = v14h;
  v[i15] = v15l; v[i15 + 1] = v15h;
}


/**
 * Argon2 compression: out = P(prev ^ ref) ^ prev ^ ref [^ out when withXor].
 * r and z are 256-word scratch arrays. out may alias prev's array (different
 * offsets) but not r or z.
 */
function fillBlock(prev, prevOff, ref, refOff, out, outOff, withXor, r, z) {
  if (withXor) {
    for (let i = 0; i < BLOCK_WORDS; i++) {
      const x = prev[prevOff + i] ^ ref[refOff + i];
      r[i] = x;
      z[i] = x ^ out[outOff + i];
    }
  } else {
    for (let i = 0; i < BLOCK_WORDS; i++) {
      const x = prev[prevOff + i] ^ ref[refOff + i];
      r[i] = x;
      z[i] = x;
    }
  }
  for (let i = 0; i < 8; i++) {
    const b = 16 * i;
    roundNoMsg(r, b, b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7,
      b + 8, b + 9, b + 10, b + 11, b + 12, b + 13, b + 14, b + 15);
  }
  for (let i = 0; i < 8; i++) {
    const b = 2 * i;
    roundNoMsg(r, b, b + 1, b + 16, b + 17, b + 32, b + 33, b + 48, b + 49,
      b + 64, b + 65, b + 80, b + 81, b + 96, b + 97, b + 112, b + 113);
  }
  for (let i = 0; i < BLOCK_WORDS; i++) {
    out[outOff + i] = z[i] ^ r[i];
  }
}

/** High 32 bits of the 64-bit product of two unsigned 32-bit integers. */
function mulHi(a, b) {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const mid = a1 * b0 + a0 * b1;
  const low = (mid & 0xffff) * 65536 + a0 * b0;
  return a1 * b1 + ((mid / 65536) | 0) + ((low / TWO_POW_32) | 0);
}

function le32(out, off, x) {
  out[off] = x & 0xff;
  out[off + 1] = (x >>> 8) & 0xff;
  out[off + 2] = (x >>> 16) & 0xff;
  out[off + 3] = (x >>> 24) & 0xff;
}

/** Argon2's variable-length hash H'^outlen(input) built from BLAKE2b. */
function hPrime(blake2b, outlen, input) {
  const data = new Uint8Array(4 + input.length);
  le32(data, 0, outlen);
  data.set(input, 4);
  if (outlen <= 64) {
    const out = blake2b(outlen, data);
    data.fill(0);
    return out;
  }
  const out = new Uint8Array(outlen);
  const r = Math.ceil(outlen / 32) - 2;
  let v = blake2b(64, data);
  data.fill(0);
  out.set(v.subarray(0, 32), 0);
  for (let i = 1; i < r; i++) {
    const next = blake2b(64, v);
    v.fill(0);
    v = next;
    out.set(v.subarray(0, 32), 32 * i);
  }
  const last = blake2b(outlen - 32 * r, v);
  v.fill(0);
  out.set(last, 32 * r);
  last.fill(0);
  return out;
}

function bytesToWords(bytes, words, off) {
  for (let i = 0; i < BLOCK_WORDS; i++) {
    const j = 4 * i;
    words[off + i] = (bytes[j] | (bytes[j + 1] << 8) | (bytes[j + 2] << 16) | (bytes[j + 3] << 24)) >>> 0;
  }
}

function wordsToBytes(words, off) {
  const out = new Uint8Array(1024);
  for (let i = 0; i < BLOCK_WORDS; i++) le32(out, 4 * i, words[off + i]);
  return out;
}

/**
 * Argon2id v1.3 with one lane, exactly as libsodium's
 * crypto_pwhash(outlen, password, salt, opslimit, memlimit, crypto_pwhash_ALG_ARGON2ID13).
 *
 * @param {number} outlen      output length in bytes, 16..2^32-1
 * @param {Uint8Array} password
 * @param {Uint8Array} salt    16 bytes (libsodium's crypto_pwhash_SALTBYTES)
 * @param {number} opslimit    number of passes t, >= 1
 * @param {number} memlimit    memory in bytes, >= 8192; Argon2 uses floor(memlimit / 1024) KiB
 * @param {(len: number, msg: Uint8Array) => Uint8Array} blake2b  unkeyed BLAKE2b with len-byte output
 * @returns {Uint8Array} outlen bytes
 * @throws {RangeError} on parameters libsodium would refuse
 */
export function argon2id13(outlen, password, salt, opslimit, memlimit, blake2b) {
  if (!Number.isInteger(outlen) || outlen < 16 || outlen > 0xffffffff) throw new RangeError('argon2id: bad output length');
  if (!(password instanceof Uint8Array) || !(salt instanceof Uint8Array)) throw new TypeError('argon2id: bytes expected');
  if (salt.length !== 16) throw new RangeError('argon2id: salt must be 16 bytes');
  if (!Number.isInteger(opslimit) || opslimit < 1 || opslimit > 0xffffffff) throw new RangeError('argon2id: bad opslimit');
  if (!Number.isInteger(memlimit) || memlimit < 8192 || memlimit > 4398046510080) throw new RangeError('argon2id: bad memlimit');

  const tCost = opslimit;
  const mCost = Math.floor(memlimit / 1024); // KiB, as given to argon2id_hash_raw
  const segmentLength = Math.floor(mCost / SYNC_POINTS); // one lane
  const laneLength = segmentLength * SYNC_POINTS;
  const memoryBlocks = laneLength;

  // H0 = BLAKE2b-64(p, T, m, t, v, y, |P|, P, |S|, S, |K|, K, |X|, X), all LE32.
  const h0in = new Uint8Array(40 + password.length + salt.length);
  let o = 0;
  le32(h0in, o, 1); o += 4;
  le32(h0in, o, outlen); o += 4;
  le32(h0in, o, mCost); o += 4;
  le32(h0in, o, tCost); o += 4;
  le32(h0in, o, ARGON2_VERSION); o += 4;
  le32(h0in, o, ARGON2_TYPE_ID); o += 4;
  le32(h0in, o, password.length); o += 4;
  h0in.set(password, o); o += password.length;
  le32(h0in, o, salt.length); o += 4;
  h0in.set(salt, o); o += salt.length;
  le32(h0in, o, 0); o += 4; // secret
  le32(h0in, o, 0); o += 4; // associated data
  const h0 = blake2b(64, h0in);
  h0in.fill(0);

  const memory = new Uint32Array(memoryBlocks * BLOCK_WORDS);
  const r = new Uint32Array(BLOCK_WORDS);
  const z = new Uint32Array(BLOCK_WORDS);
  const zero = new Uint32Array(BLOCK_WORDS);
  const input = new Uint32Array(BLOCK_WORDS);
  const address = new Uint32Array(BLOCK_WORDS);

  try {
    // B[0] = H'(H0 || LE32(0) || LE32(lane)), B[1] = H'(H0 || LE32(1) || LE32(lane)).
    const seed = new Uint8Array(72);
    seed.set(h0, 0);
    for (let i = 0; i < 2; i++) {
      le32(seed, 64, i);
      le32(seed, 68, 0);
      const block = hPrime(blake2b, 1024, seed);
      bytesToWords(block, memory, i * BLOCK_WORDS);
      block.fill(0);
    }
    seed.fill(0);

    const nextAddresses = () => {
      input[12] = (input[12] + 1) >>> 0; // 64-bit counter in word 6 (low half)
      fillBlock(zero, 0, input, 0, address, 0, false, r, z);
      fillBlock(zero, 0, address, 0, address, 0, false, r, z);
    };

    for (let pass = 0; pass < tCost; pass++) {
      for (let slice = 0; slice < SYNC_POINTS; slice++) {
        const dataIndependent = pass === 0 && slice < SYNC_POINTS / 2;
        if (dataIndependent) {
          input.fill(0);
          input[0] = pass; input[2] = 0; input[4] = slice;
          input[6] = memoryBlocks; input[8] = tCost; input[10] = ARGON2_TYPE_ID;
        }
        let startingIndex = 0;
        if (pass === 0 && slice === 0) {
          startingIndex = 2;
          if (dataIndependent) nextAddresses();
        }
        let currOffset = slice * segmentLength + startingIndex;
        let prevOffset = currOffset % laneLength === 0 ? currOffset + laneLength - 1 : currOffset - 1;
        for (let i = startingIndex; i < segmentLength; i++, currOffset++, prevOffset++) {
          if (currOffset % laneLength === 1) prevOffset = currOffset - 1;
          let pseudoRand;
          if (dataIndependent) {
            if (i % ADDRESSES_IN_BLOCK === 0) nextAddresses();
            pseudoRand = address[2 * (i % ADDRESSES_IN_BLOCK)];
          } else {
            pseudoRand = memory[prevOffset * BLOCK_WORDS];
          }
          // index_alpha, one lane (the reference lane is always this lane).
          let areaSize;
          if (pass === 0) {
            areaSize = slice === 0 ? i - 1 : slice * segmentLength + i - 1;
          } else {
            areaSize = laneLength - segmentLength + i - 1;
          }
          let rel = mulHi(pseudoRand, pseudoRand);
          rel = areaSize - 1 - mulHi(areaSize, rel);
          const start = pass !== 0 && slice !== SYNC_POINTS - 1 ? (slice + 1) * segmentLength : 0;
          const refIndex = (start + rel) % laneLength;
          fillBlock(memory, prevOffset * BLOCK_WORDS, memory, refIndex * BLOCK_WORDS,
            memory, currOffset * BLOCK_WORDS, pass !== 0, r, z);
        }
      }
    }
    const finalBlock = wordsToBytes(memory, (laneLength - 1) * BLOCK_WORDS);
    const tag = hPrime(blake2b, outlen, finalBlock);
    finalBlock.fill(0);
    return tag;
  } finally {
    h0.fill(0);
    memory.fill(0);
    r.fill(0);
    z.fill(0);
    address.fill(0);
  }
}
