// Opening a clue as the console does it (clue-open.mjs), in node over the
// real crypto module: the envelope with a unit key or through a transfer's
// key entry, reporter messages with and without files, attachments, a
// sealed reply only the reporter opens, and the data key sealed for a new
// unit only when its keys check out against the deployment key the
// envelope's own site token names.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as cc from '../../crypto/clueline-crypto.mjs';
import { OpenError, decryptStream, openClue, openMessage, resealFor, sealReply } from '../clue-open.mjs';

let deployment;
let other;
let township;
let county;
let reporter;
let token;
let clue;
const NOW = Math.floor(Date.now() / 1000);
const b64 = (b) => cc.base64urlEncode(b);

function certified(unit, pair, signer = deployment) {
  const certificate = cc.signUnitKeyCertificate({ unitId: unit.id, parentId: unit.parent_id, level: unit.level, publicKey: pair.publicKey, notBefore: NOW - 60, notAfter: NOW + 86400 }, signer.secretKey);
  return { ...unit, keys: [{ key_id: b64(cc.keyId(pair.publicKey)), public_key: b64(pair.publicKey), certificate: b64(certificate), current: true }] };
}

before(async () => {
  await cc.ready();
  deployment = cc.generateSigningKeyPair();
  other = cc.generateSigningKeyPair();
  township = cc.generateBoxKeyPair();
  county = cc.generateBoxKeyPair();
  reporter = cc.generateBoxKeyPair();
  token = cc.signSiteToken({ siteId: 7, tokenVersion: 1 }, deployment.secretKey);
  const attachmentKey = cc.generateAttachmentKey();
  const body = JSON.stringify({ v: 1, text: '村主任收取手续费。', contact: '周三下午', attachments: [{ id: 'attachment-0', key: b64(attachmentKey), name: 'p.jpg', type: 'image/jpeg', size: 3 }] });
  const envelope = cc.sealEnvelope({ siteToken: token, category: 'bribery', accusedLevel: 'village', replyPublicKey: reporter.publicKey, receiptLookupHash: new Uint8Array(32), powChallenge: new Uint8Array(32), powNonce: new Uint8Array(8) }, [township.publicKey], body);
  const clueId = cc.generateAttachmentKey().subarray(0, 16);
  clue = { clue_id: b64(clueId), envelope: b64(envelope), key_entries: [], reply_public_key: b64(reporter.publicKey), attachmentKey, stream: cc.encryptAttachment(Uint8Array.of(1, 2, 3), attachmentKey) };
});

test('the unit that was sealed to opens the report; another unit is told it holds no key', () => {
  const opened = openClue(clue, [county, township]);
  assert.equal(opened.body.text, '村主任收取手续费。');
  assert.equal(opened.body.contact, '周三下午');
  assert.equal(opened.keyPair, township);
  assert.throws(() => openClue(clue, [county]), (e) => e instanceof OpenError && e.key === 'clue.error.noKey');
  assert.throws(() => openClue(clue, []), (e) => e instanceof OpenError && e.key === 'clue.error.noKey');
});

test('attachments: the parts joined decrypt with the body\'s key; a changed part does not', () => {
  const { body } = openClue(clue, [township]);
  const half = clue.stream.length >> 1;
  assert.deepEqual([...decryptStream([clue.stream.subarray(0, half), clue.stream.subarray(half)], body.attachments[0].key)], [1, 2, 3]);
  const broken = new Uint8Array(clue.stream);
  broken[100] ^= 1;
  assert.throws(() => decryptStream([broken], body.attachments[0].key), (e) => e.code === 'authentication_failed');
});

test('reporter messages: plain text, a message with files, and one sealed to another unit', () => {
  const id = cc.base64urlDecode(clue.clue_id);
  const plain = { seq: 1, sent_at: '2026-11-23T10:00:00Z', payload: b64(cc.sealPayload('message', id, [township.publicKey], '补充一点')) };
  assert.deepEqual(openMessage(plain, id, [county, township]), { text: '补充一点', files: [] });
  const withFiles = { seq: 2, payload: b64(cc.sealPayload('message', id, [township.publicKey], JSON.stringify({ v: 1, text: '照片', attachments: [{ n: 1, key: 'K', name: 'b.jpg', type: 'image/jpeg', size: 9 }] }))) };
  assert.deepEqual(openMessage(withFiles, id, [township]).files.map((f) => [f.n, f.name]), [[1, 'b.jpg']]);
  assert.equal(openMessage(plain, id, [county]), null);
  // A message of another clue does not open under this clue's id.
  assert.equal(openMessage(plain, new Uint8Array(16), [township]), null);
});

test('a reply is sealed to the reporter alone, in the reply domain of this clue', () => {
  const opened = openClue(clue, [township]);
  const sealed = sealReply(clue, opened, clue.clue_id, '已登记，将核实。');
  const id = cc.base64urlDecode(clue.clue_id);
  assert.equal(new TextDecoder().decode(cc.openPayload('reply', id, sealed, reporter)), '已登记，将核实。');
  assert.throws(() => cc.openPayload('reply', id, sealed, township));
  assert.equal(cc.parsePayload(sealed).recipients.length, 1);
});

test('a reply is refused when the server names another reply key than the envelope, another clue, or the clue did not open', () => {
  const opened = openClue(clue, [township]);
  const refusedWith = (key, f) => assert.throws(f, (e) => e instanceof OpenError && e.key === key);
  // A server that swaps in a key of its own would read the reply: only the envelope's key counts.
  refusedWith('clue.error.replyKey', () => sealReply({ ...clue, reply_public_key: b64(cc.generateBoxKeyPair().publicKey) }, opened, clue.clue_id, 'x'));
  refusedWith('clue.error.replyKey', () => sealReply({ ...clue, reply_public_key: '' }, opened, clue.clue_id, 'x'));
  refusedWith('clue.error.otherClue', () => sealReply(clue, opened, b64(new Uint8Array(16)), 'x'));
  refusedWith('clue.error.noKey', () => sealReply(clue, null, clue.clue_id, 'x'));
});

test('a transfer: the data key sealed to the checked keys of the new unit, which then opens the clue through its entry', () => {
  const opened = openClue(clue, [township]);
  const unit = certified({ id: 12, name: 'Xishan county', level: 'county', parent_id: 2, active: true, receiving: true }, county);
  const entries = resealFor(opened, { unit, deployment_key: b64(deployment.publicKey) }, 12);
  assert.equal(entries.length, 1);
  assert.match(entries[0], /^[A-Za-z0-9_-]{128}$/);
  const moved = { ...clue, key_entries: entries };
  assert.equal(openClue(moved, [county]).body.text, '村主任收取手续费。');
  // Earlier keys of the unit are listed but nothing new is sealed to them.
  const old = cc.generateBoxKeyPair();
  const withOld = certified(unit, old);
  withOld.keys = [{ ...withOld.keys[0], current: false }, ...unit.keys];
  assert.equal(resealFor(opened, { unit: withOld, deployment_key: b64(deployment.publicKey) }, 12).length, 1);
});

test('a transfer refuses keys that do not check out: another deployment key, another unit, level or parent, no certificate', () => {
  const opened = openClue(clue, [township]);
  const base = { id: 12, name: 'Xishan county', level: 'county', parent_id: 2, active: true, receiving: true };
  const good = certified(base, county);
  const refused = (problem, expected = 12) => assert.throws(() => resealFor(opened, problem, expected), (e) => e instanceof OpenError && e.key === 'clue.error.unverified');
  // A server that swaps the deployment key (and certifies its own key with it) is caught by the envelope's token.
  refused({ unit: certified(base, county, other), deployment_key: b64(other.publicKey) });
  refused({ unit: good, deployment_key: b64(deployment.publicKey) }, 13);
  refused({ unit: { ...good, level: 'city' }, deployment_key: b64(deployment.publicKey) });
  refused({ unit: { ...good, parent_id: 3 }, deployment_key: b64(deployment.publicKey) });
  refused({ unit: { ...good, keys: [{ ...good.keys[0], certificate: '' }] }, deployment_key: b64(deployment.publicKey) });
  refused({ unit: { ...good, keys: [] }, deployment_key: b64(deployment.publicKey) });
  // As the CLI's certified_keys: a key without its key id, or a key id of another key, and a unit without a parent.
  const { key_id: _omitted, ...withoutId } = good.keys[0];
  refused({ unit: { ...good, keys: [withoutId] }, deployment_key: b64(deployment.publicKey) });
  refused({ unit: { ...good, keys: [{ ...good.keys[0], key_id: b64(cc.keyId(township.publicKey)) }] }, deployment_key: b64(deployment.publicKey) });
  const { parent_id: _none, ...orphan } = good;
  refused({ unit: orphan, deployment_key: b64(deployment.publicKey) });
  refused({ deployment_key: b64(deployment.publicKey) });
  // A recusal does not know the new unit in advance; the rest is checked the same.
  assert.equal(resealFor(opened, { unit: good, deployment_key: b64(deployment.publicKey) }, null).length, 1);
});
