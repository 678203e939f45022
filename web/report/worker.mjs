// The citizen pages' crypto and network work, off the page's thread
// (a module Worker): it encrypts attachments, makes the receipt and derives
// its keys (Argon2id, 64 MiB), solves the proof of work, seals only to keys
// that pass the checks of crypto-spec §3.1, sends, retries, uploads, and
// opens and seals follow-up notes. What it holds (text, receipt keys,
// streams) lives in this worker's memory only and is wiped when done.
//
// Protocol: the page posts {id, cmd, args}; the worker answers
// {id, type: 'progress', phase, …} any number of times, then
// {id, type: 'result', value} or {id, type: 'error', error} (api.mjs
// plainError: code names a catalog entry error.<code>). It posts
// {type: 'ready', maxPlaintext} once libsodium is loaded, or
// {type: 'ready', failed: true}.

import * as cc from '../crypto/clueline-crypto.mjs';
import { api, ApiError, plainError } from './api.mjs';
import {
  LIMITS,
  LimitError,
  buildAttachmentMessage,
  buildReportBody,
  checkAttachments,
  nextAttachmentIndex,
  photoName,
  resumePart,
  safeFileName,
  storedAttachmentBytes,
  uploadParts,
} from './logic.mjs';

/** How long a fetched challenge is used before a fresh one is fetched (the server's default lifetime is 120 s). */
const CHALLENGE_USE_MS = 90000;

const sodiumReady = cc.ready();
sodiumReady.then(
  () => postMessage({ type: 'ready', maxPlaintext: cc.PAYLOAD_MAX_PLAINTEXT, limits: LIMITS }),
  (e) => postMessage({ type: 'ready', failed: true, detail: String(e?.message ?? e) }),
);

/** An error for the page: code is a catalog entry error.<code>. */
function fail(code, extra = {}) {
  const e = new Error(extra.detail ?? code);
  e.code = code;
  e.retryable = extra.retryable ?? false;
  e.stage = extra.stage ?? null;
  e.params = extra.params ?? {};
  e.status = extra.status ?? 0;
  return e;
}

/** An ApiError (or anything else) as the page's error of one stage. */
function asFailure(e, stage) {
  if (e instanceof LimitError) return fail(e.code, { params: e.params, stage });
  if (e instanceof ApiError) {
    const retryable = ['network', 'unavailable', 'server', 'rateLimited', 'unknown', 'conflict'].includes(e.code);
    const code = e.code === 'forbidden' ? 'server' : e.code;
    return fail(code, { retryable, stage, status: e.status, detail: e.message });
  }
  if (e instanceof cc.CluelineCryptoError && /could not be loaded/.test(e.message)) {
    // Argon2id's module is fetched when first needed: a connection that dropped since the page loaded.
    return fail('network', { retryable: true, stage, detail: e.message });
  }
  if (e && typeof e.code === 'string' && 'retryable' in e) {
    if (e.stage === null) e.stage = stage;
    return e;
  }
  return fail('unknown', { retryable: true, stage, detail: String(e?.message ?? e) });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits `seconds`, telling the page each second (phase: waitBusy | waitNetwork). */
async function countdown(seconds, phase, progress) {
  for (let s = Math.ceil(seconds); s > 0; s--) {
    progress({ phase, seconds: s });
    await sleep(1000);
  }
}

/**
 * Runs one request, waiting and trying again on what passes by itself: no
 * answer (2, 4, 8 s), 429 (its Retry-After, up to 20 times), 503 (up to 3
 * times). Anything else, or the last failure, is thrown.
 */
async function retrying(request, progress) {
  let network = 0;
  let busy = 0;
  let unavailable = 0;
  for (;;) {
    try {
      return await request();
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.code === 'network' && network < 3) {
        await countdown(2 ** ++network, 'waitNetwork', progress);
      } else if (e.code === 'rateLimited' && busy < 20) {
        busy++;
        await countdown(e.retryAfter || 5, 'waitBusy', progress);
      } else if (e.code === 'unavailable' && unavailable < 3) {
        unavailable++;
        await countdown(e.retryAfter || 5, 'waitBusy', progress);
      } else {
        throw e;
      }
    }
  }
}

/** The route's keys after every check of crypto-spec §3.1; nothing is sealed otherwise. */
function verifiedRoute(route, token) {
  try {
    return cc.verifiedRouteKeys(route, token);
  } catch (e) {
    throw fail('keysUnverified', { retryable: true, detail: String(e?.message ?? e) });
  }
}

/** What the page shows of a route: the units, never keys. */
function routeSummary(route) {
  return (route?.recipients ?? []).map((r) => ({ name: String(r.unit_name ?? ''), level: String(r.level ?? ''), role: String(r.role ?? '') }));
}

/**
 * Opens a follow-up session: solves the server's session challenge (a few
 * thousand hashes at rest, more while strangers guess receipts) and sends
 * it with the lookup key. A challenge that expired or was spent meanwhile
 * is replaced, twice at most.
 */
async function openSession(lookupKey, progress) {
  for (let attempt = 0; ; attempt++) {
    const offered = (await retrying(() => api('/api/v1/followup/challenge'), progress)).body?.pow ?? {};
    const challenge = cc.base64urlDecode(String(offered.challenge ?? ''));
    const nonce = cc.solvePow(challenge, Number(offered.difficulty));
    try {
      const answer = await retrying(
        () =>
          api('/api/v1/followup/session', {
            method: 'POST',
            json: { lookup_key: cc.base64urlEncode(lookupKey), pow: { challenge: String(offered.challenge), nonce: cc.base64urlEncode(nonce) } },
          }),
        progress,
      );
      const session = answer.body?.session;
      if (typeof session !== 'string') throw fail('server', { retryable: true });
      return session;
    } catch (e) {
      if (e instanceof ApiError && (e.code === 'forbidden' || e.code === 'conflict') && attempt < 2) continue;
      throw e;
    }
  }
}

function wipeKeys(keys) {
  if (keys) cc.wipe(keys.lookupKey, keys.lookupHash, keys.replyKeyPair?.secretKey);
}

// ---------------------------------------------------------------------------
// Attachments (both pages)

/**
 * Encrypts files ({name, type, photo, bytes: ArrayBuffer}) with fresh keys;
 * the file bytes are wiped. Cleaned photos are named by their upload index
 * (photo-1.jpg for attachment 0). Returns the entries for the sealed body and the
 * streams to upload.
 */
function encryptFiles(files, firstIndex, progress) {
  const out = [];
  files.forEach((f, i) => {
    progress({ phase: 'encrypt', done: i, total: files.length });
    const bytes = new Uint8Array(f.bytes);
    const key = cc.generateAttachmentKey();
    const stream = cc.encryptAttachment(bytes, key);
    const n = firstIndex + i;
    const name = f.photo ? photoName(n + 1) : safeFileName(f.name);
    out.push({
      entry: { n, id: `attachment-${n}`, key: cc.base64urlEncode(key), name, type: f.photo ? 'image/jpeg' : String(f.type || 'application/octet-stream'), size: bytes.length },
      upload: { n, name, stream, nextPart: 0, complete: false },
    });
    cc.wipe(bytes, key);
  });
  progress({ phase: 'encrypt', done: files.length, total: files.length });
  return out;
}

async function readFollowup(holder, progress) {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await retrying(() => api('/api/v1/followup', { bearer: holder.session }), progress)).body;
    } catch (e) {
      if (e instanceof ApiError && e.code === 'notFound' && attempt === 0) {
        holder.session = await openSession(holder.keys.lookupKey, progress);
        continue;
      }
      if (e instanceof ApiError && e.code === 'notFound') throw fail('sessionExpired');
      throw e;
    }
  }
}

/**
 * Uploads every stream in parts of at most 1 MiB (the last with ?final=1),
 * with the session in holder (reopened with the lookup key when it has
 * expired), resuming from what the server holds after a lost answer.
 */
async function uploadAll(holder, uploads, progress) {
  const total = uploads.reduce((n, u) => n + (u.length ?? u.stream.length), 0);
  const sentBytes = () => uploads.reduce((n, u) => n + (u.complete ? u.length : Math.min(u.length, u.nextPart * LIMITS.partBytes)), 0);
  for (const u of uploads) u.length ??= u.stream.length;
  progress({ phase: 'upload', sent: sentBytes(), total });
  for (const u of uploads) {
    if (u.complete) continue;
    const parts = uploadParts(u.length);
    let reopened = 0;
    let conflicts = 0;
    while (u.nextPart < parts.length) {
      const p = parts[u.nextPart];
      const path = `/api/v1/followup/attachments/${u.n}/${p.part}${p.final ? '?final=1' : ''}`;
      try {
        await retrying(
          () => api(path, { method: 'PUT', bytes: u.stream.subarray(p.offset, p.offset + p.size), bearer: holder.session, timeoutMs: 180000 }),
          (q) => progress({ ...q, sent: sentBytes(), total }),
        );
        u.nextPart++;
        progress({ phase: 'upload', sent: sentBytes(), total });
      } catch (e) {
        if (e instanceof ApiError && e.code === 'notFound' && reopened < 3) {
          reopened++;
          holder.session = await openSession(holder.keys.lookupKey, progress);
        } else if (e instanceof ApiError && e.code === 'conflict' && conflicts < 5) {
          // A part whose answer was lost, or another upload at the same time:
          // continue from what the server holds.
          conflicts++;
          await sleep(1000);
          const view = await readFollowup(holder, progress);
          const state = (view?.attachments ?? []).find((a) => a.n === u.n);
          if (state?.complete) {
            u.nextPart = parts.length;
            break;
          }
          const next = resumePart(state ? state.bytes : 0);
          if (next === null || next > parts.length) throw fail('uploadFailed', { retryable: false, stage: 'upload' });
          u.nextPart = next;
        } else if (e instanceof ApiError && (e.code === 'tooLarge' || e.code === 'invalid')) {
          throw fail('uploadRefused', { params: { name: u.name }, stage: 'upload', status: e.status });
        } else {
          const f = asFailure(e, 'upload');
          throw fail('uploadFailed', { retryable: f.retryable || f.code === 'network', stage: 'upload', detail: f.message });
        }
      }
    }
    u.complete = true;
    u.stream = null;
    progress({ phase: 'upload', sent: sentBytes(), total });
  }
}

// ---------------------------------------------------------------------------
// Report (report.html)

/** The report being sent; kept until it and its files are stored, for "try again". */
let job = null;

function discardJob() {
  if (job === null) return;
  wipeKeys(job.keys);
  if (job.envelope) cc.wipe(job.envelope);
  job = null;
}

async function storedBySession(j, progress) {
  let session;
  try {
    session = await openSession(j.keys.lookupKey, progress);
  } catch (e) {
    if (e instanceof ApiError && e.code === 'notFound') return null;
    throw e;
  }
  const view = (await retrying(() => api('/api/v1/followup', { bearer: session }), progress)).body;
  return {
    clue_id: view.clue_id,
    status: view.status,
    received_at: view.received_at,
    acknowledge_by: view.deadlines?.acknowledge_by,
    handle_by: view.deadlines?.handle_by,
    session,
  };
}

async function runReport(j, progress) {
  if (j.body === null) {
    const encrypted = encryptFiles(j.files, 0, progress);
    j.files = [];
    j.uploads = encrypted.map((e) => e.upload);
    const attachments = encrypted.map(({ entry }) => ({ id: entry.id, key: entry.key, name: entry.name, type: entry.type, size: entry.size }));
    j.body = buildReportBody({ text: j.text, contact: j.contact, attachments }, cc.PAYLOAD_MAX_PLAINTEXT);
    j.text = null;
    j.contact = null;
  }
  let reseals = 0;
  let refusals = 0;
  while (j.stored === null) {
    if (j.keys === null) {
      progress({ phase: 'kdf' });
      j.receipt = cc.generateReceipt();
      j.keys = await cc.deriveReceiptKeys(j.receipt, j.salt);
      j.envelope = null;
    }
    if (j.route === null || Date.now() > j.routeUntil) {
      progress({ phase: 'route' });
      const q = `site=${encodeURIComponent(j.token)}&category=${encodeURIComponent(j.category)}&accused_level=${encodeURIComponent(j.accusedLevel)}`;
      j.route = (await retrying(() => api(`/api/v1/route?${q}`), progress)).body;
      j.routeUntil = Date.now() + CHALLENGE_USE_MS;
      j.recipients = null;
    }
    if (j.recipients === null) {
      try {
        j.recipients = verifiedRoute(j.route, j.token);
      } catch (e) {
        j.route = null; // "try again" starts from a fresh route
        throw e;
      }
      j.envelope = null;
      progress({ phase: 'routeInfo', recipients: routeSummary(j.route) });
    }
    if (j.envelope === null) {
      const pow = j.route.pow ?? {};
      const challenge = cc.base64urlDecode(String(pow.challenge ?? ''));
      const difficulty = Number(pow.difficulty);
      const expected = 2 ** Math.min(32, Math.max(0, difficulty));
      progress({ phase: 'pow', tried: 0, expected });
      const nonce = cc.solvePow(challenge, difficulty, { onProgress: (tried) => progress({ phase: 'pow', tried, expected }) });
      j.envelope = cc.sealEnvelope(
        {
          siteToken: j.token,
          category: j.category,
          accusedLevel: j.accusedLevel,
          replyPublicKey: j.keys.replyKeyPair.publicKey,
          receiptLookupHash: j.keys.lookupHash,
          powChallenge: challenge,
          powNonce: nonce,
        },
        j.recipients,
        j.body,
      );
    }
    progress({ phase: 'send' });
    try {
      const answer = await retrying(() => api('/api/v1/reports', { method: 'POST', bytes: j.envelope, timeoutMs: 90000 }), progress);
      j.stored = answer.body ?? {};
      break;
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.code === 'conflict' && e.body && typeof e.body.route === 'object' && e.body.route !== null) {
        // The route changed: reseal to the new route's keys once they pass the checks.
        if (++reseals > 3) throw fail('conflict', { retryable: true });
        progress({ phase: 'newRoute' });
        j.route = e.body.route;
        j.routeUntil = Date.now() + CHALLENGE_USE_MS;
        j.recipients = null;
        continue;
      }
      if (e.code === 'conflict') {
        // A used challenge or a receipt in use means that an earlier try of
        // this report was stored (the challenge is spent, and the lookup hash
        // indexed, in the clue's own write) though its answer never came:
        // the browser may even have resent a POST by itself. The receipt says.
        const stored = await storedBySession(j, progress);
        if (stored !== null) {
          j.stored = stored;
          break;
        }
      }
      if (e.code === 'conflict' || e.code === 'forbidden') {
        // The challenge has expired, or was used by a try that was not stored: a fresh one.
        if (++refusals > 3) throw fail('conflict', { retryable: true });
        progress({ phase: 'newRoute' });
        j.route = null;
        continue;
      }
      if (e.code === 'notFound' || e.code === 'gone') throw fail(e.code, { stage: 'submit', status: e.status });
      throw asFailure(e, 'submit');
    }
  }
  if (j.receipt !== null) {
    const s = j.stored;
    progress({
      phase: 'stored',
      receipt: cc.formatReceipt(j.receipt),
      receivedAt: s.received_at ?? null,
      acknowledgeBy: s.acknowledge_by ?? null,
      handleBy: s.handle_by ?? null,
      files: j.uploads.length,
    });
    j.receipt = null;
    cc.wipe(j.envelope);
    j.envelope = null;
    j.body = '';
    j.session = s.session ?? null;
  }
  if (j.uploads.length > 0) {
    if (j.session === null) j.session = await openSession(j.keys.lookupKey, progress);
    await uploadAll(j, j.uploads, progress);
  }
  const files = j.uploads.length;
  discardJob();
  return { files };
}

// ---------------------------------------------------------------------------
// Follow-up (followup.html)

/** The signed-in follow-up: token, receipt keys, session, the last answer of GET /api/v1/followup. */
let fu = null;

function wipeFollowup() {
  if (fu === null) return;
  wipeKeys(fu.keys);
  fu = null;
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** GET /api/v1/followup, its replies opened with the reply key; what the page shows. */
async function followupView(progress) {
  const view = await readFollowup(fu, progress);
  fu.raw = view;
  fu.clueId = cc.base64urlDecode(String(view.clue_id));
  const replies = (view.replies ?? []).map((r) => {
    let text = null;
    try {
      const plain = cc.openPayload('reply', fu.clueId, cc.base64urlDecode(String(r.payload)), fu.keys.replyKeyPair);
      text = textDecoder.decode(plain);
      cc.wipe(plain);
    } catch {
      text = null;
    }
    return { seq: r.seq, sent_at: r.sent_at, text };
  });
  return {
    status: view.status,
    outcome: view.outcome ?? null,
    received_at: view.received_at,
    deadlines: view.deadlines ?? {},
    unit: view.unit ? { name: String(view.unit.name ?? ''), level: String(view.unit.level ?? '') } : null,
    history: (view.history ?? []).map((h) => ({ at: h.at, event: String(h.event ?? ''), text: String(h.text ?? '') })),
    replies,
    messages: (view.messages ?? []).map((m) => ({ seq: m.seq, sent_at: m.sent_at })),
    attachments: (view.attachments ?? []).map((a) => ({ n: a.n, bytes: a.bytes, complete: a.complete })),
  };
}

/**
 * Seals text in the message domain to the unit keys of the last follow-up
 * answer, after the checks of §3.1 against the poster's token, and sends
 * it; on a 409 naming the unit's current keys, checks those and seals again once.
 */
async function sendMessage(text, progress) {
  let resealed = false;
  let busy = 0;
  let reopened = false;
  for (;;) {
    if (!fu.raw?.unit) throw fail('noUnit');
    let keys;
    try {
      keys = cc.verifiedFollowupKeys(fu.raw, fu.token);
    } catch (e) {
      throw fail('keysUnverified', { retryable: true, detail: String(e?.message ?? e) });
    }
    const payload = cc.sealPayload('message', fu.clueId, keys, text);
    try {
      const answer = await retrying(() => api('/api/v1/followup/messages', { method: 'POST', bytes: payload, bearer: fu.session }), progress);
      return { seq: answer.body?.seq ?? null, sent_at: answer.body?.sent_at ?? null };
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.code === 'conflict' && e.body?.unit && !resealed) {
        resealed = true;
        fu.raw = { ...fu.raw, unit: e.body.unit, deployment_key: e.body.deployment_key };
        continue;
      }
      if (e.code === 'conflict' && !e.body?.unit && busy < 3) {
        busy++;
        await sleep(1000);
        continue;
      }
      if (e.code === 'notFound' && !reopened) {
        reopened = true;
        fu.session = await openSession(fu.keys.lookupKey, progress);
        continue;
      }
      if (e.code === 'notFound') throw fail('sessionExpired');
      throw asFailure(e, 'message');
    }
  }
}

async function runAttach(a, progress) {
  if (!a.uploaded) {
    await uploadAll(fu, a.uploads, progress);
    a.uploaded = true;
  }
  progress({ phase: 'send' });
  await sendMessage(a.message, progress);
  const count = a.uploads.length;
  fu.attach = null;
  return { files: count };
}

function needFollowup() {
  if (fu === null) throw fail('sessionExpired');
}

// ---------------------------------------------------------------------------

const handlers = {
  /** Checks a route answer's keys (§3.1) for the page's "your report goes to". */
  checkRoute({ route, token }) {
    verifiedRoute(route, token);
    return { ok: true };
  },

  /** {token, salt (base64url), category, accusedLevel, text, contact, files: [{name, type, bytes}]} */
  async submit(args, progress) {
    discardJob();
    job = {
      token: String(args.token),
      salt: cc.base64urlDecode(String(args.salt)),
      category: String(args.category),
      accusedLevel: String(args.accusedLevel ?? ''),
      text: String(args.text ?? ''),
      contact: String(args.contact ?? ''),
      files: Array.isArray(args.files) ? args.files : [],
      uploads: [],
      body: null,
      keys: null,
      receipt: null,
      route: null,
      routeUntil: 0,
      recipients: null,
      envelope: null,
      stored: null,
      session: null,
    };
    if (job.salt.length !== 16) throw fail('server');
    try {
      return await runReport(job, progress);
    } catch (e) {
      const f = asFailure(e, job?.stored ? 'upload' : 'submit');
      if (!f.retryable && f.stage !== 'upload') discardJob();
      throw f;
    }
  },

  /** Continues the report after a failure the page offered to try again. */
  async resume(_args, progress) {
    if (job === null) throw fail('unknown');
    try {
      return await runReport(job, progress);
    } catch (e) {
      throw asFailure(e, job?.stored ? 'upload' : 'submit');
    }
  },

  discard() {
    discardJob();
    return null;
  },

  /** {token, salt, receipt}: derives the receipt's keys and opens the follow-up. */
  async login({ token, salt, receipt }, progress) {
    wipeFollowup();
    let digits;
    try {
      digits = cc.normalizeReceipt(String(receipt ?? ''));
    } catch {
      throw fail('receiptInvalid');
    }
    progress({ phase: 'kdf' });
    const keys = await cc.deriveReceiptKeys(digits, cc.base64urlDecode(String(salt)));
    let session;
    try {
      session = await openSession(keys.lookupKey, progress);
    } catch (e) {
      wipeKeys(keys);
      if (e instanceof ApiError && e.code === 'notFound') throw fail('receiptNotFound');
      throw asFailure(e, 'login');
    }
    fu = { token: String(token), keys, session, raw: null, clueId: null, attach: null };
    try {
      return await followupView(progress);
    } catch (e) {
      throw asFailure(e, 'view');
    }
  },

  async refresh(_args, progress) {
    needFollowup();
    try {
      return await followupView(progress);
    } catch (e) {
      throw asFailure(e, 'view');
    }
  },

  /** {text}: a message to the unit. */
  async message({ text }, progress) {
    needFollowup();
    const t = String(text ?? '');
    if (t.trim() === '') throw fail('messageEmpty');
    if (t.length > LIMITS.maxMessageChars) throw fail('tooLong');
    return sendMessage(t, progress);
  },

  /** {files: [{name, type, bytes}], note}: more attachments, then a message with their keys. */
  async attach({ files, note }, progress) {
    needFollowup();
    try {
      await followupView(progress);
      const list = fu.raw.attachments ?? [];
      const first = nextAttachmentIndex(list);
      const sizes = files.map((f) => ({ name: String(f.name), size: f.bytes.byteLength }));
      const problems = checkAttachments(sizes, { count: Math.max(list.length, first), bytes: storedAttachmentBytes(list) });
      if (problems.length > 0) throw problems[0];
      if (!fu.raw.unit) throw fail('noUnit');
      const encrypted = encryptFiles(files, first, progress);
      fu.attach = {
        uploads: encrypted.map((e) => e.upload),
        message: buildAttachmentMessage(String(note ?? ''), encrypted.map((e) => e.entry), cc.PAYLOAD_MAX_PLAINTEXT),
        uploaded: false,
      };
      return await runAttach(fu.attach, progress);
    } catch (e) {
      throw asFailure(e, 'attach');
    }
  },

  async resumeAttach(_args, progress) {
    needFollowup();
    if (fu.attach === null) throw fail('unknown');
    try {
      return await runAttach(fu.attach, progress);
    } catch (e) {
      throw asFailure(e, 'attach');
    }
  },

  logout() {
    wipeFollowup();
    return null;
  },
};

self.onmessage = (event) => {
  const { id, cmd, args } = event.data ?? {};
  const progress = (p) => postMessage({ id, type: 'progress', ...p });
  (async () => {
    await sodiumReady;
    const handler = Object.prototype.hasOwnProperty.call(handlers, cmd) ? handlers[cmd] : null;
    if (handler === null) throw fail('unknown', { detail: `unknown command ${cmd}` });
    return handler(args ?? {}, progress);
  })().then(
    (value) => postMessage({ id, type: 'result', value: value ?? null }),
    (error) => postMessage({ id, type: 'error', error: plainError(asFailure(error, null)) }),
  );
};
