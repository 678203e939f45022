// Interoperability with the C++ reference implementation, in both directions,
// through the crypto_tool command (tests/interop/crypto_tool.cpp):
//   CLUELINE_CRYPTO_TOOL=/path/to/crypto_tool node --test crypto/test/interop.test.mjs
// Every artefact JavaScript builds is opened by C++, and every artefact C++
// builds is opened by JavaScript. Skipped when CLUELINE_CRYPTO_TOOL is unset.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as cc from '../clueline-crypto.mjs';
import { randomBytes, equalBytes } from '../test-support/helpers.mjs';

const TOOL = process.env.CLUELINE_CRYPTO_TOOL;
const skip = TOOL ? false : 'CLUELINE_CRYPTO_TOOL is not set: skipping the C++ interoperability tests';
if (skip) console.log(`# ${skip}`);

const execFileP = promisify(execFile);
const b64 = cc.base64urlEncode;
const unb64 = cc.base64urlDecode;

/** Runs crypto_tool and returns its JSON result; rejects with its stderr when it exits non-zero. */
async function tool(...args) {
  try {
    const { stdout } = await execFileP(TOOL, args.map(String), { maxBuffer: 64 * 1024 * 1024 });
    return JSON.parse(stdout);
  } catch (e) {
    if (e.code !== undefined && typeof e.stderr === 'string') {
      const err = new Error(`crypto_tool ${args[0]} failed (exit ${e.code}): ${e.stderr.trim()}`);
      err.exitCode = e.code;
      throw err;
    }
    throw e;
  }
}

/** Asserts that crypto_tool fails with exit code 1. */
async function toolFails(...args) {
  await assert.rejects(tool(...args), (e) => e.exitCode === 1);
}

describe('interop with the C++ crypto_tool', { skip }, () => {
  let dir;
  let n = 0;
  const file = (name) => path.join(dir, `${n++}-${name}`);

  before(async () => {
    await cc.ready();
    await fs.access(TOOL); // set but missing is a failure, not a skip
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'clueline-interop-'));
  });

  after(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  test('box key pairs and key ids', async () => {
    const k = await tool('keygen-box');
    const pk = unb64(k.public_key);
    const sk = unb64(k.secret_key);
    assert.equal(pk.length, 32);
    assert.ok(equalBytes(cc.keyId(pk), unb64(k.key_id)));
    assert.ok(equalBytes(cc.boxKeyPairFromSecret(sk).publicKey, pk));
  });

  test('site tokens: C++ signs, JS verifies, and vice versa', async () => {
    const k = await tool('keygen-sign');
    const pk = unb64(k.public_key);
    const sk = unb64(k.secret_key);
    assert.equal(sk.length, 64);
    for (const [siteId, tokenVersion] of [[1, 1], [0, 0], [987654321, 42], [4294967295, 65535]]) {
      const { token } = await tool('sign-token', '--secret-key', k.secret_key, '--site-id', siteId, '--token-version', tokenVersion);
      assert.equal(token.length, 115);
      assert.deepEqual(cc.verifySiteToken(token, pk), { siteId, tokenVersion });
      assert.ok(equalBytes(cc.parseSiteToken(token).fingerprint, cc.deploymentKeyFingerprint(pk)));
      // Ed25519 is deterministic: the same key signs the same token.
      assert.equal(cc.signSiteToken({ siteId, tokenVersion }, sk), token);
    }
    const js = cc.generateSigningKeyPair();
    const token = cc.signSiteToken({ siteId: 77, tokenVersion: 3 }, js.secretKey);
    assert.deepEqual(await tool('verify-token', '--public-key', b64(js.publicKey), '--token', token), { site_id: 77, token_version: 3 });
    const raw = unb64(token);
    raw[10] ^= 1;
    await toolFails('verify-token', '--public-key', b64(js.publicKey), '--token', b64(raw));
    await toolFails('verify-token', '--public-key', b64(pk), '--token', token);
    // The fingerprint is checked by C++ too: the other key's fingerprint swapped in, the signature kept.
    const relabelled = unb64(token);
    relabelled.set(cc.deploymentKeyFingerprint(pk), 6);
    await toolFails('verify-token', '--public-key', b64(js.publicKey), '--token', b64(relabelled));
    await toolFails('verify-token', '--public-key', b64(pk), '--token', b64(relabelled));
  });

  test('unit key certificates: C++ signs, JS verifies', async () => {
    const deployment = await tool('keygen-sign');
    const dk = unb64(deployment.public_key);
    const unit = await tool('keygen-box');
    const cases = [
      { unitId: 4, parentId: 3, level: 'township', notBefore: 1800000000, notAfter: 1800000000 + 730 * 86400 },
      { unitId: 1, parentId: 0, level: 'p', notBefore: 0, notAfter: 1 },
      { unitId: 4294967295, parentId: 4294967295, level: 'a_9'.repeat(10) + 'zz', notBefore: 1700000000, notAfter: 4102444800 },
    ];
    for (const f of cases) {
      const { certificate } = await tool('sign-unit-cert', '--secret-key', deployment.secret_key, '--unit-id', f.unitId,
        '--parent-id', f.parentId, '--level', f.level, '--public-key', unit.public_key, '--not-before', f.notBefore, '--not-after', f.notAfter);
      const expected = { ...f, keyId: unb64(unit.key_id), publicKey: unb64(unit.public_key) };
      assert.deepEqual(cc.verifyUnitKeyCertificate(certificate, dk), expected);
      // Ed25519 is deterministic: the same key signs the same certificate.
      assert.equal(b64(cc.signUnitKeyCertificate({ ...f, publicKey: unb64(unit.public_key) }, unb64(deployment.secret_key))), certificate);
      // A tampered copy fails in JS.
      const raw = unb64(certificate);
      raw[3] ^= 1; // the unit id
      assert.throws(() => cc.verifyUnitKeyCertificate(raw, dk), (e) => e.code === 'authentication_failed');
      assert.throws(() => cc.verifyUnitKeyCertificate(certificate, cc.generateSigningKeyPair().publicKey), (e) => e.code === 'authentication_failed');
    }
    // A route served with C++-made certificates passes the JavaScript checks.
    const token = cc.signSiteToken({ siteId: 3, tokenVersion: 1 }, unb64(deployment.secret_key));
    const { certificate } = await tool('sign-unit-cert', '--secret-key', deployment.secret_key, '--unit-id', 4, '--parent-id', 3,
      '--level', 'township', '--public-key', unit.public_key, '--not-before', 1800000000, '--not-after', 1900000000);
    const route = { deployment_key: deployment.public_key, recipients: [{ unit_id: 4, level: 'township', keys: [{ key_id: unit.key_id, public_key: unit.public_key, certificate }] }] };
    assert.ok(equalBytes(cc.verifiedRouteKeys(route, token, { nowSeconds: 1850000000 })[0], unb64(unit.public_key)));
    assert.throws(() => cc.verifiedRouteKeys(route, token, { nowSeconds: 1900000001 }), (e) => e.code === 'authentication_failed');
  });

  test('unit key certificates: JS signs, C++ verifies', async () => {
    const deployment = cc.generateSigningKeyPair();
    const attacker = cc.generateSigningKeyPair();
    const unit = cc.generateBoxKeyPair();
    for (const f of [
      { unitId: 12, parentId: 4, level: 'village', notBefore: 1800000000, notAfter: 1863072000 },
      { unitId: 1, parentId: 0, level: 'x'.repeat(32), notBefore: 0, notAfter: 4102444800 },
    ]) {
      const certificate = cc.signUnitKeyCertificate({ ...f, publicKey: unit.publicKey }, deployment.secretKey);
      assert.deepEqual(await tool('verify-unit-cert', '--public-key', b64(deployment.publicKey), '--certificate', b64(certificate)), {
        unit_id: f.unitId,
        parent_id: f.parentId,
        level: f.level,
        key_id: b64(cc.keyId(unit.publicKey)),
        public_key: b64(unit.publicKey),
        not_before: f.notBefore,
        not_after: f.notAfter,
      });
      // A copy signed by another key fails in C++, under the deployment key.
      const forged = cc.signUnitKeyCertificate({ ...f, publicKey: unit.publicKey }, attacker.secretKey);
      await toolFails('verify-unit-cert', '--public-key', b64(deployment.publicKey), '--certificate', b64(forged));
      // So does a tampered copy, and the genuine one under another key.
      const tampered = new Uint8Array(certificate);
      tampered[9 + f.level.length + 16] ^= 1; // the first byte of the public key
      await toolFails('verify-unit-cert', '--public-key', b64(deployment.publicKey), '--certificate', b64(tampered));
      await toolFails('verify-unit-cert', '--public-key', b64(attacker.publicKey), '--certificate', b64(certificate));
      await toolFails('verify-unit-cert', '--public-key', b64(deployment.publicKey), '--certificate', b64(certificate.subarray(0, certificate.length - 1)));
    }
  });

  test('envelope: JS seals, C++ opens', async () => {
    const unit = await tool('keygen-box');
    const jsUnit = cc.generateBoxKeyPair();
    const signing = cc.generateSigningKeyPair();
    const receipt = await cc.deriveReceiptKeys(cc.generateReceipt(), randomBytes(16));
    const challenge = randomBytes(32);
    const body = JSON.stringify({ v: 1, text: '某县住建局局长在工程招标中收受回扣，金额约五十万元。', answers: { when: '2024年3月' }, lang: 'zh' });
    for (const accusedLevel of ['county', '']) {
      const envelope = cc.sealEnvelope({
        siteToken: cc.signSiteToken({ siteId: 12, tokenVersion: 4 }, signing.secretKey),
        category: 'bribery',
        accusedLevel,
        replyPublicKey: receipt.replyKeyPair.publicKey,
        receiptLookupHash: receipt.lookupHash,
        powChallenge: challenge,
        powNonce: cc.solvePow(challenge, 8),
      }, [jsUnit.publicKey, unb64(unit.public_key)], body);
      const p = file('envelope.bin');
      await fs.writeFile(p, envelope);
      const opened = await tool('open-envelope', '--secret-key', unit.secret_key, '--in', p);
      assert.deepEqual(opened, {
        site_id: 12,
        token_version: 4,
        category: 'bribery',
        accused_level: accusedLevel,
        reply_public_key: b64(receipt.replyKeyPair.publicKey),
        receipt_lookup_hash: b64(receipt.lookupHash),
        body,
      });
      // A tampered copy is refused by C++ too.
      const bad = new Uint8Array(envelope);
      bad[4 + 86 + 2] ^= 0x01; // 'b' -> 'c' in the category
      const q = file('tampered.bin');
      await fs.writeFile(q, bad);
      await toolFails('open-envelope', '--secret-key', unit.secret_key, '--in', q);
      // The other recipient's key cannot open it in C++.
      const stranger = await tool('keygen-box');
      await toolFails('open-envelope', '--secret-key', stranger.secret_key, '--in', p);
    }
  });

  test('envelope: C++ seals, JS opens', async () => {
    const unit = cc.generateBoxKeyPair();
    const other = await tool('keygen-box');
    const signing = cc.generateSigningKeyPair();
    const token = cc.signSiteToken({ siteId: 99, tokenVersion: 1 }, signing.secretKey);
    const reply = cc.generateBoxKeyPair();
    const lookupHash = randomBytes(32);
    const challenge = randomBytes(32);
    const nonce = cc.solvePow(challenge, 6);
    const body = JSON.stringify({ v: 1, text: '村委会主任挪用扶贫资金 — “真实情况”', contact: '匿名' });
    const bodyPath = file('body.json');
    await fs.writeFile(bodyPath, body, 'utf8');
    for (const accusedLevel of ['village', '']) {
      const out = file('envelope.bin');
      await tool('seal-envelope', '--token', token, '--category', 'misuse_of_funds', '--accused-level', accusedLevel,
        '--reply-public-key', b64(reply.publicKey), '--receipt-lookup-hash', b64(lookupHash),
        '--pow-challenge', b64(challenge), '--pow-nonce', b64(nonce),
        '--recipient', other.public_key, '--recipient', b64(unit.publicKey), '--body-file', bodyPath, '--out', out);
      const envelope = new Uint8Array(await fs.readFile(out));
      assert.equal(cc.openEnvelope(envelope, unit), body);
      assert.equal(cc.openEnvelope(envelope, cc.boxKeyPairFromSecret(unb64(other.secret_key))), body);
      const parsed = cc.parseEnvelope(envelope);
      assert.equal(parsed.siteId, 99);
      assert.equal(parsed.tokenVersion, 1);
      assert.equal(parsed.category, 'misuse_of_funds');
      assert.equal(parsed.accusedLevel, accusedLevel);
      assert.ok(equalBytes(parsed.siteToken, unb64(token)));
      assert.ok(equalBytes(parsed.replyPublicKey, reply.publicKey));
      assert.ok(equalBytes(parsed.receiptLookupHash, lookupHash));
      assert.ok(equalBytes(parsed.powChallenge, challenge));
      assert.ok(equalBytes(parsed.powNonce, nonce));
      assert.deepEqual(parsed.recipientKeyIds.map(b64), [unb64(other.public_key), unit.publicKey].map((k) => b64(cc.keyId(k))));
      assert.deepEqual(cc.verifySiteTokenBytes(parsed.siteToken, signing.publicKey), { siteId: 99, tokenVersion: 1 });
    }
  });

  test('message and reply payloads in both directions', async () => {
    const unitA = await tool('keygen-box');
    const unitB = cc.generateBoxKeyPair();
    const reporter = cc.generateBoxKeyPair();
    const clueId = randomBytes(16);
    const cases = [
      ['message', [unb64(unitA.public_key), unitB.publicKey], unitA.secret_key, unitB, '补充材料：会议记录见附件。'],
      ['reply', [reporter.publicKey], b64(reporter.secretKey), reporter, '已受理，请保持联系。'],
      ['message', [unb64(unitA.public_key)], unitA.secret_key, null, 'x'.repeat(70000)],
      ['message', [unb64(unitA.public_key)], unitA.secret_key, null, ''],
    ];
    for (const [domain, recipients, toolSecret, jsPair, text] of cases) {
      const plaintext = new Uint8Array(Buffer.from(text, 'utf8'));
      // JS seals, C++ opens.
      const sealed = file('payload.bin');
      await fs.writeFile(sealed, cc.sealPayload(domain, clueId, recipients, plaintext));
      const opened = file('plain.bin');
      await tool('open-payload', '--domain', domain, '--context', b64(clueId), '--secret-key', toolSecret, '--in', sealed, '--out', opened);
      assert.ok(equalBytes(new Uint8Array(await fs.readFile(opened)), plaintext), `${domain} JS->C++`);
      const otherDomain = domain === 'reply' ? 'message' : 'reply';
      if (recipients.length === 1) {
        await toolFails('open-payload', '--domain', otherDomain, '--context', b64(clueId), '--secret-key', toolSecret, '--in', sealed, '--out', file('x'));
      }
      await toolFails('open-payload', '--domain', domain, '--context', b64(randomBytes(16)), '--secret-key', toolSecret, '--in', sealed, '--out', file('x'));
      // C++ seals, JS opens.
      const input = file('plain-in.bin');
      await fs.writeFile(input, plaintext);
      const out = file('payload-cpp.bin');
      const args = ['seal-payload', '--domain', domain, '--context', b64(clueId)];
      for (const r of recipients) args.push('--recipient', b64(r));
      await tool(...args, '--in', input, '--out', out);
      const payload = new Uint8Array(await fs.readFile(out));
      const pair = jsPair ?? cc.boxKeyPairFromSecret(unb64(toolSecret));
      assert.ok(equalBytes(cc.openPayload(domain, clueId, payload, pair), plaintext), `${domain} C++->JS`);
      assert.equal(payload.length, 1 + 96 * recipients.length + 24 + 4 + cc.PAYLOAD_BUCKETS.find((b) => b > plaintext.length) + 16);
      assert.throws(() => cc.openPayload(domain, randomBytes(16), payload, pair), cc.CluelineCryptoError);
    }
  });

  test('attachments in both directions', async () => {
    for (const size of [150000, 0, 65536]) {
      const key = cc.generateAttachmentKey();
      const data = randomBytes(size);
      // JS encrypts, C++ decrypts.
      const enc = file('att.enc');
      const stream = cc.encryptAttachment(data, key);
      if (size === 150000) assert.equal(stream.length, 24 + 3 * 65553);
      await fs.writeFile(enc, stream);
      const dec = file('att.dec');
      await tool('decrypt-attachment', '--key', b64(key), '--in', enc, '--out', dec);
      assert.ok(equalBytes(new Uint8Array(await fs.readFile(dec)), data), `JS->C++ ${size}`);
      await toolFails('decrypt-attachment', '--key', b64(cc.generateAttachmentKey()), '--in', enc, '--out', file('x'));
      // C++ encrypts, JS decrypts.
      const plain = file('att.plain');
      await fs.writeFile(plain, data);
      const enc2 = file('att2.enc');
      await tool('encrypt-attachment', '--key', b64(key), '--in', plain, '--out', enc2);
      const stream2 = new Uint8Array(await fs.readFile(enc2));
      assert.equal(stream2.length, stream.length);
      assert.ok(equalBytes(cc.decryptAttachment(stream2, key), data), `C++->JS ${size}`);
    }
  });

  test('wrapped unit keys in both directions', async () => {
    const params = { opslimit: 1, memlimit: 8388608 };
    const passphrase = 'Ünïcode pässphrase 监督 2024';
    // JS wraps, C++ unwraps.
    const unit = cc.generateBoxKeyPair();
    const salt = randomBytes(16);
    const keys = await cc.deriveAccountKeys(passphrase, salt, params);
    const blob = cc.wrapUnitSecretKey(unit, keys, salt, params);
    const unwrapped = await tool('unwrap-key', '--passphrase', passphrase, '--blob', b64(blob));
    assert.equal(unwrapped.public_key, b64(unit.publicKey));
    assert.equal(unwrapped.secret_key, b64(unit.secretKey));
    await toolFails('unwrap-key', '--passphrase', passphrase + '!', '--blob', b64(blob));
    // C++ wraps, JS unwraps.
    const cppUnit = await tool('keygen-box');
    const salt2 = randomBytes(16);
    const { blob: cppBlob } = await tool('wrap-key', '--passphrase', passphrase, '--salt', b64(salt2),
      '--opslimit', params.opslimit, '--memlimit', params.memlimit, '--secret-key', cppUnit.secret_key);
    assert.equal(cppBlob.length, 155);
    const parsed = cc.parseWrappedKey(unb64(cppBlob));
    assert.equal(parsed.opslimit, 1);
    assert.equal(parsed.memlimit, 8388608);
    assert.ok(equalBytes(parsed.salt, salt2));
    const pair = await cc.unwrapUnitSecretKey(unb64(cppBlob), passphrase);
    assert.equal(b64(pair.publicKey), cppUnit.public_key);
    assert.equal(b64(pair.secretKey), cppUnit.secret_key);
    // The same account keys open it: derivation agrees, not just the passphrase path.
    const pair2 = await cc.unwrapUnitSecretKey(unb64(cppBlob), await cc.deriveAccountKeys(passphrase, salt2, params));
    assert.equal(b64(pair2.secretKey), cppUnit.secret_key);
    await assert.rejects(cc.unwrapUnitSecretKey(unb64(cppBlob), 'wrong'), (e) => e.code === 'authentication_failed');
  });

  test('receipt derivation agrees exactly', async () => {
    for (let i = 0; i < 2; i++) {
      const receipt = cc.generateReceipt();
      const salt = randomBytes(16);
      const js = await cc.deriveReceiptKeys(receipt, salt);
      const cpp = await tool('derive-receipt', '--receipt', receipt, '--salt', b64(salt));
      assert.deepEqual(cpp, {
        lookup_key: b64(js.lookupKey),
        lookup_hash: b64(js.lookupHash),
        reply_public_key: b64(js.replyKeyPair.publicKey),
        reply_secret_key: b64(js.replyKeyPair.secretKey),
      });
    }
  });

  test('proof of work: the same first solution', async () => {
    for (const difficulty of [0, 1, 7, 8, 12, 16]) {
      const challenge = randomBytes(32);
      const { nonce } = await tool('solve-pow', '--challenge', b64(challenge), '--difficulty', difficulty);
      assert.equal(nonce, b64(cc.solvePow(challenge, difficulty)), `difficulty ${difficulty}`);
      assert.ok(cc.verifyPow(challenge, unb64(nonce), difficulty));
    }
  });
});
