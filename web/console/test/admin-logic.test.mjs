// The pure logic of the administration and poster check views
// (admin-logic.mjs): who may change which account, invitations, sites, the
// site-signing key file, and poster verdicts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  base64urlEncode,
  generateSigningKeyPair,
  parseSiteToken,
  ready,
  signSiteToken,
  verifySiteToken,
} from '../../crypto/clueline-crypto.mjs';
import {
  KeyFileError,
  accountChanges,
  adminErrorKey,
  invitableRoles,
  isLoginName,
  isSiteKind,
  isSiteName,
  mayManage,
  parseSigningKeyFile,
  photoContentType,
  posterCheckErrorKey,
  posterFileName,
  signingKeyFromFile,
  siteUrl,
  unitKeyState,
  verdictView,
} from '../admin-logic.mjs';

await ready();

const unitAdmin = { id: 10, unit_id: 4, role: 'unit_admin' };
const admin = { id: 1, unit_id: 1, role: 'admin' };
const account = (fields) => ({ id: 20, unit_id: 4, role: 'handler', state: 'active', second_factor: false, wrapped_key_ids: [], pending_grant_key_ids: [], ...fields });

test('a unit administrator manages its own unit\'s handlers and unit administrators only', () => {
  assert.ok(mayManage(unitAdmin, account({})));
  assert.ok(mayManage(unitAdmin, account({ role: 'unit_admin' })));
  assert.ok(!mayManage(unitAdmin, account({ role: 'auditor' })));
  assert.ok(!mayManage(unitAdmin, account({ role: 'admin' })));
  assert.ok(!mayManage(unitAdmin, account({ unit_id: 5 })));
  assert.ok(mayManage(admin, account({ role: 'auditor', unit_id: 7 })));
  assert.ok(!mayManage({ id: 3, unit_id: 4, role: 'handler' }, account({})));
  assert.deepEqual(invitableRoles(unitAdmin), ['handler', 'unit_admin']);
  assert.deepEqual(invitableRoles(admin), ['handler', 'unit_admin', 'auditor', 'admin']);
  assert.deepEqual(invitableRoles({ role: 'auditor' }), []);
});

test('only the changes that apply to the account\'s state are offered', () => {
  assert.deepEqual(accountChanges(unitAdmin, account({})), ['disable']);
  assert.deepEqual(accountChanges(unitAdmin, account({ state: 'disabled' })), ['enable']);
  assert.deepEqual(accountChanges(unitAdmin, account({ state: 'locked', second_factor: true })), ['disable', 'unlock', 'reset_second_factor']);
  assert.deepEqual(accountChanges(unitAdmin, account({ state: 'disabled', second_factor: true })), ['enable', 'reset_second_factor']);
  // Never oneself (the server answers 400), never one it may not manage (403).
  assert.deepEqual(accountChanges(unitAdmin, account({ id: 10, role: 'unit_admin', second_factor: true })), ['reset_second_factor']);
  assert.deepEqual(accountChanges(unitAdmin, account({ role: 'auditor' })), []);
});

test('where an account stands with the unit key', () => {
  assert.equal(unitKeyState(account({ wrapped_key_ids: ['k'] })), 'held');
  assert.equal(unitKeyState(account({ pending_grant_key_ids: ['k'] })), 'pending');
  assert.equal(unitKeyState(account({})), 'missing');
  assert.equal(unitKeyState(account({ role: 'auditor' })), 'none');
});

test('login names, site names and kinds as the server takes them', () => {
  for (const ok of ['wang.li', 'a', '0x', 'zhao_min-2', 'a'.repeat(64)]) assert.ok(isLoginName(ok), ok);
  for (const bad of ['', '.wang', 'Wang', 'wang li', 'a'.repeat(65), '王力', null]) assert.ok(!isLoginName(bad), String(bad));
  assert.ok(isSiteName('东山村委会'));
  assert.ok(isSiteName('村'.repeat(66))); // 198 bytes
  assert.ok(!isSiteName('村'.repeat(67))); // 201 bytes
  assert.ok(!isSiteName('   '));
  assert.ok(isSiteKind('village_board'));
  assert.ok(!isSiteKind('Village'));
  assert.ok(!isSiteKind('a'.repeat(33)));
});

test('site URLs and poster file names', () => {
  assert.equal(siteUrl('https://jubao.example.cn/', 'TOKEN'), 'https://jubao.example.cn/s/TOKEN');
  assert.equal(siteUrl('https://127.0.0.1:9443', 'T'), 'https://127.0.0.1:9443/s/T');
  assert.equal(posterFileName([7, 2]), 'clueline-posters-site-2-7.pdf');
  assert.equal(posterFileName([1, 2, 3, 4, 5, 6, 7]), 'clueline-posters-site-1-2-3-4-5-and-2-more.pdf');
});

function keyFile(bytes, { newline = '\n' } = {}) {
  return `${base64urlEncode(bytes)}${newline}`;
}

test('the key file of keygen site-signing: 64 bytes, seed and public half', () => {
  const pair = generateSigningKeyPair();
  const deployment = base64urlEncode(pair.publicKey);
  const loaded = signingKeyFromFile(keyFile(pair.secretKey), deployment);
  assert.equal(loaded.publicKeyText, deployment);
  assert.deepEqual(loaded.secretKey, pair.secretKey);
  // It signs tokens the deployment's key verifies.
  const token = signSiteToken({ siteId: 7, tokenVersion: 2 }, loaded.secretKey);
  assert.deepEqual(verifySiteToken(token, pair.publicKey), { siteId: 7, tokenVersion: 2 });
  assert.equal(parseSiteToken(token).siteId, 7);
  // CRLF, a BOM and no final newline are all one line.
  assert.equal(signingKeyFromFile(`\uFEFF${keyFile(pair.secretKey, { newline: '\r\n' })}`, deployment).publicKeyText, deployment);
  assert.equal(signingKeyFromFile(keyFile(pair.secretKey, { newline: '' }), null).publicKeyText, deployment);
});

test('a bare 32-byte seed gives the same key', () => {
  const pair = generateSigningKeyPair();
  const loaded = signingKeyFromFile(keyFile(pair.secretKey.slice(0, 32)), base64urlEncode(pair.publicKey));
  assert.deepEqual(loaded.secretKey, pair.secretKey);
});

test('a key file that is not this deployment\'s, damaged or no key file is refused with the reason', () => {
  const pair = generateSigningKeyPair();
  const other = generateSigningKeyPair();
  const refused = (text, deployment = base64urlEncode(pair.publicKey)) => {
    try {
      signingKeyFromFile(text, deployment);
    } catch (e) {
      assert.ok(e instanceof KeyFileError, e.message);
      return e.key;
    }
    return null;
  };
  assert.equal(refused(keyFile(other.secretKey)), 'admin.key.error.otherDeployment');
  const spliced = new Uint8Array([...pair.secretKey.slice(0, 32), ...other.publicKey]);
  assert.equal(refused(keyFile(spliced)), 'admin.key.error.halves');
  assert.equal(refused(''), 'admin.key.error.empty');
  assert.equal(refused('\n\n'), 'admin.key.error.empty');
  assert.equal(refused('not base64url!\n'), 'admin.key.error.notKeyFile');
  assert.equal(refused(`${keyFile(pair.secretKey)}${keyFile(pair.secretKey)}`), 'admin.key.error.notKeyFile');
  assert.equal(refused(keyFile(new Uint8Array(48))), 'admin.key.error.length');
  assert.equal(refused(null), 'admin.key.error.unreadable');
  // The first site of a deployment records the key: none to compare with yet.
  assert.equal(refused(keyFile(other.secretKey), null), null);
});

test('the parsed key bytes are copies, wipeable by the caller', () => {
  const pair = generateSigningKeyPair();
  const { seed, publicHalf } = parseSigningKeyFile(keyFile(pair.secretKey));
  assert.deepEqual([...seed], [...pair.secretKey.slice(0, 32)]);
  assert.deepEqual([...publicHalf], [...pair.publicKey]);
  seed.fill(0);
  assert.notDeepEqual([...pair.secretKey.slice(0, 32)], [...seed]);
});

test('the content type of a photo: the declared one, else the bytes\'', () => {
  const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0]);
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]);
  assert.equal(photoContentType(jpeg, 'image/jpeg'), 'image/jpeg');
  assert.equal(photoContentType(jpeg, ''), 'image/jpeg');
  assert.equal(photoContentType(png, 'application/octet-stream'), 'image/png');
  assert.equal(photoContentType(new Uint8Array([0x47, 0x49, 0x46, 0x38]), 'image/gif'), null);
  assert.equal(photoContentType(new Uint8Array([]), ''), null);
});

test('verdicts: site facts for genuine and revoked codes, the text read for the others', () => {
  const site = { id: 7, name: 'Dongshan village board', unit_name: 'Dongshan Village', poster_code: 'K7QX-M2PD' };
  const view = verdictView({
    verdict: 'forged',
    codes: [
      { verdict: 'genuine', text: 'https://x/s/A', reason: 'r', site },
      { verdict: 'forged', text: 'https://evil.example/s/A', reason: 'r', site },
      { verdict: 'not_ours', text: 'WIFI:S:cafe;;', reason: 'r' },
    ],
  });
  assert.equal(view.verdict, 'forged');
  assert.deepEqual(view.codes[0], { verdict: 'genuine', site: { id: 7, name: 'Dongshan village board', unitName: 'Dongshan Village', posterCode: 'K7QX-M2PD' }, text: null });
  assert.equal(view.codes[1].text, 'https://evil.example/s/A');
  assert.equal(view.codes[1].site.posterCode, 'K7QX-M2PD');
  assert.deepEqual(view.codes[2], { verdict: 'not_ours', site: null, text: 'WIFI:S:cafe;;' });
  assert.deepEqual(verdictView({ verdict: 'no_code', codes: [] }), { verdict: 'no_code', codes: [] });
  // An answer the page does not know is not shown as genuine.
  assert.equal(verdictView({ verdict: 'maybe' }).verdict, 'not_ours');
  assert.equal(verdictView({ verdict: 'genuine', codes: [{ verdict: 'odd' }] }).codes[0].verdict, 'not_ours');
});

test('refusals in plain words', () => {
  assert.equal(posterCheckErrorKey(415), 'postercheck.error.type');
  assert.equal(posterCheckErrorKey(413), 'postercheck.error.tooLarge');
  assert.equal(posterCheckErrorKey(400), 'postercheck.error.undecodable');
  assert.equal(posterCheckErrorKey(0), 'postercheck.error.network');
  assert.equal(posterCheckErrorKey(500), 'postercheck.error.server');
  assert.equal(adminErrorKey('invite', { status: 409 }), 'admin.error.nameTaken');
  assert.equal(adminErrorKey('change', { status: 409 }), 'admin.error.stateChanged');
  assert.equal(adminErrorKey('site', { status: 409 }), 'admin.error.otherKey');
  assert.equal(adminErrorKey('revoke', { status: 409 }), 'admin.error.versionsUsed');
  assert.equal(adminErrorKey('posters', { status: 400 }), 'admin.error.posterTokens');
  assert.equal(adminErrorKey('invite', { status: 400 }), 'admin.error.invalid');
  assert.equal(adminErrorKey('change', { status: 403 }), 'admin.error.forbidden');
  assert.equal(adminErrorKey('change', { status: 503 }), 'admin.error.busy');
  assert.equal(adminErrorKey('change', {}), 'admin.error.network');
  assert.equal(adminErrorKey('change', { status: 500 }), 'admin.error.server');
});
