// Opening a fetched clue on this device with the held unit keys, as
// app/clue_commands.cpp does: the envelope (directly, or through an entry a
// transfer added, crypto-spec §9.3), the reporter's messages, the
// attachments' streams; sealing a reply to the reporter; and sealing the
// data key for the unit a transfer or recusal moves the clue to, after
// checking that unit's keys against the deployment key the opened
// envelope's site token names. Every primitive is clueline-crypto's.

import * as cc from '../crypto/clueline-crypto.mjs';
import { parseMessage, parseReportBody } from './logic.mjs';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A refusal to seal or open, with the catalog key that says why. */
export class OpenError extends Error {
  constructor(key, detail = '') {
    super(detail || key);
    this.name = 'OpenError';
    this.key = key;
  }
}

function entriesOf(clue) {
  return (clue.key_entries ?? []).map((e) => {
    const bytes = cc.base64urlDecode(e);
    if (bytes.length !== 96) throw new OpenError('clue.error.malformed', 'bad key entry');
    return bytes;
  });
}

/**
 * The clue's report opened with the first held key it was sealed to.
 * @param {object} clue the `clue` of GET /api/v1/clues/{id}
 * @param {{publicKey: Uint8Array, secretKey: Uint8Array}[]} keys held unit keys
 * @returns {{body: ReturnType<typeof parseReportBody>, envelope: Uint8Array, entries: Uint8Array[], keyPair: object, clueIdBytes: Uint8Array}}
 */
export function openClue(clue, keys) {
  const envelope = cc.base64urlDecode(clue.envelope);
  const entries = entriesOf(clue);
  for (const keyPair of keys) {
    let text;
    try {
      text = cc.openEnvelope(envelope, keyPair, { extraKeyEntries: entries });
    } catch (e) {
      if (e instanceof cc.CluelineCryptoError && e.code === 'authentication_failed') continue;
      throw new OpenError('clue.error.malformed', e.message);
    }
    let body;
    try {
      body = parseReportBody(text);
    } catch (e) {
      throw new OpenError('clue.error.malformed', e.message);
    }
    return { body, envelope, entries, keyPair, clueIdBytes: cc.base64urlDecode(clue.clue_id) };
  }
  throw new OpenError('clue.error.noKey');
}

/**
 * A reporter message opened with whichever held key it was sealed to,
 * parsed (text, and the files it brought); null if none opens it.
 */
export function openMessage(message, clueIdBytes, keys) {
  const payload = cc.base64urlDecode(message.payload);
  for (const keyPair of keys) {
    let bytes;
    try {
      bytes = cc.openPayload('message', clueIdBytes, payload, keyPair);
    } catch {
      continue;
    }
    try {
      return parseMessage(utf8.decode(bytes));
    } catch {
      return null;
    } finally {
      cc.wipe(bytes);
    }
  }
  return null;
}

/** The file of a complete attachment: its parts joined and decrypted with the key the body or message gave. */
export function decryptStream(parts, keyText) {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const stream = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    stream.set(p, o);
    o += p.length;
  }
  const key = cc.base64urlDecode(keyText);
  try {
    return cc.decryptAttachment(stream, key);
  } finally {
    cc.wipe(key);
  }
}

/**
 * A reply sealed to the reporter's reply key alone, in the reply domain
 * with the clue id (crypto-spec §4) — the key the opened envelope carries,
 * which the report's AEAD authenticates, not merely the one the server
 * lists: a server's other key is refused. clueId is the id the console
 * asked for, which the answer was checked to name.
 * @param {object} clue the `clue` of GET /api/v1/clues/{id}
 * @param {{envelope: Uint8Array}|null} opened from openClue
 * @param {string} clueId
 */
export function sealReply(clue, opened, clueId, text) {
  if (!opened) throw new OpenError('clue.error.noKey');
  if (clue.clue_id !== clueId) throw new OpenError('clue.error.otherClue');
  const sealedIn = cc.parseEnvelope(opened.envelope).replyPublicKey;
  let served;
  try {
    served = cc.base64urlDecode(clue.reply_public_key ?? '');
  } catch {
    throw new OpenError('clue.error.replyKey');
  }
  if (served.length !== sealedIn.length || !served.every((b, i) => b === sealedIn[i])) throw new OpenError('clue.error.replyKey');
  return cc.sealPayload('reply', cc.base64urlDecode(clueId), [sealedIn], text);
}

/**
 * The key_entries for a transfer or recusal the server answered 409 for:
 * the data key, opened from the envelope just opened, sealed to each
 * current key of the unit the answer names — after the checks of
 * crypto-spec §3.1 anchored in the envelope's own site token, which the
 * report's AEAD authenticates: the answer's deployment key must be the
 * one the token names and verify it; every key's certificate must verify
 * under it and name that unit, its level and its parent; and for a
 * transfer the unit must be the one asked for.
 * @param {{envelope: Uint8Array, entries: Uint8Array[], keyPair: object}} opened from openClue
 * @param {{unit: object, deployment_key: string}} problem the 409 body
 * @param {number|null} expectedUnitId
 * @returns {string[]} base64url of key_id[16] ‖ sealed[80]
 */
export function resealFor(opened, problem, expectedUnitId) {
  const unit = problem?.unit;
  if (!unit || typeof unit !== 'object' || !Number.isInteger(unit.id)) throw new OpenError('clue.error.unverified', 'the answer names no unit');
  if (expectedUnitId !== null && unit.id !== expectedUnitId) throw new OpenError('clue.error.unverified', `the answer is for unit ${unit.id}, not ${expectedUnitId}`);
  const parsed = cc.parseEnvelope(opened.envelope);
  let deploymentKey;
  try {
    deploymentKey = cc.base64urlDecode(problem.deployment_key ?? '');
    cc.verifySiteTokenBytes(parsed.siteToken, deploymentKey);
  } catch {
    throw new OpenError('clue.error.unverified', "the deployment key is not the one the report's poster was signed with");
  }
  // Earlier keys stay listed to open older reports; nothing new is sealed to them.
  const current = (Array.isArray(unit.keys) ? unit.keys : []).filter((k) => k?.current !== false);
  // As the CLI's certified_keys: a parent to check, and every key with its
  // key id (which verifiedUnitKeys then checks is the key's own).
  if (!Number.isInteger(unit.parent_id)) throw new OpenError('clue.error.unverified', 'the answer names no parent for the unit');
  for (const k of current) {
    if (typeof k?.key_id !== 'string' || k.key_id === '') throw new OpenError('clue.error.unverified', 'a key the answer names has no key id');
  }
  let publicKeys;
  try {
    publicKeys = cc.verifiedUnitKeys({ ...unit, keys: current }, deploymentKey);
    for (const k of current) {
      if (cc.parseUnitKeyCertificate(cc.base64urlDecode(k.certificate)).parentId !== unit.parent_id) throw new Error('parent');
    }
  } catch (e) {
    throw new OpenError('clue.error.unverified', String(e?.message ?? e));
  }
  const dataKey = cc.openDataKey(parsed.payload, opened.keyPair, { extraKeyEntries: opened.entries });
  try {
    return publicKeys.map((pk) => cc.base64urlEncode(cc.resealDataKey(dataKey, pk).entry));
  } finally {
    cc.wipe(dataKey);
  }
}
