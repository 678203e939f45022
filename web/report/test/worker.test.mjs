// The worker's protocol against a mock of the citizen API built from the
// crypto module: what it seals opens with the unit keys, it reseals after a
// 409 only to keys that pass the checks of crypto-spec §3.1, uploads in
// parts, and the follow-up opens replies and seals messages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as cc from '../../crypto/clueline-crypto.mjs';

await cc.ready();

// ---------------------------------------------------------------------------
// A small deployment: signing key, a token, units with certified keys.

const signing = cc.generateSigningKeyPair();
const token = cc.signSiteToken({ siteId: 7, tokenVersion: 1 }, signing.secretKey);
const now = Math.floor(Date.now() / 1000);
const b64 = cc.base64urlEncode;

function unitKey(unitId, parentId, level, signer = signing) {
  const kp = cc.generateBoxKeyPair();
  const certificate = cc.signUnitKeyCertificate({ unitId, parentId, level, publicKey: kp.publicKey, notBefore: now - 60, notAfter: now + 86400 }, signer.secretKey);
  return { kp, served: { key_id: b64(cc.keyId(kp.publicKey)), public_key: b64(kp.publicKey), certificate: b64(certificate) } };
}
const units = {
  township: { unit_id: 4, unit_name: 'Dongshan Township', level: 'township', role: 'handling', key: unitKey(4, 3, 'township') },
  county: { unit_id: 3, unit_name: 'Demo County', level: 'county', role: 'oversight', key: unitKey(3, 2, 'county') },
};
const salt = new Uint8Array(16).fill(9);

// ---------------------------------------------------------------------------
// The mock server.

const server = {
  requests: [],
  clues: [],
  sessions: new Map(),
  challenges: new Set(),
  faults: [], // {method, path (prefix), respond: () => Response, times}
  route() {
    const challenge = cc.base64urlEncode(crypto.getRandomValues(new Uint8Array(32)));
    this.challenges.add(challenge);
    return {
      deployment_key: b64(signing.publicKey),
      recipients: [units.township, units.county].map((u) => ({ unit_id: u.unit_id, unit_name: u.unit_name, level: u.level, role: u.role, keys: [u.key.served] })),
      pow: { challenge, difficulty: 4, expires_at: new Date(Date.now() + 120000).toISOString() },
      receipt_salt: b64(salt),
    };
  },
  unitJson() {
    const u = units.township;
    return { id: u.unit_id, name: u.unit_name, level: u.level, keys: [u.key.served] };
  },
};

const json = (status, body, headers = {}) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
const error = (status, code, extra = {}) => json(status, { error: { code, message: code }, ...extra });

function clueOf(request) {
  const bearer = (request.headers.Authorization ?? '').replace(/^Bearer /, '');
  return server.sessions.get(bearer) ?? null;
}

async function handle(path, init) {
  const method = init.method ?? 'GET';
  const url = new URL(path, 'https://clueline.test');
  const body = init.body;
  server.requests.push({ method, path: url.pathname + url.search, size: body?.length ?? 0, bearer: init.headers?.Authorization ?? null });
  const fault = server.faults.find((f) => f.times > 0 && f.method === method && url.pathname.startsWith(f.path));
  if (fault) {
    fault.times--;
    return fault.respond();
  }
  if (method === 'GET' && url.pathname === '/api/v1/route') return json(200, server.route());
  if (method === 'POST' && url.pathname === '/api/v1/reports') {
    const env = cc.parseEnvelope(body);
    const challenge = b64(env.powChallenge);
    if (!server.challenges.has(challenge) || !cc.verifyPow(env.powChallenge, env.powNonce, 4)) return error(403, 'authentication_failed');
    const want = [units.township, units.county].map((u) => u.key.served.key_id).sort();
    if (JSON.stringify(env.recipientKeyIds.map(b64).sort()) !== JSON.stringify(want)) return error(409, 'conflict', { route: server.route() });
    server.challenges.delete(challenge);
    if (server.clues.some((c) => b64(c.env.receiptLookupHash) === b64(env.receiptLookupHash))) return error(409, 'conflict');
    const clue = { id: crypto.getRandomValues(new Uint8Array(16)), env, envelope: new Uint8Array(body), attachments: new Map(), messages: [], replies: [] };
    server.clues.push(clue);
    const session = b64(crypto.getRandomValues(new Uint8Array(32)));
    server.sessions.set(session, clue);
    return json(201, { clue_id: b64(clue.id), status: 'received', received_at: '2026-11-23T10:00:00Z', acknowledge_by: '2026-12-08T10:00:00Z', handle_by: '2027-02-21T10:00:00Z', session, session_expires_at: '2026-11-23T10:15:00Z' });
  }
  if (method === 'GET' && url.pathname === '/api/v1/followup/challenge') {
    const challenge = b64(crypto.getRandomValues(new Uint8Array(32)));
    server.challenges.add(challenge);
    return json(200, { pow: { challenge, difficulty: 4, expires_at: '2026-11-23T10:02:00Z' } });
  }
  if (method === 'POST' && url.pathname === '/api/v1/followup/session') {
    const request = JSON.parse(body);
    const pow = request.pow ?? {};
    if (!server.challenges.has(pow.challenge) || !cc.verifyPow(cc.base64urlDecode(pow.challenge), cc.base64urlDecode(pow.nonce), 4)) {
      return error(403, 'authentication_failed');
    }
    server.challenges.delete(pow.challenge);
    const lookup = cc.base64urlDecode(request.lookup_key);
    const hash = b64(cc.receiptLookupHash(lookup));
    const clue = server.clues.find((c) => b64(c.env.receiptLookupHash) === hash);
    if (!clue) return error(404, 'not_found');
    const session = b64(crypto.getRandomValues(new Uint8Array(32)));
    server.sessions.set(session, clue);
    return json(201, { session, expires_at: '2026-11-23T10:15:00Z' });
  }
  const clue = clueOf({ headers: init.headers ?? {} });
  if (url.pathname.startsWith('/api/v1/followup') && clue === null) return error(404, 'not_found');
  let m;
  if (method === 'PUT' && (m = /^\/api\/v1\/followup\/attachments\/(\d+)\/(\d+)$/.exec(url.pathname))) {
    const n = Number(m[1]);
    const part = Number(m[2]);
    const a = clue.attachments.get(n) ?? { parts: [], complete: false };
    if (a.complete || part !== a.parts.length) return error(409, 'conflict');
    if (body.length > 1 << 20) return error(413, 'payload_too_large');
    a.parts.push(new Uint8Array(body));
    a.complete = url.searchParams.get('final') === '1';
    clue.attachments.set(n, a);
    const bytes = a.parts.reduce((k, p) => k + p.length, 0);
    return json(201, { attachment: n, part, bytes, complete: a.complete });
  }
  if (method === 'GET' && url.pathname === '/api/v1/followup') {
    return json(200, {
      clue_id: b64(clue.id), status: 'received', outcome: null, received_at: '2026-11-23T10:00:00Z',
      history: [{ at: '2026-11-23T10:00:00Z', event: 'received', text: 'Your report was received.' }],
      deadlines: { acknowledge_by: '2026-12-08T10:00:00Z', handle_by: '2027-02-21T10:00:00Z' },
      unit: server.unitJson(), deployment_key: b64(signing.publicKey),
      replies: clue.replies.map((r, i) => ({ seq: i + 1, sent_at: '2026-11-25T08:30:00Z', payload: b64(r) })),
      messages: clue.messages.map((_, i) => ({ seq: i + 1, sent_at: '2026-11-24T19:05:00Z' })),
      attachments: [...clue.attachments].map(([n, a]) => ({ n, bytes: a.parts.reduce((k, p) => k + p.length, 0), complete: a.complete })),
    });
  }
  if (method === 'POST' && url.pathname === '/api/v1/followup/messages') {
    const ids = cc.parsePayload(body).recipients.map((r) => b64(r.keyId));
    if (JSON.stringify(ids) !== JSON.stringify([units.township.key.served.key_id])) {
      return error(409, 'conflict', { unit: server.unitJson(), deployment_key: b64(signing.publicKey) });
    }
    clue.messages.push(new Uint8Array(body));
    return json(201, { seq: clue.messages.length, sent_at: '2026-11-24T19:05:00Z' });
  }
  return error(404, 'not_found');
}

globalThis.fetch = async (path, init = {}) => handle(path, init);
globalThis.self = globalThis;
const posted = [];
let waiting = null;
globalThis.postMessage = (m) => {
  posted.push(m);
  if (waiting && m.id === waiting.id && (m.type === 'result' || m.type === 'error')) waiting.done(m);
};
await import('../worker.mjs');
let nextId = 1;
function call(cmd, args) {
  const id = nextId++;
  return new Promise((resolve) => {
    waiting = { id, done: resolve };
    self.onmessage({ data: { id, cmd, args } });
  });
}
const progressOf = (id) => posted.filter((m) => m.id === id && m.type === 'progress');
async function ready() {
  for (let i = 0; i < 100 && !posted.some((m) => m.type === 'ready'); i++) await new Promise((r) => setTimeout(r, 20));
  return posted.find((m) => m.type === 'ready');
}

const reportArgs = (files = []) => ({ token, salt: b64(salt), category: 'bribery', accusedLevel: 'village', text: '村干部收钱 — test', contact: '', files });

// ---------------------------------------------------------------------------

test('the worker reports ready with the payload limit', async () => {
  const r = await ready();
  assert.equal(r.failed, undefined);
  assert.equal(r.maxPlaintext, cc.PAYLOAD_MAX_PLAINTEXT);
});

let receipt;
let clue;

test('submit: sealed to the route keys, body as clueline submit, attachments in parts after the 201', async () => {
  const file = new Uint8Array(2.5 * 1024 * 1024).map((_, i) => i & 255);
  const start = server.requests.length;
  const answer = await call('submit', reportArgs([{ name: 'photo-x', type: 'image/jpeg', photo: true, bytes: file.slice().buffer }, { name: 'a/b/notes.txt', type: 'text/plain', photo: false, bytes: new TextEncoder().encode('hi').buffer }]));
  assert.equal(answer.type, 'result', JSON.stringify(answer.error));
  assert.deepEqual(answer.value, { files: 2 });
  const id = answer.id;
  const stored = progressOf(id).find((m) => m.phase === 'stored');
  assert.match(stored.receipt, /^\d{5}(-\d{5}){4}$/);
  receipt = stored.receipt;
  assert.equal(stored.acknowledgeBy, '2026-12-08T10:00:00Z');
  clue = server.clues.at(-1);
  for (const u of [units.township, units.county]) {
    const body = JSON.parse(cc.openEnvelope(clue.envelope, u.key.kp));
    assert.deepEqual(Object.keys(body), ['v', 'text', 'attachments']);
    assert.equal(body.text, '村干部收钱 — test');
    assert.deepEqual(body.attachments.map((a) => [a.id, a.name, a.type, a.size]), [
      ['attachment-0', 'photo-1.jpg', 'image/jpeg', file.length],
      ['attachment-1', 'notes.txt', 'text/plain', 2],
    ]);
    const stream = new Uint8Array(clue.attachments.get(0).parts.reduce((a, p) => [...a, ...p], []));
    assert.deepEqual(cc.decryptAttachment(stream, cc.base64urlDecode(body.attachments[0].key)), file);
  }
  assert.equal(clue.env.category, 'bribery');
  assert.equal(clue.env.accusedLevel, 'village');
  const puts = server.requests.slice(start).filter((r) => r.method === 'PUT').map((r) => r.path);
  assert.deepEqual(puts, ['/api/v1/followup/attachments/0/0', '/api/v1/followup/attachments/0/1', '/api/v1/followup/attachments/0/2?final=1', '/api/v1/followup/attachments/1/0?final=1']);
  assert.ok(server.requests.slice(start).filter((r) => r.method === 'PUT').every((r) => r.size <= 1 << 20 && r.bearer.startsWith('Bearer ')));
  assert.ok(progressOf(id).some((m) => m.phase === 'pow'));
  assert.ok(progressOf(id).some((m) => m.phase === 'upload' && m.sent === m.total));
});

test('a 409 with a route whose keys check out: resealed to them', async () => {
  const old = units.township.key;
  server.faults.push({ method: 'POST', path: '/api/v1/reports', times: 1, respond: () => {
    units.township.key = unitKey(4, 3, 'township'); // rotated
    return error(409, 'conflict', { route: server.route() });
  } });
  const answer = await call('submit', reportArgs());
  assert.equal(answer.type, 'result', JSON.stringify(answer.error));
  const c = server.clues.at(-1);
  assert.ok(JSON.parse(cc.openEnvelope(c.envelope, units.township.key.kp)).text);
  assert.throws(() => cc.openEnvelope(c.envelope, old.kp));
});

test('a 409 with a route naming a key the deployment did not certify: nothing more is sent', async () => {
  const intruder = cc.generateSigningKeyPair();
  server.faults.push({ method: 'POST', path: '/api/v1/reports', times: 1, respond: () => {
    const route = server.route();
    route.recipients[0].keys = [unitKey(4, 3, 'township', intruder).served];
    return error(409, 'conflict', { route });
  } });
  const before = server.requests.filter((r) => r.path === '/api/v1/reports').length;
  const answer = await call('submit', reportArgs());
  assert.equal(answer.type, 'error');
  assert.equal(answer.error.code, 'keysUnverified');
  assert.equal(answer.error.retryable, true);
  assert.equal(server.requests.filter((r) => r.path === '/api/v1/reports').length, before + 1);
  await call('discard', {});
});

test('a route answer with a swapped deployment key is refused before anything is sealed', async () => {
  const other = cc.generateSigningKeyPair();
  server.faults.push({ method: 'GET', path: '/api/v1/route', times: 1, respond: () => json(200, { ...server.route(), deployment_key: b64(other.publicKey) }) });
  const before = server.requests.filter((r) => r.path === '/api/v1/reports').length;
  const answer = await call('submit', reportArgs());
  assert.equal(answer.error?.code, 'keysUnverified');
  assert.equal(server.requests.filter((r) => r.path === '/api/v1/reports').length, before);
  await call('discard', {});
});

test('429 waits for Retry-After and sends again; 403 fetches a fresh challenge', async () => {
  server.faults.push({ method: 'POST', path: '/api/v1/reports', times: 1, respond: () => error(429, 'rate_limited', {}) });
  server.faults.push({ method: 'POST', path: '/api/v1/reports', times: 1, respond: () => new Response('{"error":{"code":"rate_limited","message":"x"}}', { status: 429, headers: { 'Retry-After': '1' } }) });
  const answer = await call('submit', reportArgs());
  assert.equal(answer.type, 'result', JSON.stringify(answer.error));
  assert.ok(progressOf(answer.id).some((m) => m.phase === 'waitBusy'));
  server.faults.push({ method: 'POST', path: '/api/v1/reports', times: 1, respond: () => error(403, 'authentication_failed') });
  const routes = server.requests.filter((r) => r.path.startsWith('/api/v1/route')).length;
  const again = await call('submit', reportArgs());
  assert.equal(again.type, 'result', JSON.stringify(again.error));
  assert.equal(server.requests.filter((r) => r.path.startsWith('/api/v1/route')).length, routes + 2);
});

test('an answer lost after the report was stored: the receipt finds it, nothing is stored twice', async () => {
  const count = server.clues.length;
  let stored = false;
  // The first try reaches the server and is stored, but its answer is lost.
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (path, init = {}) => {
    if (!stored && (init.method ?? 'GET') === 'POST' && path === '/api/v1/reports') {
      stored = true;
      await handle(path, init);
      throw new TypeError('connection reset');
    }
    return realFetch(path, init);
  };
  try {
    const answer = await call('submit', reportArgs());
    assert.equal(answer.type, 'result', JSON.stringify(answer.error));
    assert.equal(server.clues.length, count + 1);
    assert.ok(server.requests.some((r) => r.path === '/api/v1/followup/session'), JSON.stringify(server.requests.slice(-6)));
  } finally {
    globalThis.fetch = realFetch;
  }
});

test('follow-up: a wrong receipt is not found, a malformed one refused', async () => {
  assert.equal((await call('login', { token, salt: b64(salt), receipt: '1234' })).error.code, 'receiptInvalid');
  assert.equal((await call('login', { token, salt: b64(salt), receipt: '0'.repeat(25) })).error.code, 'receiptNotFound');
});

test('follow-up: replies open with the receipt, messages are sealed to the unit and resealed after a 409', async () => {
  clue.replies.push(cc.sealPayload('reply', clue.id, [clue.env.replyPublicKey], '请补充材料。'));
  clue.replies.push(cc.sealPayload('reply', clue.id, [cc.generateBoxKeyPair().publicKey], 'not for you'));
  const answer = await call('login', { token, salt: b64(salt), receipt: receipt.replaceAll('-', ' ') });
  assert.equal(answer.type, 'result', JSON.stringify(answer.error));
  assert.deepEqual(answer.value.replies.map((r) => r.text), ['请补充材料。', null]);
  assert.equal(answer.value.attachments.length, 2);
  assert.equal(answer.value.unit.name, 'Dongshan Township');
  // The unit's key rotates between reading and sending: 409 with the new key, resealed once.
  const old = units.township.key;
  units.township.key = unitKey(4, 3, 'township');
  const sent = await call('message', { text: '收费时间是每月初。' });
  assert.equal(sent.type, 'result', JSON.stringify(sent.error));
  const payload = clue.messages.at(-1);
  assert.equal(new TextDecoder().decode(cc.openPayload('message', clue.id, payload, units.township.key.kp)), '收费时间是每月初。');
  assert.throws(() => cc.openPayload('message', clue.id, payload, old.kp));
  assert.equal((await call('message', { text: '  ' })).error.code, 'messageEmpty');
});

test('follow-up: more files go to the next free index, their keys in a sealed message', async () => {
  const bytes = new TextEncoder().encode('more evidence');
  const answer = await call('attach', { files: [{ name: 'x.pdf', type: 'application/pdf', photo: false, bytes: bytes.slice().buffer }], note: 'More files.' });
  assert.equal(answer.type, 'result', JSON.stringify(answer.error));
  assert.equal(clue.attachments.get(2).complete, true);
  const message = JSON.parse(new TextDecoder().decode(cc.openPayload('message', clue.id, clue.messages.at(-1), units.township.key.kp)));
  assert.equal(message.text, 'More files.');
  assert.deepEqual(message.attachments.map((a) => [a.n, a.id, a.name, a.size]), [[2, 'attachment-2', 'x.pdf', bytes.length]]);
  const stream = clue.attachments.get(2).parts[0];
  assert.deepEqual(cc.decryptAttachment(stream, cc.base64urlDecode(message.attachments[0].key)), bytes);
  const tooMany = Array.from({ length: 6 }, (_, i) => ({ name: `f${i}`, type: 'text/plain', photo: false, bytes: new Uint8Array([1]).buffer }));
  assert.equal((await call('attach', { files: tooMany, note: '' })).error.code, 'tooManyFiles');
  assert.equal((await call('logout', {})).type, 'result');
  assert.equal((await call('refresh', {})).error.code, 'sessionExpired');
});
