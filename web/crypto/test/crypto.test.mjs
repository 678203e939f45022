// Unit tests of clueline-crypto.mjs against docs/crypto-spec.md.
// Run: cd web && node --test crypto/test/
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import sodium from 'libsodium-wrappers';
import * as cc from '../clueline-crypto.mjs';
import { argon2id as hashWasmArgon2id } from 'hash-wasm';
import { assertFails, assertRejects, randomBytes, flipBit, sampleBits, equalBytes } from '../test-support/helpers.mjs';

before(async () => {
  await cc.ready();
  await sodium.ready;
});

const ascii = (s) => new Uint8Array(Buffer.from(s, 'latin1'));
const u32be = (x) => Uint8Array.of(x >>> 24, (x >>> 16) & 255, (x >>> 8) & 255, x & 255);

/** crypto_pwhash(outlen, password, salt, opslimit, memlimit, ALG_ARGON2ID13) computed with hash-wasm, mapped as the module maps it. */
const pwhash = (outlen, password, salt, opslimit, memlimit) => hashWasmArgon2id({
  password, salt, iterations: opslimit, parallelism: 1, memorySize: Math.floor(memlimit / 1024), hashLength: outlen, outputType: 'binary',
});

// ---------------------------------------------------------------------------
describe('base64url', () => {
  test('round trips and matches node\'s base64url for lengths 0..200', () => {
    for (let n = 0; n <= 200; n++) {
      const b = randomBytes(n);
      const text = cc.base64urlEncode(b);
      assert.equal(text, Buffer.from(b).toString('base64url'));
      assert.ok(equalBytes(cc.base64urlDecode(text), b));
    }
  });

  test('known values', () => {
    assert.equal(cc.base64urlEncode(new Uint8Array(0)), '');
    assert.equal(cc.base64urlEncode(Uint8Array.of(0xfb, 0xff)), '-_8');
    assert.equal(cc.base64urlEncode(ascii('foobar')), 'Zm9vYmFy');
    assert.ok(equalBytes(cc.base64urlDecode('-_8'), Uint8Array.of(0xfb, 0xff)));
  });

  test('strict decoder', () => {
    const bad = [
      'AA==', 'AA=', 'AAA=', 'Zm9vYg==', // padding
      ' AAA', 'AA AA', 'AAAA\n', '\tAAA', // whitespace
      '+/AA', 'AA/A', 'AA+A', 'AA.A', 'AAé', 'AA\u0000A', // characters outside the alphabet
      'A', 'AAAAA', // length 4k+1
      'AB', 'AAB', 'Zm9vYh', 'Zm9vYmE', 'Zm9vYmF', // non-canonical trailing bits (canonical: AA, AAA, Zm9vYg, Zm9vYmE? see below)
    ];
    // 'Zm9vYmE' is canonical ("fooba"); keep the list honest:
    for (const text of bad.filter((t) => t !== 'Zm9vYmE')) assertFails(() => cc.base64urlDecode(text), 'invalid_argument', text);
    assert.ok(equalBytes(cc.base64urlDecode('Zm9vYmE'), ascii('fooba')));
    assert.ok(equalBytes(cc.base64urlDecode('AA'), Uint8Array.of(0)));
    assert.ok(equalBytes(cc.base64urlDecode('AAA'), Uint8Array.of(0, 0)));
    assertFails(() => cc.base64urlDecode(null), 'invalid_argument');
    assertFails(() => cc.base64urlEncode('abc'), 'invalid_argument');
  });

  test('every non-canonical final character is refused', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let v = 0; v < 64; v++) {
      const two = 'A' + alphabet[v]; // 1 byte, 4 trailing bits
      if ((v & 15) === 0) assert.equal(cc.base64urlDecode(two).length, 1);
      else assertFails(() => cc.base64urlDecode(two), 'invalid_argument');
      const three = 'AA' + alphabet[v]; // 2 bytes, 2 trailing bits
      if ((v & 3) === 0) assert.equal(cc.base64urlDecode(three).length, 2);
      else assertFails(() => cc.base64urlDecode(three), 'invalid_argument');
    }
  });
});

// ---------------------------------------------------------------------------
describe('keys', () => {
  test('box key pairs', () => {
    const kp = cc.generateBoxKeyPair();
    assert.equal(kp.publicKey.length, 32);
    assert.equal(kp.secretKey.length, 32);
    const again = cc.boxKeyPairFromSecret(kp.secretKey);
    assert.ok(equalBytes(again.publicKey, kp.publicKey));
    assertFails(() => cc.boxKeyPairFromSecret(new Uint8Array(31)), 'invalid_argument');
  });

  test('key id is BLAKE2b-16 of the public key', () => {
    const kp = cc.generateBoxKeyPair();
    assert.equal(cc.keyId(kp.publicKey).length, 16);
    assert.ok(equalBytes(cc.keyId(kp.publicKey), sodium.crypto_generichash(16, kp.publicKey, null)));
    assertFails(() => cc.keyId(new Uint8Array(33)), 'invalid_argument');
  });

  test('signing key pairs', () => {
    const kp = cc.generateSigningKeyPair();
    assert.equal(kp.publicKey.length, 32);
    assert.equal(kp.secretKey.length, 64);
    assert.ok(equalBytes(kp.secretKey.subarray(32), kp.publicKey));
    const seed = randomBytes(32);
    const a = cc.signingKeyPairFromSeed(seed);
    const b = cc.signingKeyPairFromSeed(seed);
    assert.ok(equalBytes(a.secretKey, b.secretKey));
    assert.ok(equalBytes(a.secretKey.subarray(0, 32), seed));
    assertFails(() => cc.signingKeyPairFromSeed(new Uint8Array(64)), 'invalid_argument');
  });
});

// ---------------------------------------------------------------------------
describe('site token', () => {
  test('layout, round trip and extremes', () => {
    const kp = cc.generateSigningKeyPair();
    const fingerprint = sodium.crypto_generichash(16, kp.publicKey, null);
    assert.ok(equalBytes(cc.deploymentKeyFingerprint(kp.publicKey), fingerprint));
    assert.ok(equalBytes(cc.deploymentKeyFingerprint(kp.publicKey), cc.keyId(kp.publicKey)));
    assert.equal(cc.SITE_TOKEN_BYTES, 86);
    assert.equal(cc.SITE_TOKEN_LENGTH, 115);
    for (const [siteId, tokenVersion] of [[0, 0], [1, 1], [123456, 7], [0xffffffff, 0xffff]]) {
      const token = cc.signSiteToken({ siteId, tokenVersion }, kp.secretKey);
      assert.equal(token.length, 115);
      assert.match(token, /^[A-Za-z0-9_-]{115}$/);
      const raw = cc.base64urlDecode(token);
      assert.equal(raw.length, 86);
      assert.ok(equalBytes(raw.subarray(0, 4), u32be(siteId)));
      assert.equal((raw[4] << 8) | raw[5], tokenVersion);
      assert.ok(equalBytes(raw.subarray(6, 22), fingerprint));
      const message = new Uint8Array([...ascii('clueline/site-token/v2'), ...raw.subarray(0, 22)]);
      assert.ok(sodium.crypto_sign_verify_detached(raw.subarray(22), message, kp.publicKey));
      assert.deepEqual(cc.verifySiteToken(token, kp.publicKey), { siteId, tokenVersion });
      assert.deepEqual(cc.verifySiteTokenBytes(raw, kp.publicKey), { siteId, tokenVersion });
      assert.ok(equalBytes(cc.signSiteTokenBytes({ siteId, tokenVersion }, kp.secretKey), raw)); // Ed25519 is deterministic
      for (const parsed of [cc.parseSiteToken(token), cc.parseSiteToken(raw)]) {
        assert.equal(parsed.siteId, siteId);
        assert.equal(parsed.tokenVersion, tokenVersion);
        assert.ok(equalBytes(parsed.fingerprint, fingerprint));
        assert.ok(equalBytes(parsed.bytes, raw));
      }
    }
    assertFails(() => cc.deploymentKeyFingerprint(kp.publicKey.subarray(1)), 'invalid_argument');
    assertFails(() => cc.deploymentKeyFingerprint(kp.secretKey), 'invalid_argument');
  });

  test('a token made by libsodium directly verifies', () => {
    const kp = cc.generateSigningKeyPair();
    const signed = new Uint8Array([0, 0, 1, 0, 0, 9, ...sodium.crypto_generichash(16, kp.publicKey, null)]);
    const sig = sodium.crypto_sign_detached(new Uint8Array([...ascii('clueline/site-token/v2'), ...signed]), kp.secretKey);
    const raw = new Uint8Array([...signed, ...sig]);
    assert.deepEqual(cc.verifySiteTokenBytes(raw, kp.publicKey), { siteId: 256, tokenVersion: 9 });
    // The version 1 construction (no fingerprint, domain v1) is not a version 2 token.
    const v1 = new Uint8Array([0, 0, 1, 0, 0, 9, ...sodium.crypto_sign_detached(new Uint8Array([...ascii('clueline/site-token/v1'), 0, 0, 1, 0, 0, 9]), kp.secretKey)]);
    assert.equal(v1.length, 70);
    assertFails(() => cc.verifySiteTokenBytes(v1, kp.publicKey), 'invalid_argument');
    assertFails(() => cc.verifySiteToken(cc.base64urlEncode(v1), kp.publicKey), 'invalid_argument');
    assertFails(() => cc.parseSiteToken(cc.base64urlEncode(v1)), 'invalid_argument');
  });

  test('every single-bit flip is rejected', () => {
    const kp = cc.generateSigningKeyPair();
    const raw = cc.signSiteTokenBytes({ siteId: 4242, tokenVersion: 3 }, kp.secretKey);
    for (let bit = 0; bit < 86 * 8; bit++) {
      const bad = flipBit(raw, bit);
      assertFails(() => cc.verifySiteTokenBytes(bad, kp.publicKey), 'authentication_failed', `bit ${bit}`);
      assertFails(() => cc.verifySiteToken(cc.base64urlEncode(bad), kp.publicKey), 'authentication_failed', `bit ${bit}`);
    }
  });

  test('a token is checked with its own deployment key only', () => {
    const kp = cc.generateSigningKeyPair();
    const other = cc.generateSigningKeyPair();
    const raw = cc.signSiteTokenBytes({ siteId: 5, tokenVersion: 1 }, kp.secretKey);
    assertFails(() => cc.verifySiteTokenBytes(raw, other.publicKey), 'authentication_failed');
    // Fingerprint mismatch: the other key's fingerprint put in, the signature kept.
    const relabelled = new Uint8Array(raw);
    relabelled.set(cc.deploymentKeyFingerprint(other.publicKey), 6);
    assertFails(() => cc.verifySiteTokenBytes(relabelled, kp.publicKey), 'authentication_failed');
    assertFails(() => cc.verifySiteTokenBytes(relabelled, other.publicKey), 'authentication_failed');
    // Fingerprint mismatch with a valid signature: kp signs a token naming the other key.
    const signed = new Uint8Array([...raw.subarray(0, 6), ...cc.deploymentKeyFingerprint(other.publicKey)]);
    const forged = new Uint8Array([...signed, ...sodium.crypto_sign_detached(new Uint8Array([...ascii('clueline/site-token/v2'), ...signed]), kp.secretKey)]);
    assert.equal(forged.length, 86);
    assertFails(() => cc.verifySiteTokenBytes(forged, kp.publicKey), 'authentication_failed'); // fingerprint
    assertFails(() => cc.verifySiteTokenBytes(forged, other.publicKey), 'authentication_failed'); // signature
    // A correct fingerprint but another deployment's signature.
    const stolen = new Uint8Array([...raw.subarray(0, 22), ...cc.signSiteTokenBytes({ siteId: 5, tokenVersion: 1 }, other.secretKey).subarray(22)]);
    assertFails(() => cc.verifySiteTokenBytes(stolen, kp.publicKey), 'authentication_failed');
  });

  test('wrong key, wrong lengths, bad encodings', () => {
    const kp = cc.generateSigningKeyPair();
    const other = cc.generateSigningKeyPair();
    const token = cc.signSiteToken({ siteId: 1, tokenVersion: 1 }, kp.secretKey);
    assertFails(() => cc.verifySiteToken(token, other.publicKey), 'authentication_failed');
    assertFails(() => cc.verifySiteToken(token, new Uint8Array(32)), 'authentication_failed');
    assertFails(() => cc.verifySiteToken(token.slice(0, 114), kp.publicKey), 'invalid_argument');
    assertFails(() => cc.verifySiteToken(token + 'A', kp.publicKey), 'invalid_argument');
    assertFails(() => cc.verifySiteToken(token.slice(0, 114) + '=', kp.publicKey), 'invalid_argument');
    assertFails(() => cc.verifySiteToken(token.slice(0, 50) + ' ' + token.slice(51), kp.publicKey), 'invalid_argument');
    assertFails(() => cc.verifySiteToken(token, kp.publicKey.subarray(0, 31)), 'invalid_argument');
    assertFails(() => cc.verifySiteToken(cc.base64urlDecode(token), kp.publicKey), 'invalid_argument');
    const raw = cc.base64urlDecode(token);
    assertFails(() => cc.verifySiteTokenBytes(raw.subarray(0, 85), kp.publicKey), 'invalid_argument');
    assertFails(() => cc.verifySiteTokenBytes(new Uint8Array([...raw, 0]), kp.publicKey), 'invalid_argument');
    assertFails(() => cc.parseSiteToken(raw.subarray(0, 85)), 'invalid_argument');
    assertFails(() => cc.parseSiteToken(token.slice(1)), 'invalid_argument');
    for (const fields of [{ siteId: -1, tokenVersion: 0 }, { siteId: 2 ** 32, tokenVersion: 0 }, { siteId: 1.5, tokenVersion: 0 },
      { siteId: 1, tokenVersion: 65536 }, { siteId: 1 }, null]) {
      assertFails(() => cc.signSiteToken(fields, kp.secretKey), 'invalid_argument');
    }
    assertFails(() => cc.signSiteToken({ siteId: 1, tokenVersion: 1 }, kp.secretKey.subarray(0, 32)), 'invalid_argument');
    // A secret key whose public half is not its seed's would sign under a fingerprint it does not own.
    const mixed = new Uint8Array([...kp.secretKey.subarray(0, 32), ...other.publicKey]);
    assertFails(() => cc.signSiteToken({ siteId: 1, tokenVersion: 1 }, mixed), 'invalid_argument');
  });
});

// ---------------------------------------------------------------------------
describe('unit key certificate (spec §3.1)', () => {
  const DAY = 86400;
  let deployment, unit, fields;

  before(() => {
    deployment = cc.generateSigningKeyPair();
    unit = cc.generateBoxKeyPair();
    fields = { unitId: 4, parentId: 3, level: 'township', publicKey: unit.publicKey, notBefore: 1_800_000_000, notAfter: 1_800_000_000 + 730 * DAY };
  });

  const u64be = (x) => {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, BigInt(x));
    return out;
  };
  /** The signed fields built by hand from the spec (key id given, so that it can be wrong). */
  const fieldBytes = (f, id = sodium.crypto_generichash(16, f.publicKey, null)) => new Uint8Array([
    ...u32be(f.unitId), ...u32be(f.parentId), f.level.length, ...ascii(f.level), ...id, ...f.publicKey, ...u64be(f.notBefore), ...u64be(f.notAfter)]);
  /** A certificate signed by libsodium directly over any field bytes. */
  const signRaw = (body, secretKey) =>
    new Uint8Array([...body, ...sodium.crypto_sign_detached(new Uint8Array([...ascii('clueline/unit-key-certificate/v1'), ...body]), secretKey)]);

  test('layout, round trip and extremes', () => {
    assert.equal(cc.UNIT_KEY_CERTIFICATE_DEFAULT_DAYS, 730);
    const cases = [
      fields,
      { ...fields, unitId: 1, parentId: 0, level: 'c' },
      { ...fields, unitId: 0xffffffff, parentId: 0xffffffff, level: 'a_9'.repeat(10) + 'zz', notBefore: 0, notAfter: Number.MAX_SAFE_INTEGER },
      { ...fields, notBefore: 0, notAfter: 1 },
    ];
    for (const f of cases) {
      const cert = cc.signUnitKeyCertificate(f, deployment.secretKey);
      assert.equal(cert.length, 137 + f.level.length);
      assert.ok(cert.length >= cc.UNIT_KEY_CERTIFICATE_MIN_BYTES && cert.length <= cc.UNIT_KEY_CERTIFICATE_MAX_BYTES);
      const body = fieldBytes(f);
      assert.ok(equalBytes(cert.subarray(0, body.length), body));
      assert.ok(sodium.crypto_sign_verify_detached(cert.subarray(body.length), new Uint8Array([...ascii('clueline/unit-key-certificate/v1'), ...body]), deployment.publicKey));
      assert.ok(equalBytes(cc.signUnitKeyCertificate(f, deployment.secretKey), cert), 'deterministic');
      assert.ok(equalBytes(signRaw(body, deployment.secretKey), cert));
      const expected = { unitId: f.unitId, parentId: f.parentId, level: f.level, keyId: cc.keyId(f.publicKey), publicKey: f.publicKey,
        notBefore: f.notBefore, notAfter: f.notAfter };
      for (const input of [cert, cc.base64urlEncode(cert)]) {
        assert.deepEqual(cc.verifyUnitKeyCertificate(input, deployment.publicKey), expected);
        assert.deepEqual(cc.parseUnitKeyCertificate(input), expected);
      }
    }
    assert.equal(cc.signUnitKeyCertificate({ ...fields, level: 'c' }, deployment.secretKey).length, 138);
    assert.equal(cc.signUnitKeyCertificate({ ...fields, level: 'x'.repeat(32) }, deployment.secretKey).length, 169);
  });

  test('another deployment key does not verify it', () => {
    const cert = cc.signUnitKeyCertificate(fields, deployment.secretKey);
    assertFails(() => cc.verifyUnitKeyCertificate(cert, cc.generateSigningKeyPair().publicKey), 'authentication_failed');
    assertFails(() => cc.verifyUnitKeyCertificate(cert, new Uint8Array(32)), 'authentication_failed');
    assertFails(() => cc.verifyUnitKeyCertificate(cc.signUnitKeyCertificate(fields, cc.generateSigningKeyPair().secretKey), deployment.publicKey),
      'authentication_failed');
    // Not interchangeable with a site token signature by the same key.
    const token = cc.signSiteTokenBytes({ siteId: 1, tokenVersion: 1 }, deployment.secretKey);
    const spliced = new Uint8Array([...cert.subarray(0, cert.length - 64), ...token.subarray(22)]);
    assertFails(() => cc.verifyUnitKeyCertificate(spliced, deployment.publicKey), 'authentication_failed');
    // Only the certificate domain string: the same fields signed under another domain (the
    // wrapped-key string of §9.3, the site token's) are refused.
    const body = fieldBytes(fields);
    for (const domain of ['clueline/unit-key/v1', 'clueline/site-token/v2', '']) {
      const other = new Uint8Array([...body, ...sodium.crypto_sign_detached(new Uint8Array([...ascii(domain), ...body]), deployment.secretKey)]);
      assertFails(() => cc.verifyUnitKeyCertificate(other, deployment.publicKey), 'authentication_failed', domain);
    }
  });

  test('every field tampered, signature kept, is refused', () => {
    const cert = cc.signUnitKeyCertificate(fields, deployment.secretKey);
    const sig = cert.subarray(cert.length - 64);
    const other = cc.generateBoxKeyPair();
    const withSig = (f, id) => new Uint8Array([...fieldBytes(f, id), ...sig]);
    const cases = {
      unit_id: withSig({ ...fields, unitId: 5 }),
      parent_id: withSig({ ...fields, parentId: 0 }),
      level: withSig({ ...fields, level: 'townshiq' }),
      'level (other length)': withSig({ ...fields, level: 'county' }),
      key_id: withSig(fields, cc.keyId(other.publicKey)),
      public_key: withSig({ ...fields, publicKey: other.publicKey }, cc.keyId(fields.publicKey)),
      'public_key and key_id': withSig({ ...fields, publicKey: other.publicKey }),
      not_before: withSig({ ...fields, notBefore: fields.notBefore - 1 }),
      not_after: withSig({ ...fields, notAfter: fields.notAfter + 1 }),
      signature: new Uint8Array([...fieldBytes(fields), ...flipBit(sig, 100)]),
    };
    for (const [name, bad] of Object.entries(cases)) {
      assertFails(() => cc.verifyUnitKeyCertificate(bad, deployment.publicKey), 'authentication_failed', name);
      assert.doesNotThrow(() => cc.parseUnitKeyCertificate(bad), name); // well formed, only unauthentic
    }
  });

  test('every single-bit flip is refused', () => {
    const cert = cc.signUnitKeyCertificate(fields, deployment.secretKey); // level 'township': 8 bytes
    const at = { level: 9, keyId: 17, publicKey: 33, times: 65, signature: 81 };
    for (let bit = 0; bit < cert.length * 8; bit++) {
      const byte = bit >>> 3;
      const e = assertFails(() => cc.verifyUnitKeyCertificate(flipBit(cert, bit), deployment.publicKey), undefined, `bit ${bit}`);
      // The fixed fields (ids, key id, public key, signature) only ever fail authentication.
      if (byte < 8 || (byte >= at.keyId && byte < at.times) || byte >= at.signature) assert.equal(e.code, 'authentication_failed', `bit ${bit}`);
      if (byte === 8) assert.equal(e.code, 'invalid_argument', `bit ${bit}: the level length no longer fits`);
    }
  });

  test('a signed certificate whose key id is not its public key\'s is refused', () => {
    const forged = signRaw(fieldBytes(fields, cc.keyId(cc.generateBoxKeyPair().publicKey)), deployment.secretKey);
    assert.deepEqual(cc.parseUnitKeyCertificate(forged).unitId, 4);
    assertFails(() => cc.verifyUnitKeyCertificate(forged, deployment.publicKey), 'authentication_failed');
  });

  test('malformed certificates (signed or not) are invalid_argument', () => {
    const cert = cc.signUnitKeyCertificate(fields, deployment.secretKey);
    for (let len = 0; len < cert.length; len++) {
      assertFails(() => cc.verifyUnitKeyCertificate(cert.subarray(0, len), deployment.publicKey), 'invalid_argument', `length ${len}`);
    }
    assertFails(() => cc.verifyUnitKeyCertificate(new Uint8Array([...cert, 0]), deployment.publicKey), 'invalid_argument');
    assertFails(() => cc.parseUnitKeyCertificate(new Uint8Array([...cert, ...new Uint8Array(20)])), 'invalid_argument');
    const signedBadly = {
      'empty level': signRaw(fieldBytes({ ...fields, level: '' }), deployment.secretKey),
      'level of 33': signRaw(fieldBytes({ ...fields, level: 'x'.repeat(33) }), deployment.secretKey),
      'upper-case level': signRaw(fieldBytes({ ...fields, level: 'Township' }), deployment.secretKey),
      'level with a hyphen': signRaw(fieldBytes({ ...fields, level: 'town-ship' }), deployment.secretKey),
      'not_before = not_after': signRaw(fieldBytes({ ...fields, notAfter: fields.notBefore }), deployment.secretKey),
      'not_before > not_after': signRaw(fieldBytes({ ...fields, notBefore: fields.notAfter, notAfter: fields.notBefore }), deployment.secretKey),
    };
    for (const [name, bad] of Object.entries(signedBadly)) {
      assertFails(() => cc.parseUnitKeyCertificate(bad), 'invalid_argument', name);
      assertFails(() => cc.verifyUnitKeyCertificate(bad, deployment.publicKey), 'invalid_argument', name);
    }
    // Times a JavaScript number cannot hold exactly are refused, not rounded.
    const huge = cert.slice();
    new DataView(huge.buffer).setBigUint64(9 + 8 + 48 + 8, 2n ** 64n - 1n);
    assertFails(() => cc.parseUnitKeyCertificate(huge), 'invalid_argument');
    for (const text of [cc.base64urlEncode(cert) + '=', ' ' + cc.base64urlEncode(cert), '']) {
      assertFails(() => cc.verifyUnitKeyCertificate(text, deployment.publicKey), 'invalid_argument', JSON.stringify(text));
    }
    assertFails(() => cc.verifyUnitKeyCertificate(null, deployment.publicKey), 'invalid_argument');
    assertFails(() => cc.verifyUnitKeyCertificate(cert, deployment.publicKey.subarray(1)), 'invalid_argument');
  });

  test('signing argument checks', () => {
    const bad = [
      { unitId: -1 }, { unitId: 2 ** 32 }, { unitId: 1.5 }, { unitId: '4' }, { parentId: -1 }, { parentId: undefined },
      { level: '' }, { level: 'x'.repeat(33) }, { level: 'County' }, { level: 'a b' }, { level: 'bribé' }, { level: 7 },
      { publicKey: unit.publicKey.subarray(1) }, { publicKey: cc.base64urlEncode(unit.publicKey) },
      { notBefore: fields.notAfter }, { notBefore: fields.notAfter + 1 }, { notBefore: -1 }, { notBefore: 1.5 },
      { notAfter: 2 ** 53 }, { notAfter: Infinity }, { notAfter: undefined },
    ];
    for (const change of bad) {
      assertFails(() => cc.signUnitKeyCertificate({ ...fields, ...change }, deployment.secretKey), 'invalid_argument', JSON.stringify(change));
    }
    assertFails(() => cc.signUnitKeyCertificate(null, deployment.secretKey), 'invalid_argument');
    assertFails(() => cc.signUnitKeyCertificate(fields, deployment.secretKey.subarray(0, 32)), 'invalid_argument');
  });
});

// ---------------------------------------------------------------------------
describe('verified unit keys (spec §3.1 checks, §5.1)', () => {
  const DAY = 86400;
  const NOW = 1_800_000_000;
  const b64 = (x) => cc.base64urlEncode(x);
  let deployment, attacker, token, attackerBox, units;

  before(() => {
    deployment = cc.generateSigningKeyPair();
    attacker = cc.generateSigningKeyPair();
    attackerBox = cc.generateBoxKeyPair();
    token = cc.signSiteToken({ siteId: 7, tokenVersion: 2 }, deployment.secretKey);
    // The handling township, its county (two keys: a rotation) and the city above.
    units = [
      { id: 4, parent: 3, name: 'Dongshan township', level: 'township', role: 'handling', keys: [cc.generateBoxKeyPair()] },
      { id: 3, parent: 2, name: 'Demo county', level: 'county', role: 'oversight', keys: [cc.generateBoxKeyPair(), cc.generateBoxKeyPair()] },
      { id: 2, parent: 0, name: 'Demo city', level: 'city', role: 'oversight', keys: [cc.generateBoxKeyPair()] },
    ];
  });

  /** One served key: its certificate by `signer` for (unitId, level) unless told otherwise. */
  function servedKey(u, publicKey, { signer = deployment.secretKey, unitId = u.id, level = u.level, notBefore = NOW - DAY, notAfter = NOW + 730 * DAY } = {}) {
    const certificate = cc.signUnitKeyCertificate({ unitId, parentId: u.parent, level, publicKey, notBefore, notAfter }, signer);
    return { key_id: b64(cc.keyId(publicKey)), public_key: b64(publicKey), certificate: b64(certificate) };
  }

  function genuineRoute() {
    return {
      deployment_key: b64(deployment.publicKey),
      recipients: units.map((u) => ({ unit_id: u.id, unit_name: u.name, level: u.level, role: u.role, keys: u.keys.map((k) => servedKey(u, k.publicKey)) })),
      pow: { challenge: b64(randomBytes(32)), difficulty: 16, expires_at: '2027-01-15T08:02:00Z' },
      receipt_salt: b64(randomBytes(16)),
    };
  }

  function genuineFollowup() {
    const u = units[1];
    return {
      clue_id: b64(randomBytes(16)),
      status: 'received',
      deployment_key: b64(deployment.publicKey),
      unit: { id: u.id, name: u.name, level: u.level, keys: u.keys.map((k) => servedKey(u, k.publicKey)) },
    };
  }

  const allKeys = () => units.flatMap((u) => u.keys.map((k) => k.publicKey));

  // What a hostile server (or a broken one) might serve. Each mutation gets
  // the answer, the unit object under attack (an oversight unit in a route,
  // the unit of a follow-up) and its model, and changes the answer.
  const refusals = [
    ['a swapped public_key (attacker key, original certificate kept)', (answer, target) => {
      target.keys[0].public_key = b64(attackerBox.publicKey);
      target.keys[0].key_id = b64(cc.keyId(attackerBox.publicKey));
    }, 'authentication_failed'],
    ['a swapped public_key with the old key_id', (answer, target) => {
      target.keys[0].public_key = b64(attackerBox.publicKey);
    }, 'authentication_failed'],
    ['a swapped key_id', (answer, target) => {
      target.keys[0].key_id = b64(cc.keyId(attackerBox.publicKey));
    }, 'authentication_failed'],
    ['an attacker key with a certificate signed by another deployment key', (answer, target, u) => {
      target.keys[0] = servedKey(u, attackerBox.publicKey, { signer: attacker.secretKey });
    }, 'authentication_failed'],
    ['the genuine key with a certificate signed by another deployment key', (answer, target, u) => {
      target.keys[1] = servedKey(u, u.keys[1].publicKey, { signer: attacker.secretKey });
    }, 'authentication_failed'],
    ['deployment_key swapped for the attacker\'s, every certificate re-signed by the attacker', (answer) => {
      answer.deployment_key = b64(attacker.publicKey);
      for (const target of answer.recipients ?? [answer.unit]) {
        const u = units.find((x) => x.id === (target.unit_id ?? target.id));
        target.keys = target.keys.map((k, i) => servedKey(u, i === 0 ? attackerBox.publicKey : u.keys[i].publicKey, { signer: attacker.secretKey }));
      }
    }, 'authentication_failed'],
    ['a certificate for another unit id', (answer, target, u) => {
      target.keys[0] = servedKey(u, u.keys[0].publicKey, { unitId: 4 });
    }, 'authentication_failed'],
    ['a certificate for another level', (answer, target, u) => {
      target.keys[0] = servedKey(u, u.keys[0].publicKey, { level: 'township' });
    }, 'authentication_failed'],
    ['another unit\'s genuine key and certificate', (answer, target) => {
      target.keys[0] = servedKey(units[0], units[0].keys[0].publicKey);
    }, 'authentication_failed'],
    ['the unit\'s level changed in the answer', (answer, target) => {
      target.level = 'city';
    }, 'authentication_failed'],
    ['the unit\'s id changed in the answer', (answer, target) => {
      if ('unit_id' in target) target.unit_id = 5;
      else target.id = 5;
    }, 'authentication_failed'],
    ['an expired certificate', (answer, target, u) => {
      target.keys[1] = servedKey(u, u.keys[1].publicKey, { notBefore: NOW - 731 * DAY, notAfter: NOW - 1 });
    }, 'authentication_failed'],
    ['a certificate not yet valid', (answer, target, u) => {
      target.keys[1] = servedKey(u, u.keys[1].publicKey, { notBefore: NOW + 1, notAfter: NOW + 730 * DAY });
    }, 'authentication_failed'],
    ['a key without certificate', (answer, target) => {
      delete target.keys[0].certificate;
    }, 'authentication_failed'],
    ['a key whose certificate is null', (answer, target) => {
      target.keys[1].certificate = null;
    }, 'authentication_failed'],
    ['a certificate with a tampered byte', (answer, target) => {
      const raw = cc.base64urlDecode(target.keys[0].certificate);
      raw[2] ^= 1;
      target.keys[0].certificate = b64(raw);
    }, 'authentication_failed'],
    ['a truncated certificate', (answer, target) => {
      target.keys[0].certificate = b64(cc.base64urlDecode(target.keys[0].certificate).subarray(0, 137));
    }, 'invalid_argument'],
    ['a certificate with a byte appended', (answer, target) => {
      target.keys[0].certificate = b64(new Uint8Array([...cc.base64urlDecode(target.keys[0].certificate), 0]));
    }, 'invalid_argument'],
    ['a certificate that is not base64url', (answer, target) => {
      target.keys[0].certificate = target.keys[0].certificate.replace(/^./, '+');
    }, 'invalid_argument'],
    ['a unit without keys', (answer, target) => {
      target.keys = [];
    }, 'invalid_argument'],
    ['a malformed public_key', (answer, target) => {
      target.keys[0].public_key = target.keys[0].public_key.slice(1);
    }, 'invalid_argument'],
    ['no deployment_key', (answer) => {
      delete answer.deployment_key;
    }, 'invalid_argument'],
    ['a short deployment_key', (answer) => {
      answer.deployment_key = b64(deployment.publicKey.subarray(1));
    }, 'invalid_argument'],
  ];

  describe('verifiedRouteKeys', () => {
    test('a genuine route gives every recipient\'s keys, in order', () => {
      const keys = cc.verifiedRouteKeys(genuineRoute(), token, { nowSeconds: NOW });
      assert.equal(keys.length, 4);
      keys.forEach((k, i) => assert.ok(equalBytes(k, allKeys()[i]), `key ${i}`));
      // The token as raw bytes, and the validity boundaries (both ends inclusive).
      assert.equal(cc.verifiedRouteKeys(genuineRoute(), cc.base64urlDecode(token), { nowSeconds: NOW }).length, 4);
      assert.equal(cc.verifiedRouteKeys(genuineRoute(), token, { nowSeconds: NOW - DAY }).length, 4);
      assert.equal(cc.verifiedRouteKeys(genuineRoute(), token, { nowSeconds: NOW + 730 * DAY }).length, 4);
      assertFails(() => cc.verifiedRouteKeys(genuineRoute(), token, { nowSeconds: NOW - DAY - 1 }), 'authentication_failed');
      assertFails(() => cc.verifiedRouteKeys(genuineRoute(), token, { nowSeconds: NOW + 730 * DAY + 1 }), 'authentication_failed');
      // Any poster of the deployment will do: the fingerprint is the deployment's.
      const otherSite = cc.signSiteToken({ siteId: 99, tokenVersion: 1 }, deployment.secretKey);
      assert.equal(cc.verifiedRouteKeys(genuineRoute(), otherSite, { nowSeconds: NOW }).length, 4);
    });

    test('the keys seal an envelope every recipient opens', () => {
      const keys = cc.verifiedRouteKeys(genuineRoute(), token, { nowSeconds: NOW });
      const challenge = randomBytes(32);
      const env = cc.sealEnvelope({
        siteToken: token, category: 'bribery', accusedLevel: 'township', replyPublicKey: cc.generateBoxKeyPair().publicKey,
        receiptLookupHash: randomBytes(32), powChallenge: challenge, powNonce: cc.solvePow(challenge, 2),
      }, keys, '{"v":1,"text":"t"}');
      for (const u of units) for (const k of u.keys) assert.equal(cc.openEnvelope(env, k), '{"v":1,"text":"t"}');
    });

    test('the default clock is the system clock', () => {
      const now = Math.floor(Date.now() / 1000);
      const u = units[0];
      const route = {
        deployment_key: b64(deployment.publicKey),
        recipients: [{ unit_id: u.id, level: u.level, keys: [servedKey(u, u.keys[0].publicKey, { notBefore: now - 60, notAfter: now + 3600 })] }],
      };
      assert.equal(cc.verifiedRouteKeys(route, token).length, 1);
      route.recipients[0].keys = [servedKey(u, u.keys[0].publicKey, { notBefore: now - 7200, notAfter: now - 3600 })];
      const e = assertFails(() => cc.verifiedRouteKeys(route, token), 'authentication_failed');
      assert.match(e.message, /unit 4.*expired/);
    });

    for (const [name, mutate, code] of refusals) {
      test(`refuses ${name}`, () => {
        const route = genuineRoute();
        mutate(route, route.recipients[1], units[1]);
        assert.throws(() => cc.verifiedRouteKeys(route, token, { nowSeconds: NOW }), (e) => e instanceof cc.CluelineCryptoError && e.code === code);
      });
    }

    test('the deployment key swap passes only with the attacker\'s own poster', () => {
      const route = genuineRoute();
      refusals.find(([name]) => name.startsWith('deployment_key swapped'))[1](route);
      const e = assertFails(() => cc.verifiedRouteKeys(route, token, { nowSeconds: NOW }), 'authentication_failed');
      assert.match(e.message, /deployment_key/);
      // What the token fingerprint stops: a poster of the attacker's would accept it.
      const attackerPoster = cc.signSiteToken({ siteId: 7, tokenVersion: 2 }, attacker.secretKey);
      assert.ok(equalBytes(cc.verifiedRouteKeys(route, attackerPoster, { nowSeconds: NOW })[1], attackerBox.publicKey));
      // A genuine poster with another fingerprint swapped in is no longer genuine.
      const relabelled = cc.base64urlDecode(token);
      relabelled.set(cc.deploymentKeyFingerprint(attacker.publicKey), 6);
      assertFails(() => cc.verifiedRouteKeys(route, relabelled, { nowSeconds: NOW }), 'authentication_failed');
    });

    test('messages name the unit; expired and not yet valid are told apart', () => {
      const route = genuineRoute();
      route.recipients[2].keys[0] = servedKey(units[2], units[2].keys[0].publicKey, { notBefore: NOW - 10 * DAY, notAfter: NOW - DAY });
      assert.match(assertFails(() => cc.verifiedRouteKeys(route, token, { nowSeconds: NOW }), 'authentication_failed').message, /unit 2 \(Demo city\).*expired/);
      route.recipients[2].keys[0] = servedKey(units[2], units[2].keys[0].publicKey, { notBefore: NOW + DAY, notAfter: NOW + 10 * DAY });
      assert.match(assertFails(() => cc.verifiedRouteKeys(route, token, { nowSeconds: NOW }), 'authentication_failed').message, /unit 2 \(Demo city\).*not valid before/);
      const noCert = genuineRoute();
      delete noCert.recipients[0].keys[0].certificate;
      assert.match(assertFails(() => cc.verifiedRouteKeys(noCert, token, { nowSeconds: NOW })).message, /unit 4 .*certificate/);
    });

    test('malformed answers, tokens and clocks', () => {
      assertFails(() => cc.verifiedRouteKeys(null, token, { nowSeconds: NOW }), 'invalid_argument');
      assertFails(() => cc.verifiedRouteKeys({ ...genuineRoute(), recipients: [] }, token, { nowSeconds: NOW }), 'invalid_argument');
      assertFails(() => cc.verifiedRouteKeys({ ...genuineRoute(), recipients: undefined }, token, { nowSeconds: NOW }), 'invalid_argument');
      assertFails(() => cc.verifiedRouteKeys(genuineRoute(), token.slice(1), { nowSeconds: NOW }), 'invalid_argument');
      assertFails(() => cc.verifiedRouteKeys(genuineRoute(), null, { nowSeconds: NOW }), 'invalid_argument');
      for (const nowSeconds of [-1, 1.5, '1800000000', 2 ** 53]) {
        assertFails(() => cc.verifiedRouteKeys(genuineRoute(), token, { nowSeconds }), 'invalid_argument', String(nowSeconds));
      }
      const route = genuineRoute();
      route.recipients[0].unit_id = undefined;
      assertFails(() => cc.verifiedRouteKeys(route, token, { nowSeconds: NOW }), 'invalid_argument');
    });
  });

  describe('verifiedFollowupKeys', () => {
    test('a genuine follow-up answer gives the unit\'s keys, and a message sealed to them opens', () => {
      const keys = cc.verifiedFollowupKeys(genuineFollowup(), token, { nowSeconds: NOW });
      assert.equal(keys.length, 2);
      keys.forEach((k, i) => assert.ok(equalBytes(k, units[1].keys[i].publicKey)));
      const otherSite = cc.signSiteToken({ siteId: 123, tokenVersion: 9 }, deployment.secretKey);
      assert.equal(cc.verifiedFollowupKeys(genuineFollowup(), cc.base64urlDecode(otherSite), { nowSeconds: NOW }).length, 2);
      const clueId = randomBytes(16);
      const payload = cc.sealPayload('message', clueId, keys, 'more evidence');
      for (const k of units[1].keys) assert.equal(Buffer.from(cc.openPayload('message', clueId, payload, k)).toString('utf8'), 'more evidence');
    });

    for (const [name, mutate, code] of refusals) {
      test(`refuses ${name}`, () => {
        const followup = genuineFollowup();
        mutate(followup, followup.unit, units[1]);
        assert.throws(() => cc.verifiedFollowupKeys(followup, token, { nowSeconds: NOW }), (e) => e instanceof cc.CluelineCryptoError && e.code === code);
      });
    }

    test('a token of another deployment, and a missing unit', () => {
      const stranger = cc.signSiteToken({ siteId: 7, tokenVersion: 2 }, attacker.secretKey);
      assertFails(() => cc.verifiedFollowupKeys(genuineFollowup(), stranger, { nowSeconds: NOW }), 'authentication_failed');
      assertFails(() => cc.verifiedFollowupKeys({ ...genuineFollowup(), unit: undefined }, token, { nowSeconds: NOW }), 'invalid_argument');
      assertFails(() => cc.verifiedFollowupKeys({ ...genuineFollowup(), unit: null }, token, { nowSeconds: NOW }), 'invalid_argument');
    });
  });

  describe('verifiedUnitKeys', () => {
    test('takes id or unit_id, and checks every key', () => {
      const u = units[1];
      const served = u.keys.map((k) => servedKey(u, k.publicKey));
      for (const unit of [{ id: 3, level: 'county', keys: served }, { unit_id: 3, level: 'county', keys: served }]) {
        assert.equal(cc.verifiedUnitKeys(unit, deployment.publicKey, { nowSeconds: NOW }).length, 2);
      }
      // key_id is optional; when present it must be the key's.
      const bare = served.map(({ public_key, certificate }) => ({ public_key, certificate }));
      assert.equal(cc.verifiedUnitKeys({ id: 3, level: 'county', keys: bare }, deployment.publicKey, { nowSeconds: NOW }).length, 2);
      assertFails(() => cc.verifiedUnitKeys({ id: 3, level: 'county', keys: served }, attacker.publicKey, { nowSeconds: NOW }), 'authentication_failed');
      assertFails(() => cc.verifiedUnitKeys({ id: 3, level: 'county', keys: served }, deployment.publicKey.subarray(1), { nowSeconds: NOW }), 'invalid_argument');
      assertFails(() => cc.verifiedUnitKeys({ id: 3, keys: served }, deployment.publicKey, { nowSeconds: NOW }), 'invalid_argument');
      assertFails(() => cc.verifiedUnitKeys({ id: 3, level: 'county', keys: [null] }, deployment.publicKey, { nowSeconds: NOW }), 'invalid_argument');
    });
  });
});

// ---------------------------------------------------------------------------
describe('proof of work', () => {
  test('leadingZeroBits', () => {
    assert.equal(cc.leadingZeroBits(new Uint8Array(0)), 0);
    assert.equal(cc.leadingZeroBits(Uint8Array.of(0x80)), 0);
    assert.equal(cc.leadingZeroBits(Uint8Array.of(0x01)), 7);
    assert.equal(cc.leadingZeroBits(Uint8Array.of(0x00, 0x40)), 9);
    assert.equal(cc.leadingZeroBits(Uint8Array.of(0x00, 0x00, 0x00, 0x0f)), 28);
    assert.equal(cc.leadingZeroBits(new Uint8Array(32)), 256);
  });

  test('solvePow returns the first counter that works', () => {
    for (const difficulty of [0, 1, 5, 8, 11]) {
      const challenge = randomBytes(32);
      const nonce = cc.solvePow(challenge, difficulty);
      assert.equal(nonce.length, 8);
      assert.ok(cc.verifyPow(challenge, nonce, difficulty));
      const counter = Number(Buffer.from(nonce).readBigUInt64BE(0));
      for (let c = 0; c < counter; c++) {
        const earlier = new Uint8Array(8);
        new DataView(earlier.buffer).setBigUint64(0, BigInt(c));
        assert.ok(!cc.verifyPow(challenge, earlier, difficulty), `counter ${c} < ${counter} also solves`);
      }
      const h = sodium.crypto_generichash(32, new Uint8Array([...challenge, ...nonce]), null);
      assert.ok(cc.leadingZeroBits(h) >= difficulty);
      if (difficulty === 0) assert.ok(equalBytes(nonce, new Uint8Array(8)));
    }
  });

  test('difficulty 16 and verification failures', () => {
    const challenge = randomBytes(32);
    const nonce = cc.solvePow(challenge, 16);
    assert.ok(cc.verifyPow(challenge, nonce, 16));
    assert.ok(cc.verifyPow(challenge, nonce, 0));
    const other = randomBytes(32);
    // A different challenge accepts this nonce with probability 2^-16.
    assert.ok(!cc.verifyPow(other, nonce, 16) || cc.solvePow(other, 16).every((b, i) => b === nonce[i]));
    assertFails(() => cc.solvePow(challenge, 33), 'invalid_argument');
    assertFails(() => cc.solvePow(challenge, -1), 'invalid_argument');
    assertFails(() => cc.solvePow(challenge.subarray(1), 4), 'invalid_argument');
    assertFails(() => cc.verifyPow(challenge, nonce.subarray(1), 4), 'invalid_argument');
    assertFails(() => cc.verifyPow(challenge, nonce, 1.5), 'invalid_argument');
  });

  test('onProgress reports every 65,536 hashes and leaves the nonce unchanged', () => {
    assert.equal(cc.POW_PROGRESS_INTERVAL, 65536);
    // Challenges whose first solution at difficulty 18 lies past several reports.
    let checked = 0;
    for (let seed = 0; checked < 2; seed++) {
      const challenge = new Uint8Array(32);
      new DataView(challenge.buffer).setUint32(0, seed);
      const nonce = cc.solvePow(challenge, 18);
      const hashes = Number(Buffer.from(nonce).readBigUInt64BE(0)) + 1;
      if (hashes < 3 * 65536) continue;
      checked++;
      const counts = [];
      const withProgress = cc.solvePow(challenge, 18, { onProgress: (n) => counts.push(n) });
      assert.ok(equalBytes(withProgress, nonce));
      assert.equal(counts.length, Math.floor((hashes - 1) / 65536));
      counts.forEach((n, i) => assert.equal(n, (i + 1) * 65536));
    }
    // No report before the first 65,536 hashes; a non-function is ignored.
    let calls = 0;
    const easy = randomBytes(32);
    assert.ok(equalBytes(cc.solvePow(easy, 4, { onProgress: () => calls++ }), cc.solvePow(easy, 4)));
    assert.equal(calls, 0);
    assert.ok(equalBytes(cc.solvePow(easy, 4, { onProgress: 'no' }), cc.solvePow(easy, 4)));
    assert.ok(equalBytes(cc.solvePow(easy, 4, null), cc.solvePow(easy, 4)));
    assertFails(() => cc.solvePow(easy, 4, 7), 'invalid_argument');
  });

  test('an exception from onProgress ends the search', () => {
    const stop = new Error('stop');
    // This challenge has no solution at difficulty 32 among its first 131,072
    // counters (else the search would return before the throw).
    assert.throws(() => cc.solvePow(new Uint8Array(32), 32, { onProgress: (n) => { if (n >= 131072) throw stop; } }), (e) => e === stop);
  });
});

// ---------------------------------------------------------------------------
describe('receipt', () => {
  test('generation and formatting', () => {
    const seen = new Set();
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 200; i++) {
      const r = cc.generateReceipt();
      assert.match(r, /^[0-9]{25}$/);
      seen.add(r);
      for (const ch of r) counts[ch.charCodeAt(0) - 48]++;
      const shown = cc.formatReceipt(r);
      assert.match(shown, /^[0-9]{5}(-[0-9]{5}){4}$/);
      assert.equal(cc.normalizeReceipt(shown), r);
    }
    assert.equal(seen.size, 200);
    for (const c of counts) assert.ok(c > 300 && c < 700, `digit count ${c} of 5000`);
  });

  test('normalisation', () => {
    const d = '1234567890123456789012345';
    for (const typed of [d, '12345-67890-12345-67890-12345', '12345 67890 12345 67890 12345', ' 1234-5678 90123--4567890123 45 ', '-' + d + '-']) {
      assert.equal(cc.normalizeReceipt(typed), d, typed);
    }
    for (const typed of ['', d.slice(1), d + '6', d.slice(1) + 'a', '12345_67890_12345_67890_12345', d.slice(0, 24) + '\u0661',
      '１２３４５６７８９０１２３４５６７８９０１２３４５', `${d.slice(0, 5)}\t${d.slice(5)}`, `${d.slice(0, 5)}\u00a0${d.slice(5)}`,
      `${d.slice(0, 5)}\u2013${d.slice(5)}`, null, 1234]) {
      assertFails(() => cc.normalizeReceipt(typed), 'invalid_argument', String(typed));
    }
    assert.equal(cc.formatReceipt(d), '12345-67890-12345-67890-12345');
  });

  test('derivation (Argon2id13, 2 passes, 64 MiB)', async () => {
    const salt = randomBytes(16);
    const r = cc.generateReceipt();
    const promise = cc.deriveReceiptKeys(r, salt);
    assert.ok(promise instanceof Promise);
    const k = await promise;
    assert.equal(k.lookupKey.length, 32);
    assert.ok(equalBytes(k.lookupHash, cc.receiptLookupHash(k.lookupKey)));
    assert.ok(equalBytes(k.lookupHash, sodium.crypto_generichash(32, k.lookupKey, null)));
    assert.ok(equalBytes(cc.boxKeyPairFromSecret(k.replyKeyPair.secretKey).publicKey, k.replyKeyPair.publicKey));
    // Same bytes as the spec's construction, computed independently here.
    const out = await pwhash(64, ascii(r), salt, 2, 67108864);
    assert.ok(equalBytes(out.subarray(0, 32), k.lookupKey));
    const kp = sodium.crypto_box_seed_keypair(out.subarray(32));
    assert.ok(equalBytes(kp.publicKey, k.replyKeyPair.publicKey));
    // Formatted input gives the same keys; another salt gives others.
    const k2 = await cc.deriveReceiptKeys(cc.formatReceipt(r), salt);
    assert.ok(equalBytes(k2.lookupKey, k.lookupKey));
    const k3 = await cc.deriveReceiptKeys(r, randomBytes(16));
    assert.ok(!equalBytes(k3.lookupKey, k.lookupKey));
    await assertRejects(() => cc.deriveReceiptKeys(r, new Uint8Array(15)), 'invalid_argument');
    await assertRejects(() => cc.deriveReceiptKeys(r.slice(1), salt), 'invalid_argument');
    await assertRejects(() => cc.deriveReceiptKeys(1234, salt), 'invalid_argument');
    assertFails(() => cc.receiptLookupHash(new Uint8Array(31)), 'invalid_argument');
  });
});

// ---------------------------------------------------------------------------
describe('Argon2id (hash-wasm)', () => {
  // Outputs of libsodium 1.0.18's crypto_pwhash(outlen, password, salt,
  // opslimit, memlimit, crypto_pwhash_ALG_ARGON2ID13) with salt = bytes
  // 0..15. They cover what the generated vectors do not: a memlimit that is
  // not a whole number of KiB, the shortest output, and outputs longer than
  // one BLAKE2b block.
  const salt = Uint8Array.from({ length: 16 }, (_, i) => i);
  const libsodium = [
    [16, 'password', 1, 8192, 'besI63yq_jZvL57AbY2-vQ'],
    [32, 'password', 1, 9215, 'OgCJY8Zff_pzMakLq9H9F-qfA70FNWuFfOtD97cICtw'],
    [32, 'password', 1, 9216, 'XpDSizxeEiFfY7-meXKqGTtubybRb3YTjmz4j8qLMZo'],
    [32, 'Zhōngwén 中文 ✓', 3, 8192, 'xmZ3GSz55S4UCEmlWyxK_WhldjL-gXKMzxdqNMM8LNk'],
    [33, 'password', 2, 65536, '5EDXxZlm7FgReWg6sgXuMS-Pv-iacedrKNVDhC2K0VH7'],
    [65, 'password', 1, 8192, 'i5Nu9e-blWHBsjTwMvTnT8Hg5NdtMcpZNvalqeDTgL3vygJwU6XUXhmsB1SNz4Yni46rQlzHn0nLt4dogJfA--A'],
    [128, 'password', 1, 8192, 'QmEPcKBmXL1_oQ-jH4VALta5Qmmr1DApquYs4jyLkjyDp21893AOtutuZl6bNsuyNIUG5P7MT0pKLmAEsk1h-UrUsPoYd6gpetca5N20OQ69McCVag-_s-egsc2_uvqSDyvO70OFVH2K4qJsmw-ecU-vE_Dn9FPjoSMTybBeLQ0'],
  ];

  test('hash-wasm gives libsodium\'s crypto_pwhash bytes', async () => {
    for (const [outlen, password, opslimit, memlimit, expected] of libsodium) {
      const out = await pwhash(outlen, new Uint8Array(Buffer.from(password, 'utf8')), salt, opslimit, memlimit);
      assert.equal(Buffer.from(out).toString('base64url'), expected, `${outlen} ${opslimit} ${memlimit}`);
    }
  });

  test('deriveAccountKeys maps its parameters onto those bytes', async () => {
    // Through the module: memlimit 9215 must count as 8 KiB, as in libsodium.
    for (const [, password, opslimit, memlimit, expected] of libsodium.filter(([n]) => n === 32)) {
      const master = new Uint8Array(Buffer.from(expected, 'base64url'));
      const keys = await cc.deriveAccountKeys(password, salt, { opslimit, memlimit });
      assert.ok(equalBytes(keys.wrapKey, sodium.crypto_kdf_derive_from_key(32, 2, 'CLacct01', master)), `${opslimit} ${memlimit}`);
    }
  });

  test('loaded on first use, through the bare specifier the asset build rewrites', async () => {
    const source = (await import('node:fs')).readFileSync(new URL('../clueline-crypto.mjs', import.meta.url), 'utf8');
    assert.ok(source.includes("import('hash-wasm')"));
    assert.ok(!/^\s*import\b[^(]*['"]hash-wasm/m.test(source), 'no static import of hash-wasm');
  });
});

// ---------------------------------------------------------------------------
describe('padding', () => {
  test('bucket sizes', () => {
    const cases = [[0, 1024], [1, 1024], [1023, 1024], [1024, 4096], [4095, 4096], [4096, 16384], [16383, 16384],
      [16384, 65536], [65535, 65536], [65536, 262144], [262143, 262144]];
    for (const [len, bucket] of cases) {
      const m = randomBytes(len);
      const p = cc.padToBucket(m);
      assert.equal(p.length, bucket, `len ${len}`);
      assert.ok(equalBytes(p.subarray(0, len), m));
      assert.equal(p[len], 0x80);
      assert.ok(p.subarray(len + 1).every((b) => b === 0));
      assert.ok(equalBytes(cc.unpad(p), m));
    }
    assertFails(() => cc.padToBucket(new Uint8Array(262144)), 'invalid_argument');
  });

  test('unpad refuses bad padding and non-bucket sizes', () => {
    assertFails(() => cc.unpad(new Uint8Array(1024)), 'authentication_failed'); // no 0x80
    const p = cc.padToBucket(ascii('hello'));
    p[5] = 0x81;
    assertFails(() => cc.unpad(p), 'authentication_failed');
    const q = cc.padToBucket(ascii('hello'));
    q[1023] = 1; // garbage after the marker
    assertFails(() => cc.unpad(q), 'authentication_failed');
    assertFails(() => cc.unpad(new Uint8Array(1000)), 'invalid_argument');
    assertFails(() => cc.unpad(new Uint8Array(2048)), 'invalid_argument');
  });
});

// ---------------------------------------------------------------------------
describe('sealed payload', () => {
  const clueId = randomBytes(16);

  test('round trips for every bucket edge and domain', () => {
    const units = [cc.generateBoxKeyPair(), cc.generateBoxKeyPair(), cc.generateBoxKeyPair()];
    const sizes = [0, 1, 1023, 1024, 4095, 4096, 16383, 16384, 65535, 65536, 262143];
    for (const size of sizes) {
      const m = randomBytes(size);
      for (const [domain, context, recipients] of [
        ['envelope', randomBytes(200), units],
        ['message', clueId, units.slice(0, 2)],
        ['reply', clueId, units.slice(0, 1)],
      ]) {
        const payload = cc.sealPayload(domain, context, recipients.map((k) => k.publicKey), m);
        const n = recipients.length;
        const bucket = cc.PAYLOAD_BUCKETS.find((b) => b > size);
        assert.equal(payload.length, 1 + 96 * n + 24 + 4 + bucket + 16);
        assert.equal(payload[0], n);
        const parsed = cc.parsePayload(payload);
        assert.equal(parsed.ciphertext.length, bucket + 16);
        for (let i = 0; i < n; i++) {
          assert.ok(equalBytes(parsed.recipients[i].keyId, cc.keyId(recipients[i].publicKey)));
          assert.ok(equalBytes(cc.openPayload(domain, context, payload, recipients[i]), m), `${domain} ${size} recipient ${i}`);
        }
        if (size === 0 || size === 262143) {
          // The header is authenticated exactly as the spec says: ad = D ‖ C ‖ header.
          const dk = cc.openDataKey(payload, recipients[0]);
          const ad = new Uint8Array([...ascii(`clueline/${domain}/v1`), ...context, ...parsed.header]);
          const padded = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, parsed.ciphertext, ad, parsed.nonce, dk);
          assert.ok(equalBytes(sodium.unpad(padded, bucket), m));
        }
      }
    }
  });

  test('string plaintext is sealed as UTF-8', () => {
    const u = cc.generateBoxKeyPair();
    const text = '{"v":1,"text":"村干部收受贿赂 ✓"}';
    const p = cc.sealPayload('message', clueId, [u.publicKey], text);
    assert.equal(Buffer.from(cc.openPayload('message', clueId, p, u)).toString('utf8'), text);
    assertFails(() => cc.sealPayload('message', clueId, [u.publicKey], 'bad \ud800 surrogate'), 'invalid_argument');
  });

  test('wrong key, domain or context cannot open', () => {
    const u = cc.generateBoxKeyPair();
    const stranger = cc.generateBoxKeyPair();
    const p = cc.sealPayload('message', clueId, [u.publicKey], ascii('hello'));
    assertFails(() => cc.openPayload('message', clueId, p, stranger), 'authentication_failed');
    assertFails(() => cc.openPayload('message', clueId, p, { publicKey: u.publicKey, secretKey: stranger.secretKey }), 'authentication_failed');
    assertFails(() => cc.openPayload('reply', clueId, p, u), 'authentication_failed');
    assertFails(() => cc.openPayload('envelope', clueId, p, u), 'authentication_failed');
    assertFails(() => cc.openPayload('message', randomBytes(16), p, u), 'authentication_failed');
    assertFails(() => cc.openDataKey(p, stranger), 'authentication_failed');
  });

  test('argument checks', () => {
    const u = cc.generateBoxKeyPair();
    const keys = Array.from({ length: 17 }, () => cc.generateBoxKeyPair().publicKey);
    assert.equal(cc.sealPayload('envelope', new Uint8Array(0), keys.slice(0, 16), ascii('x'))[0], 16);
    assertFails(() => cc.sealPayload('envelope', new Uint8Array(0), keys, ascii('x')), 'invalid_argument');
    assertFails(() => cc.sealPayload('envelope', new Uint8Array(0), [], ascii('x')), 'invalid_argument');
    assertFails(() => cc.sealPayload('envelope', new Uint8Array(0), [u.publicKey, u.publicKey], ascii('x')), 'invalid_argument');
    assertFails(() => cc.sealPayload('reply', clueId, keys.slice(0, 2), ascii('x')), 'invalid_argument');
    assertFails(() => cc.sealPayload('message', randomBytes(15), [u.publicKey], ascii('x')), 'invalid_argument');
    assertFails(() => cc.sealPayload('report', clueId, [u.publicKey], ascii('x')), 'invalid_argument');
    assertFails(() => cc.sealPayload('message', clueId, [u.publicKey.subarray(1)], ascii('x')), 'invalid_argument');
    assertFails(() => cc.sealPayload('message', clueId, [u.publicKey], new Uint8Array(262144)), 'invalid_argument');
    assertFails(() => cc.sealPayload('message', clueId, [new Uint8Array(32)], ascii('x')), 'invalid_argument'); // low-order point
    assertFails(() => cc.openPayload('message', clueId, new Uint8Array(0), u), 'invalid_argument');
  });

  test('every single-bit flip of a small payload is rejected', () => {
    const u = cc.generateBoxKeyPair();
    const v = cc.generateBoxKeyPair();
    const p = cc.sealPayload('message', clueId, [u.publicKey, v.publicKey], ascii('short message'));
    const headerLen = 1 + 96 * 2 + 24;
    for (let bit = 0; bit < p.length * 8; bit++) {
      const byte = bit >>> 3;
      const structural = byte === 0 || (byte >= headerLen && byte < headerLen + 4);
      assertFails(() => cc.openPayload('message', clueId, flipBit(p, bit), u), structural ? 'invalid_argument' : 'authentication_failed', `bit ${bit}`);
    }
  });

  test('sampled bit flips of a large payload are rejected', () => {
    const u = cc.generateBoxKeyPair();
    const p = cc.sealPayload('envelope', randomBytes(50), [u.publicKey], randomBytes(200000));
    const context = randomBytes(50);
    const p2 = cc.sealPayload('envelope', context, [u.publicKey], randomBytes(200000));
    assert.equal(p.length, p2.length);
    for (const bit of sampleBits(p2.length * 8, 300)) {
      assertFails(() => cc.openPayload('envelope', context, flipBit(p2, bit), u), undefined, `bit ${bit}`);
    }
  });

  test('truncation and extension are rejected', () => {
    const u = cc.generateBoxKeyPair();
    const p = cc.sealPayload('reply', clueId, [u.publicKey], ascii('reply text'));
    for (let len = 0; len < p.length; len++) {
      assertFails(() => cc.openPayload('reply', clueId, p.subarray(0, len), u), 'invalid_argument', `length ${len}`);
    }
    assertFails(() => cc.openPayload('reply', clueId, new Uint8Array([...p, 0]), u), 'invalid_argument');
    assertFails(() => cc.parsePayload(new Uint8Array([...p, ...new Uint8Array(3072)])), 'invalid_argument');
  });

  test('recipients cannot be added, dropped or swapped', () => {
    const u = cc.generateBoxKeyPair();
    const v = cc.generateBoxKeyPair();
    const p = cc.sealPayload('message', clueId, [u.publicKey, v.publicKey], ascii('secret'));
    const q = cc.sealPayload('message', clueId, [u.publicKey, v.publicKey], ascii('secret'));
    // swap the two entries
    const swapped = new Uint8Array(p);
    swapped.set(p.subarray(97, 193), 1);
    swapped.set(p.subarray(1, 97), 97);
    assertFails(() => cc.openPayload('message', clueId, swapped, u), 'authentication_failed');
    // drop v: n = 1 and remove its entry
    const dropped = new Uint8Array([1, ...p.subarray(1, 97), ...p.subarray(193)]);
    assertFails(() => cc.openPayload('message', clueId, dropped, u), 'authentication_failed');
    // splice: q's entries with p's ciphertext
    const spliced = new Uint8Array([...q.subarray(0, 193), ...p.subarray(193)]);
    assertFails(() => cc.openPayload('message', clueId, spliced, u), 'authentication_failed');
    // duplicate key ids are malformed
    const dup = new Uint8Array(p);
    dup.set(p.subarray(1, 97), 97);
    assertFails(() => cc.parsePayload(dup), 'invalid_argument');
    // a reply must have exactly one recipient
    assertFails(() => cc.openPayload('reply', clueId, p, u), 'invalid_argument');
  });

  test('transfer: a resealed data key opens the payload for a new unit', () => {
    const u = cc.generateBoxKeyPair();
    const newUnit = cc.generateBoxKeyPair();
    const m = ascii('{"v":1,"text":"transfer me"}');
    const p = cc.sealPayload('message', clueId, [u.publicKey], m);
    const dk = cc.openDataKey(p, u);
    assert.equal(dk.length, 32);
    const entry = cc.resealDataKey(dk, newUnit.publicKey);
    assert.ok(equalBytes(entry.keyId, cc.keyId(newUnit.publicKey)));
    assert.equal(entry.sealedKey.length, 80);
    assert.ok(equalBytes(entry.entry, new Uint8Array([...entry.keyId, ...entry.sealedKey])));
    assertFails(() => cc.openPayload('message', clueId, p, newUnit), 'authentication_failed');
    assert.ok(equalBytes(cc.openPayload('message', clueId, p, newUnit, { extraKeyEntries: [entry.entry] }), m));
    assert.ok(equalBytes(cc.openPayload('message', clueId, p, newUnit, { extraKeyEntries: [entry] }), m));
    // An entry carrying another payload's data key does not open this one.
    const other = cc.sealPayload('message', clueId, [u.publicKey], m);
    const wrong = cc.resealDataKey(cc.openDataKey(other, u), newUnit.publicKey);
    assertFails(() => cc.openPayload('message', clueId, p, newUnit, { extraKeyEntries: [wrong.entry] }), 'authentication_failed');
    assertFails(() => cc.openPayload('message', clueId, p, newUnit, { extraKeyEntries: [entry.entry.subarray(1)] }), 'invalid_argument');
    assertFails(() => cc.resealDataKey(dk.subarray(1), newUnit.publicKey), 'invalid_argument');
  });
});

// ---------------------------------------------------------------------------
describe('envelope', () => {
  let signing, unit, fields, body;

  before(() => {
    signing = cc.generateSigningKeyPair();
    unit = cc.generateBoxKeyPair();
    const challenge = randomBytes(32);
    fields = {
      siteToken: cc.signSiteToken({ siteId: 31, tokenVersion: 2 }, signing.secretKey),
      category: 'bribery',
      accusedLevel: 'township',
      replyPublicKey: cc.generateBoxKeyPair().publicKey,
      receiptLookupHash: randomBytes(32),
      powChallenge: challenge,
      powNonce: cc.solvePow(challenge, 4),
    };
    body = JSON.stringify({ v: 1, text: '镇长在拆迁补偿中收受贿赂。', lang: 'zh' });
  });

  test('round trip and layout', () => {
    const other = cc.generateBoxKeyPair();
    const env = cc.sealEnvelope(fields, [unit.publicKey, other.publicKey], body);
    assert.equal(cc.openEnvelope(env, unit), body);
    assert.equal(cc.openEnvelope(env, other), body);
    const raw = cc.base64urlDecode(fields.siteToken);
    const prefix = new Uint8Array([...ascii('CLE2'), ...raw, 7, ...ascii('bribery'), 8, ...ascii('township'),
      ...fields.replyPublicKey, ...fields.receiptLookupHash, ...fields.powChallenge, ...fields.powNonce]);
    assert.ok(equalBytes(env.subarray(0, prefix.length), prefix));
    const parsed = cc.parseEnvelope(env);
    assert.equal(parsed.siteId, 31);
    assert.equal(parsed.tokenVersion, 2);
    assert.equal(parsed.category, 'bribery');
    assert.equal(parsed.accusedLevel, 'township');
    assert.ok(equalBytes(parsed.siteToken, raw));
    assert.ok(equalBytes(parsed.replyPublicKey, fields.replyPublicKey));
    assert.ok(equalBytes(parsed.receiptLookupHash, fields.receiptLookupHash));
    assert.ok(equalBytes(parsed.powChallenge, fields.powChallenge));
    assert.ok(equalBytes(parsed.powNonce, fields.powNonce));
    assert.ok(equalBytes(parsed.context, prefix));
    assert.ok(equalBytes(parsed.payload, env.subarray(prefix.length)));
    assert.equal(parsed.recipientKeyIds.length, 2);
    // The payload is a §4 payload with D = envelope and C = the prefix.
    assert.equal(Buffer.from(cc.openPayload('envelope', prefix, parsed.payload, unit)).toString('utf8'), body);
    assert.deepEqual(cc.verifySiteTokenBytes(parsed.siteToken, signing.publicKey), { siteId: 31, tokenVersion: 2 });
  });

  test('token as raw bytes, empty accused level, every bucket', () => {
    const raw = cc.base64urlDecode(fields.siteToken);
    for (const size of [0, 1000, 5000, 20000, 70000, 262000]) {
      const text = 'x'.repeat(size);
      const env = cc.sealEnvelope({ ...fields, siteToken: raw, accusedLevel: '' }, [unit.publicKey], text);
      const parsed = cc.parseEnvelope(env);
      assert.equal(parsed.accusedLevel, '');
      assert.equal(cc.openEnvelope(env, unit), text);
    }
    const env = cc.sealEnvelope({ ...fields, accusedLevel: undefined }, [unit.publicKey], body);
    assert.equal(cc.parseEnvelope(env).accusedLevel, '');
  });

  test('field validation', () => {
    const bad = [
      { category: '' }, { category: 'A' }, { category: 'x'.repeat(33) }, { category: 'bribé' }, { category: 'a-b' }, { category: 'a b' },
      { accusedLevel: 'County' }, { accusedLevel: 'y'.repeat(33) }, { accusedLevel: 7 },
      { siteToken: fields.siteToken.slice(1) }, { siteToken: new Uint8Array(85) }, { siteToken: new Uint8Array(70) }, { siteToken: 'A'.repeat(94) },
      { replyPublicKey: new Uint8Array(31) }, { receiptLookupHash: new Uint8Array(33) },
      { powChallenge: new Uint8Array(8) }, { powNonce: new Uint8Array(32) },
    ];
    for (const change of bad) {
      assertFails(() => cc.sealEnvelope({ ...fields, ...change }, [unit.publicKey], body), 'invalid_argument', JSON.stringify(Object.keys(change)));
    }
    assert.ok(cc.sealEnvelope({ ...fields, category: 'a'.repeat(32), accusedLevel: 'z_9'.repeat(10) }, [unit.publicKey], body).length > 0);
  });

  test('tampered header fields make the body unopenable', () => {
    const env = cc.sealEnvelope(fields, [unit.publicKey], body);
    const parsed = cc.parseEnvelope(env);
    const tokenAt = 4;
    const categoryAt = 4 + 86 + 1;
    const levelAt = categoryAt + 7 + 1;
    const replyAt = levelAt + 8;
    const tamper = (at, bytes) => {
      const out = new Uint8Array(env);
      out.set(bytes, at);
      return out;
    };
    const otherToken = cc.base64urlDecode(cc.signSiteToken({ siteId: 32, tokenVersion: 2 }, signing.secretKey));
    const cases = {
      'site token': tamper(tokenAt, otherToken),
      category: tamper(categoryAt, ascii('brib3ry')),
      'accused level': tamper(levelAt, ascii('villages')),
      'reply public key': tamper(replyAt, cc.generateBoxKeyPair().publicKey),
      'lookup hash': tamper(replyAt + 32, randomBytes(32)),
      'pow challenge': tamper(replyAt + 64, randomBytes(32)),
      'pow nonce': tamper(replyAt + 96, randomBytes(8)),
    };
    for (const [name, bad] of Object.entries(cases)) {
      assert.equal(cc.parseEnvelope(bad).payload.length, parsed.payload.length);
      assertFails(() => cc.openEnvelope(bad, unit), 'authentication_failed', name);
    }
    // Re-labelling: a different category length with the same payload.
    const relabelled = new Uint8Array([...env.subarray(0, categoryAt - 1), 6, ...ascii('briber'), ...env.subarray(categoryAt + 7)]);
    assertFails(() => cc.openEnvelope(relabelled, unit), 'authentication_failed');
    // Moving the payload into another envelope.
    const env2 = cc.sealEnvelope({ ...fields, category: 'other' }, [unit.publicKey], body);
    const moved = new Uint8Array([...cc.parseEnvelope(env2).context, ...parsed.payload]);
    assertFails(() => cc.openEnvelope(moved, unit), 'authentication_failed');
  });

  test('every single-bit flip of a small envelope is rejected', () => {
    const env = cc.sealEnvelope({ ...fields, category: 'c', accusedLevel: '' }, [unit.publicKey], '{"v":1,"text":"t"}');
    const prefixLen = cc.parseEnvelope(env).context.length;
    let auth = 0;
    for (let bit = 0; bit < env.length * 8; bit++) {
      const e = assertFails(() => cc.openEnvelope(flipBit(env, bit), unit), undefined, `bit ${bit}`);
      const byte = bit >>> 3;
      // Flips in the fixed-size authenticated fields fail authentication.
      if ((byte >= 4 && byte < 4 + 86) || (byte >= prefixLen - 104 && byte < prefixLen)) assert.equal(e.code, 'authentication_failed', `bit ${bit}`);
      if (byte < 4) assert.equal(e.code, 'invalid_argument', `bit ${bit}`);
      if (e.code === 'authentication_failed') auth++;
    }
    assert.ok(auth > env.length * 7);
  });

  test('truncation and extension are rejected', () => {
    const env = cc.sealEnvelope(fields, [unit.publicKey], body);
    for (let len = 0; len < env.length; len++) {
      assertFails(() => cc.openEnvelope(env.subarray(0, len), unit), 'invalid_argument', `length ${len}`);
    }
    assertFails(() => cc.openEnvelope(new Uint8Array([...env, 0]), unit), 'invalid_argument');
    assertFails(() => cc.parseEnvelope(new Uint8Array([...ascii('CLE1'), ...env.subarray(4)])), 'invalid_argument');
    assertFails(() => cc.parseEnvelope(new Uint8Array([...ascii('CLE3'), ...env.subarray(4)])), 'invalid_argument');
  });

  test('wrong key and non-UTF-8 body', () => {
    const env = cc.sealEnvelope(fields, [unit.publicKey], body);
    assertFails(() => cc.openEnvelope(env, cc.generateBoxKeyPair()), 'authentication_failed');
    const binary = cc.sealEnvelope(fields, [unit.publicKey], Uint8Array.of(0x7b, 0xff, 0x7d));
    assertFails(() => cc.openEnvelope(binary, unit), 'invalid_argument');
  });
});

// ---------------------------------------------------------------------------
describe('attachments', () => {
  // libsodium's secretstream tags (read after ready(); these are the libsodium constants).
  const MESSAGE = 0;
  const FINAL = 3;
  before(() => {
    assert.equal(sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE, MESSAGE);
    assert.equal(sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL, FINAL);
  });

  /** Builds a stream with chosen tags and chunk contents (for negative tests). */
  function craftStream(key, chunks, tags) {
    const { state, header } = sodium.crypto_secretstream_xchacha20poly1305_init_push(key);
    const parts = [header];
    chunks.forEach((c, i) => parts.push(sodium.crypto_secretstream_xchacha20poly1305_push(state, c, null, tags[i])));
    return new Uint8Array(Buffer.concat(parts));
  }

  test('round trips from 0 bytes to 1 MiB', () => {
    const key = cc.generateAttachmentKey();
    assert.equal(key.length, 32);
    for (const size of [0, 1, 100, 65535, 65536, 65537, 150000, 131071, 131072, 1048575, 1048576]) {
      const file = randomBytes(size);
      const stream = cc.encryptAttachment(file, key);
      const k = Math.floor(size / 65536) + 1;
      assert.equal(stream.length, 24 + k * 65553, `size ${size}`);
      assert.ok(equalBytes(cc.decryptAttachment(stream, key), file), `size ${size}`);
    }
  });

  test('stream format: sodium_pad(…, 65536), MESSAGE tags then FINAL', () => {
    const key = cc.generateAttachmentKey();
    const file = randomBytes(150000);
    const stream = cc.encryptAttachment(file, key);
    const state = sodium.crypto_secretstream_xchacha20poly1305_init_pull(stream.subarray(0, 24), key);
    const plain = [];
    for (let i = 0; i < 3; i++) {
      const r = sodium.crypto_secretstream_xchacha20poly1305_pull(state, stream.subarray(24 + i * 65553, 24 + (i + 1) * 65553), null);
      assert.equal(r.tag, i === 2 ? FINAL : MESSAGE);
      plain.push(r.message);
    }
    const padded = new Uint8Array(Buffer.concat(plain));
    assert.ok(equalBytes(padded, sodium.pad(file, 65536)));
  });

  test('wrong key, truncation, extension, reordering, bit flips', () => {
    const key = cc.generateAttachmentKey();
    const file = randomBytes(150000);
    const stream = cc.encryptAttachment(file, key);
    assertFails(() => cc.decryptAttachment(stream, cc.generateAttachmentKey()), 'authentication_failed');
    assertFails(() => cc.decryptAttachment(stream, key.subarray(1)), 'invalid_argument');
    for (const len of [0, 23, 24, 25, 24 + 65552, 24 + 65554, stream.length - 1]) {
      assertFails(() => cc.decryptAttachment(stream.subarray(0, len), key), 'invalid_argument', `length ${len}`);
    }
    assertFails(() => cc.decryptAttachment(new Uint8Array([...stream, 0]), key), 'invalid_argument');
    // Dropping the last chunk leaves a stream whose last chunk is not FINAL.
    assertFails(() => cc.decryptAttachment(stream.subarray(0, 24 + 2 * 65553), key), 'authentication_failed');
    // Swapping chunks 1 and 2.
    const swapped = new Uint8Array(stream);
    swapped.set(stream.subarray(24 + 65553, 24 + 2 * 65553), 24);
    swapped.set(stream.subarray(24, 24 + 65553), 24 + 65553);
    assertFails(() => cc.decryptAttachment(swapped, key), 'authentication_failed');
    // Duplicating a chunk onto the next.
    const duplicated = new Uint8Array(stream);
    duplicated.set(stream.subarray(24, 24 + 65553), 24 + 65553);
    assertFails(() => cc.decryptAttachment(duplicated, key), 'authentication_failed');
    for (const bit of sampleBits(stream.length * 8, 250, 7)) {
      assertFails(() => cc.decryptAttachment(flipBit(stream, bit), key), 'authentication_failed', `bit ${bit}`);
    }
  });

  test('tag and padding rules', () => {
    const key = cc.generateAttachmentKey();
    const chunk = (fill) => new Uint8Array(65536).fill(fill);
    const lastChunk = () => {
      const c = new Uint8Array(65536);
      c.set([1, 2, 3, 0x80]);
      return c;
    };
    // Well-formed by hand: accepted.
    const good = craftStream(key, [chunk(5), lastChunk()], [MESSAGE, FINAL]);
    assert.equal(cc.decryptAttachment(good, key).length, 65536 + 3);
    // FINAL before the last chunk.
    assertFails(() => cc.decryptAttachment(craftStream(key, [chunk(5), lastChunk()], [FINAL, FINAL]), key), 'authentication_failed');
    // Last chunk without FINAL.
    assertFails(() => cc.decryptAttachment(craftStream(key, [chunk(5), lastChunk()], [MESSAGE, MESSAGE]), key), 'authentication_failed');
    // Other tags (PUSH = 1, REKEY = 2) where MESSAGE belongs.
    for (const tag of [1, 2]) {
      assertFails(() => cc.decryptAttachment(craftStream(key, [chunk(5), lastChunk()], [tag, FINAL]), key), 'authentication_failed');
    }
    // Bad padding: no 0x80 marker.
    assertFails(() => cc.decryptAttachment(craftStream(key, [chunk(5)], [FINAL]), key), 'authentication_failed');
    // Bad padding: the marker in an earlier chunk followed by a zero chunk (size rounded up by more than 64 KiB).
    const marked = new Uint8Array(65536);
    marked[10] = 0x80;
    assertFails(() => cc.decryptAttachment(craftStream(key, [marked, chunk(0)], [MESSAGE, FINAL]), key), 'authentication_failed');
  });
});

// ---------------------------------------------------------------------------
describe('supervisor accounts', () => {
  const params = { opslimit: 1, memlimit: 8388608 };

  test('derivation: deterministic, NFC, spec construction', async () => {
    const salt = randomBytes(16);
    const a = await cc.deriveAccountKeys('correct horse café', salt, params);
    const b = await cc.deriveAccountKeys('correct horse cafe\u0301', salt, params); // NFD form of the same text
    assert.ok(equalBytes(a.wrapKey, b.wrapKey));
    assert.ok(equalBytes(a.auth.publicKey, b.auth.publicKey));
    assert.equal(a.auth.secretKey.length, 64);
    const c = await cc.deriveAccountKeys('correct horse cafe', salt, params);
    assert.ok(!equalBytes(a.wrapKey, c.wrapKey));
    const d = await cc.deriveAccountKeys('correct horse café', salt, { opslimit: 2, memlimit: 8388608 });
    assert.ok(!equalBytes(a.wrapKey, d.wrapKey));
    // Independent computation of §9.
    const master = await pwhash(32, new Uint8Array(Buffer.from('correct horse café'.normalize('NFC'), 'utf8')), salt, 1, 8388608);
    const authSeed = sodium.crypto_kdf_derive_from_key(32, 1, 'CLacct01', master);
    assert.ok(equalBytes(sodium.crypto_sign_seed_keypair(authSeed).publicKey, a.auth.publicKey));
    assert.ok(equalBytes(sodium.crypto_kdf_derive_from_key(32, 2, 'CLacct01', master), a.wrapKey));
  });

  test('parameter ranges', async () => {
    const salt = randomBytes(16);
    for (const p of [{ opslimit: 0, memlimit: 8192 }, { opslimit: 11, memlimit: 8192 }, { opslimit: 1, memlimit: 8191 },
      { opslimit: 1, memlimit: 1073741825 }, { opslimit: 1.5, memlimit: 8192 }, { opslimit: 1 }]) {
      await assertRejects(() => cc.deriveAccountKeys('pw', salt, p), 'invalid_argument', JSON.stringify(p));
    }
    assert.equal((await cc.deriveAccountKeys('pw', salt, { opslimit: 1, memlimit: 8192 })).wrapKey.length, 32);
    await assertRejects(() => cc.deriveAccountKeys('pw', salt.subarray(1), params), 'invalid_argument');
    await assertRejects(() => cc.deriveAccountKeys(new Uint8Array(3), salt, params), 'invalid_argument');
    await assertRejects(() => cc.deriveAccountKeys('\ud800', salt, params), 'invalid_argument');
    // hash-wasm refuses an empty password, so the module refuses an empty passphrase.
    await assertRejects(() => cc.deriveAccountKeys('', salt, params), 'invalid_argument');
  });

  test('wrap and unwrap', async () => {
    const salt = randomBytes(16);
    const unit = cc.generateBoxKeyPair();
    const keys = await cc.deriveAccountKeys('s3cret passphrase', salt, params);
    const blob = cc.wrapUnitSecretKey(unit, keys, salt, params);
    assert.equal(blob.length, 116);
    assert.equal(cc.base64urlEncode(blob).length, 155);
    const p = cc.parseWrappedKey(blob);
    assert.equal(p.opslimit, 1);
    assert.equal(p.memlimit, 8388608);
    assert.equal(p.memlimitKib, 8192);
    assert.ok(equalBytes(p.salt, salt));
    assert.ok(equalBytes(p.keyId, cc.keyId(unit.publicKey)));
    assert.ok(equalBytes(blob.subarray(0, 12), new Uint8Array([...ascii('CLK1'), 0, 0, 0, 1, 0, 0, 0x20, 0])));
    const ad = new Uint8Array([...ascii('clueline/unit-key/v1'), ...blob.subarray(0, 68)]);
    assert.ok(equalBytes(sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, p.ciphertext, ad, p.nonce, keys.wrapKey), unit.secretKey));
    for (const secret of ['s3cret passphrase', keys, { wrapKey: keys.wrapKey }]) {
      const out = await cc.unwrapUnitSecretKey(blob, secret);
      assert.ok(equalBytes(out.secretKey, unit.secretKey));
      assert.ok(equalBytes(out.publicKey, unit.publicKey));
    }
    await assertRejects(() => cc.unwrapUnitSecretKey(blob, 's3cret passphrasE'), 'authentication_failed');
    await assertRejects(async () => cc.unwrapUnitSecretKey(blob, await cc.deriveAccountKeys('s3cret passphrase', randomBytes(16), params)), 'authentication_failed');
    await assertRejects(() => cc.unwrapUnitSecretKey(blob, { wrapKey: new Uint8Array(31) }), 'invalid_argument');
    await assertRejects(() => cc.unwrapUnitSecretKey(blob, ''), 'invalid_argument');
    // The key pair must be consistent.
    assertFails(() => cc.wrapUnitSecretKey({ publicKey: cc.generateBoxKeyPair().publicKey, secretKey: unit.secretKey }, keys, salt, params), 'invalid_argument');
    assertFails(() => cc.wrapUnitSecretKey(unit, keys, salt, { opslimit: 11, memlimit: 8388608 }), 'invalid_argument');
  });

  test('every single-bit flip of a wrapped key is rejected', async () => {
    const salt = randomBytes(16);
    const unit = cc.generateBoxKeyPair();
    const keys = await cc.deriveAccountKeys('pw', salt, params);
    const blob = cc.wrapUnitSecretKey(unit, keys, salt, params);
    for (let bit = 0; bit < 116 * 8; bit++) {
      const bad = flipBit(blob, bit);
      const byte = bit >>> 3;
      let expected = 'authentication_failed';
      if (byte < 4) expected = 'invalid_argument';
      else if (byte < 12) {
        const ops = new DataView(bad.buffer).getUint32(4);
        const kib = new DataView(bad.buffer).getUint32(8);
        if (ops < 1 || ops > 10 || kib < 8 || kib > 1048576) expected = 'invalid_argument';
      }
      await assertRejects(() => cc.unwrapUnitSecretKey(bad, keys), expected, `bit ${bit}`);
    }
  });

  test('truncation, extension and the key id check', async () => {
    const salt = randomBytes(16);
    const unit = cc.generateBoxKeyPair();
    const keys = await cc.deriveAccountKeys('pw', salt, params);
    const blob = cc.wrapUnitSecretKey(unit, keys, salt, params);
    for (let len = 0; len < 116; len++) await assertRejects(() => cc.unwrapUnitSecretKey(blob.subarray(0, len), keys), 'invalid_argument');
    await assertRejects(() => cc.unwrapUnitSecretKey(new Uint8Array([...blob, 0]), keys), 'invalid_argument');
    // A blob whose AEAD is valid but whose key id names another key.
    const other = cc.generateBoxKeyPair();
    const head = new Uint8Array([...blob.subarray(0, 28), ...cc.keyId(other.publicKey), ...blob.subarray(44, 68)]);
    const ct = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(unit.secretKey, new Uint8Array([...ascii('clueline/unit-key/v1'), ...head]),
      null, head.subarray(44, 68), keys.wrapKey);
    const forged = new Uint8Array([...head, ...ct]);
    assert.equal(forged.length, 116);
    await assertRejects(() => cc.unwrapUnitSecretKey(forged, keys), 'authentication_failed');
    // Parameter ranges are checked before any work.
    const huge = new Uint8Array(blob);
    new DataView(huge.buffer).setUint32(8, 1048577);
    assertFails(() => cc.parseWrappedKey(huge), 'invalid_argument');
    new DataView(huge.buffer).setUint32(8, 1048576);
    assert.equal(cc.parseWrappedKey(huge).memlimit, 1073741824);
  });

  test('login proof', async () => {
    const keys = await cc.deriveAccountKeys('pw', randomBytes(16), params);
    const challenge = randomBytes(32);
    const sig = cc.signLoginChallenge(challenge, keys.auth);
    assert.equal(sig.length, 64);
    assert.ok(sodium.crypto_sign_verify_detached(sig, new Uint8Array([...ascii('clueline/login/v1'), ...challenge]), keys.auth.publicKey));
    assert.ok(cc.verifyLoginProof(challenge, sig, keys.auth.publicKey));
    assert.ok(!cc.verifyLoginProof(randomBytes(32), sig, keys.auth.publicKey));
    assert.ok(!cc.verifyLoginProof(challenge, sig, cc.generateSigningKeyPair().publicKey));
    for (let bit = 0; bit < 512; bit += 7) assert.ok(!cc.verifyLoginProof(challenge, flipBit(sig, bit), keys.auth.publicKey));
    assertFails(() => cc.verifyLoginProof(challenge.subarray(1), sig, keys.auth.publicKey), 'invalid_argument');
    assertFails(() => cc.signLoginChallenge(challenge, { secretKey: new Uint8Array(32) }), 'invalid_argument');
  });
});

// ---------------------------------------------------------------------------
describe('onboarding (spec §9.4)', () => {
  const params = { opslimit: 1, memlimit: 8388608 };
  let keys; // one derivation for the whole suite (Argon2id is slow)
  before(async () => {
    keys = await cc.deriveAccountKeys('newcomer passphrase', randomBytes(16), params);
  });

  test('account box key: subkey 3 of the master, deterministic, distinct from the other keys', async () => {
    const salt = randomBytes(16);
    const a = await cc.deriveAccountKeys('pw', salt, params);
    const again = await cc.deriveAccountKeys('pw', salt, params);
    assert.equal(a.box.secretKey.length, 32);
    assert.equal(a.box.publicKey.length, 32);
    assert.ok(equalBytes(a.box.secretKey, again.box.secretKey));
    assert.ok(equalBytes(sodium.crypto_scalarmult_base(a.box.secretKey), a.box.publicKey));
    assert.ok(!equalBytes(a.box.secretKey, a.wrapKey));
    assert.ok(!equalBytes(a.box.secretKey, a.auth.secretKey.subarray(0, 32)));
    const master = await pwhash(32, ascii('pw'), salt, 1, 8388608);
    assert.ok(equalBytes(sodium.crypto_kdf_derive_from_key(32, 3, 'CLacct01', master), a.box.secretKey));
    assert.ok(!equalBytes((await cc.deriveAccountKeys('pw', randomBytes(16), params)).box.publicKey, a.box.publicKey));
  });

  test('activation proof verifies only with the same code, box key and auth key', () => {
    const code = randomBytes(32);
    const sig = cc.signActivation(code, keys.box.publicKey, keys.auth);
    assert.equal(sig.length, 64);
    const message = new Uint8Array([...ascii('clueline/activate/v1'), ...code, ...keys.box.publicKey]);
    assert.equal(message.length, 84);
    assert.ok(sodium.crypto_sign_verify_detached(sig, message, keys.auth.publicKey));
    assert.ok(cc.verifyActivation(code, keys.box.publicKey, sig, keys.auth.publicKey));
    assert.ok(!cc.verifyActivation(randomBytes(32), keys.box.publicKey, sig, keys.auth.publicKey));
    assert.ok(!cc.verifyActivation(flipBit(code, 255), keys.box.publicKey, sig, keys.auth.publicKey));
    assert.ok(!cc.verifyActivation(code, cc.generateBoxKeyPair().publicKey, sig, keys.auth.publicKey));
    assert.ok(!cc.verifyActivation(code, flipBit(keys.box.publicKey, 0), sig, keys.auth.publicKey));
    assert.ok(!cc.verifyActivation(code, keys.box.publicKey, sig, cc.generateSigningKeyPair().publicKey));
    for (let bit = 0; bit < 512; bit += 7) assert.ok(!cc.verifyActivation(code, keys.box.publicKey, flipBit(sig, bit), keys.auth.publicKey));
    // Not interchangeable with a login proof over the same 32 bytes.
    assert.ok(!cc.verifyLoginProof(code, sig, keys.auth.publicKey));
    assert.ok(!cc.verifyActivation(code, keys.box.publicKey, cc.signLoginChallenge(code, keys.auth), keys.auth.publicKey));
    // Wrong lengths give false, as in C++.
    assert.equal(cc.verifyActivation(code.subarray(1), keys.box.publicKey, sig, keys.auth.publicKey), false);
    assert.equal(cc.verifyActivation(code, keys.box.publicKey.subarray(1), sig, keys.auth.publicKey), false);
    assert.equal(cc.verifyActivation(code, keys.box.publicKey, sig.subarray(1), keys.auth.publicKey), false);
    assert.equal(cc.verifyActivation(code, keys.box.publicKey, new Uint8Array([...sig, 0]), keys.auth.publicKey), false);
    assert.equal(cc.verifyActivation(code, keys.box.publicKey, sig, keys.auth.publicKey.subarray(1)), false);
    assertFails(() => cc.signActivation(code.subarray(1), keys.box.publicKey, keys.auth), 'invalid_argument');
    assertFails(() => cc.signActivation(code, keys.box.publicKey.subarray(1), keys.auth), 'invalid_argument');
    assertFails(() => cc.signActivation(code, keys.box.publicKey, { secretKey: new Uint8Array(32) }), 'invalid_argument');
  });

  test('fingerprint: format, spec construction, changes when either key changes', () => {
    const fp = cc.accountFingerprint(keys.auth.publicKey, keys.box.publicKey);
    assert.equal(fp.length, 24);
    assert.match(fp, /^[0-9a-f]{4}(-[0-9a-f]{4}){4}$/);
    const digest = sodium.crypto_generichash(32, new Uint8Array([...ascii('clueline/account-fingerprint/v1'), ...keys.auth.publicKey, ...keys.box.publicKey]), null);
    assert.equal(fp.replaceAll('-', ''), Buffer.from(digest.subarray(0, 10)).toString('hex'));
    assert.equal(cc.accountFingerprint(keys.auth.publicKey, keys.box.publicKey), fp);
    assert.notEqual(cc.accountFingerprint(keys.auth.publicKey, cc.generateBoxKeyPair().publicKey), fp);
    assert.notEqual(cc.accountFingerprint(cc.generateSigningKeyPair().publicKey, keys.box.publicKey), fp);
    for (let bit = 0; bit < 256; bit += 5) {
      assert.notEqual(cc.accountFingerprint(flipBit(keys.auth.publicKey, bit), keys.box.publicKey), fp, `auth bit ${bit}`);
      assert.notEqual(cc.accountFingerprint(keys.auth.publicKey, flipBit(keys.box.publicKey, bit)), fp, `box bit ${bit}`);
    }
    // The order of the keys matters.
    assert.notEqual(cc.accountFingerprint(keys.box.publicKey, keys.auth.publicKey), fp);
    assertFails(() => cc.accountFingerprint(keys.auth.publicKey.subarray(1), keys.box.publicKey), 'invalid_argument');
    assertFails(() => cc.accountFingerprint(keys.auth.publicKey, new Uint8Array(33)), 'invalid_argument');
  });

  test('unit key grant: round trip, then stored as a CLK1 blob', async () => {
    const unit = cc.generateBoxKeyPair();
    const id = cc.keyId(unit.publicKey);
    const grant = cc.sealUnitKeyGrant(unit, keys.box.publicKey);
    assert.equal(grant.length, 80);
    assert.ok(!equalBytes(cc.sealUnitKeyGrant(unit, keys.box.publicKey), grant), 'randomised');
    assert.ok(equalBytes(sodium.crypto_box_seal_open(grant, keys.box.publicKey, keys.box.secretKey), unit.secretKey));
    const opened = cc.openUnitKeyGrant(grant, keys.box, id);
    assert.ok(equalBytes(opened.secretKey, unit.secretKey));
    assert.ok(equalBytes(opened.publicKey, unit.publicKey));
    // A grant made with libsodium directly opens too.
    const direct = sodium.crypto_box_seal(unit.secretKey, keys.box.publicKey);
    assert.ok(equalBytes(cc.openUnitKeyGrant(direct, keys.box, id).secretKey, unit.secretKey));
    // The next step of §9.4: wrap the granted key under the account's wrap key.
    const salt = randomBytes(16);
    const account = await cc.deriveAccountKeys('pw', salt, params);
    const mine = cc.openUnitKeyGrant(cc.sealUnitKeyGrant(unit, account.box.publicKey), account.box, id);
    const blob = cc.wrapUnitSecretKey(mine, account, salt, params);
    assert.ok(equalBytes((await cc.unwrapUnitSecretKey(blob, 'pw')).secretKey, unit.secretKey));
  });

  test('a grant to another box key, or under another key id, does not open', () => {
    const unit = cc.generateBoxKeyPair();
    const id = cc.keyId(unit.publicKey);
    const other = cc.generateBoxKeyPair();
    const toOther = cc.sealUnitKeyGrant(unit, other.publicKey);
    assertFails(() => cc.openUnitKeyGrant(toOther, keys.box, id), 'authentication_failed');
    assert.ok(equalBytes(cc.openUnitKeyGrant(toOther, other, id).secretKey, unit.secretKey));
    const grant = cc.sealUnitKeyGrant(unit, keys.box.publicKey);
    assertFails(() => cc.openUnitKeyGrant(grant, other, id), 'authentication_failed');
    // The right box key, the wrong key id.
    assertFails(() => cc.openUnitKeyGrant(grant, keys.box, cc.keyId(other.publicKey)), 'authentication_failed');
    assertFails(() => cc.openUnitKeyGrant(grant, keys.box, flipBit(id, 127)), 'authentication_failed');
    // A box pair whose public key is not its secret key's.
    assertFails(() => cc.openUnitKeyGrant(grant, { publicKey: other.publicKey, secretKey: keys.box.secretKey }, id), 'authentication_failed');
    // A well-formed grant of 32 bytes that are not the named key (the key id check).
    assertFails(() => cc.openUnitKeyGrant(sodium.crypto_box_seal(randomBytes(32), keys.box.publicKey), keys.box, id), 'authentication_failed');
    // A sealed value of another size is not 80 bytes, so it is malformed.
    assertFails(() => cc.openUnitKeyGrant(sodium.crypto_box_seal(new Uint8Array(31), keys.box.publicKey), keys.box, id), 'invalid_argument');
    for (let bit = 0; bit < 640; bit += 3) assertFails(() => cc.openUnitKeyGrant(flipBit(grant, bit), keys.box, id), 'authentication_failed', `bit ${bit}`);
  });

  test('grant argument checks', () => {
    const unit = cc.generateBoxKeyPair();
    const id = cc.keyId(unit.publicKey);
    const grant = cc.sealUnitKeyGrant(unit, keys.box.publicKey);
    for (const len of [0, 48, 79, 81, 96]) {
      const g = new Uint8Array(len);
      g.set(grant.subarray(0, Math.min(len, 80)));
      assertFails(() => cc.openUnitKeyGrant(g, keys.box, id), 'invalid_argument', `${len} bytes`);
    }
    assertFails(() => cc.openUnitKeyGrant(grant, keys.box, id.subarray(1)), 'invalid_argument');
    assertFails(() => cc.openUnitKeyGrant(grant, { publicKey: keys.box.publicKey }, id), 'invalid_argument');
    assertFails(() => cc.openUnitKeyGrant(cc.base64urlEncode(grant), keys.box, id), 'invalid_argument');
    // An inconsistent unit pair, a short recipient key, and the 32 zero bytes
    // stored for an account without box key are refused.
    assertFails(() => cc.sealUnitKeyGrant({ publicKey: cc.generateBoxKeyPair().publicKey, secretKey: unit.secretKey }, keys.box.publicKey), 'invalid_argument');
    assertFails(() => cc.sealUnitKeyGrant(unit, keys.box.publicKey.subarray(1)), 'invalid_argument');
    assertFails(() => cc.sealUnitKeyGrant(unit, new Uint8Array(32)), 'invalid_argument');
  });
});
