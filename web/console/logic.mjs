// The console's pure logic, testable in node without a browser: deadline
// badges, the queue's query and order, the route explained in catalog
// keys, reporter messages, the fingerprint comparison, and small codecs.
// Nothing here touches the DOM, the network or a key.

export const STATUSES = Object.freeze(['received', 'acknowledged', 'investigating', 'closed']);
export const OUTCOMES = Object.freeze(['substantiated', 'partly_substantiated', 'unsubstantiated', 'referred_elsewhere', 'duplicate']);
export const ROLES = Object.freeze(['handler', 'unit_admin', 'auditor', 'admin']);
/** The roles that work clues (queue, clue view, grants): docs/openapi.yaml /api/v1/queue. */
export const CLUE_ROLES = Object.freeze(['handler', 'unit_admin']);
export const EVENT_ACTIONS = Object.freeze(['acknowledge', 'investigate', 'close', 'reopen', 'take_over', 'link_duplicate', 'reply', 'transfer', 'recuse']);
export const ESCALATION_REASONS = Object.freeze(['acknowledge_overdue', 'handle_overdue']);
/** The rules of routing/route.cpp rule_name(); any other is shown with the server's own text only. */
export const ROUTE_RULES = Object.freeze([
  'graded_jurisdiction', 'site_locality_floor', 'unknown_level', 'above_root_reach', 'category_minimum',
  'supervision_staff', 'unit_head', 'not_receiving', 'recusal_designated', 'recusal_parent',
]);
export const BADGES = Object.freeze(['overdue', 'dueSoon', 'escalatedToUs', 'escalatedFromUs']);

export const DUE_SOON_MS = 3 * 24 * 3600 * 1000;
export const QUEUE_PAGE_SIZE = 50;
export const MIN_PASSPHRASE_LENGTH = 12;

// ---------------------------------------------------------------------------
// Deadlines

/** The deadline that counts now: acknowledge_by while received, handle_by while worked, none once closed. */
export function currentDeadline(clue) {
  if (!clue || clue.status === 'closed') return null;
  const iso = clue.status === 'received' ? clue.acknowledge_by : clue.handle_by;
  const ms = Date.parse(iso ?? '');
  return Number.isNaN(ms) ? null : { iso, ms, kind: clue.status === 'received' ? 'acknowledge' : 'handle' };
}

/**
 * The badges of one queue row, in BADGES order: overdue (the current
 * deadline has passed), dueSoon (it passes within 3 days), escalatedToUs
 * (the clue reached this unit because a unit below sat on it),
 * escalatedFromUs (this unit handles it and it has been escalated above).
 * @param {object} clue a Clue of the API
 * @param {number} nowMs
 */
export function badgesFor(clue, nowMs) {
  const out = [];
  const deadline = currentDeadline(clue);
  if (deadline) {
    if (deadline.ms < nowMs) out.push('overdue');
    else if (deadline.ms - nowMs <= DUE_SOON_MS) out.push('dueSoon');
  }
  if (clue?.relation === 'escalated') out.push('escalatedToUs');
  else if (clue?.relation === 'handling' && Array.isArray(clue.escalations) && clue.escalations.length > 0) out.push('escalatedFromUs');
  return out;
}

// ---------------------------------------------------------------------------
// The queue

/**
 * The query of GET /api/v1/queue for the filter form's values; empty
 * values are left out, so the server's defaults apply.
 * @param {{status?: string, category?: string, site?: string|number, overdue?: boolean, escalated?: ''|'1'|'0'}} filters
 * @param {string|null} [cursor] next_cursor of the previous page
 * @returns {Record<string, string>}
 */
export function queueQuery(filters = {}, cursor = null, limit = QUEUE_PAGE_SIZE) {
  const q = {};
  if (filters.status && STATUSES.includes(filters.status)) q.status = filters.status;
  if (filters.category && /^[a-z][a-z0-9_]{0,31}$/.test(filters.category)) q.category = filters.category;
  if (filters.site !== undefined && filters.site !== '' && /^[0-9]+$/.test(String(filters.site))) q.site = String(filters.site);
  if (filters.overdue) q.overdue = '1';
  if (filters.escalated === '1' || filters.escalated === '0') q.escalated = filters.escalated;
  q.limit = String(limit);
  if (cursor) q.cursor = cursor;
  return q;
}

/** A query object as the part after '?', keys in the given order. */
export function queryString(query) {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) params.append(k, String(v));
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

/**
 * The loaded rows in the chosen order: 'deadline' puts the soonest current
 * deadline first (closed clues last, by when they were received), 'queue'
 * keeps the server's order. The sort is stable.
 */
export function sortClues(clues, order) {
  if (order !== 'deadline') return [...clues];
  const key = (c) => currentDeadline(c)?.ms ?? Number.POSITIVE_INFINITY;
  return clues
    .map((c, i) => ({ c, i }))
    .sort((a, b) => key(a.c) - key(b.c) || a.i - b.i)
    .map((x) => x.c);
}

// ---------------------------------------------------------------------------
// Names from the directory

export function unitById(directory, id) {
  return directory?.units?.find((u) => u.id === id) ?? null;
}

export function siteById(directory, id) {
  return directory?.sites?.find((s) => s.id === id) ?? null;
}

/** A unit's name for display, or null when the directory does not list it. */
export function unitName(directory, id) {
  return unitById(directory, id)?.name ?? null;
}

/**
 * The route a clue took, as catalog keys with parameters: one line per
 * step, route.rule.<rule> for the rules of routing/route.cpp (unit name
 * from the directory, the accused level and category of the clue), and
 * route.rule.other for a rule this console does not know. `serverText` is
 * the server's own (English) wording, shown beside it as a record.
 * @returns {{key: string, params: object, serverText: string, unitId: number}[]}
 */
export function routeExplanation(clue, directory) {
  const steps = Array.isArray(clue?.route) ? clue.route : [];
  return steps.map((step) => {
    const unit = unitById(directory, step.unit_id);
    const params = {
      unit: unit?.name ?? { $key: 'common.unitNumber', params: { id: step.unit_id } },
      level: unit?.level ?? '',
      accused: clue.accused_level || '',
      category: clue.category ?? '',
    };
    const key = ROUTE_RULES.includes(step.rule) ? `route.rule.${step.rule}` : 'route.rule.other';
    return { key, params, serverText: typeof step.text === 'string' ? step.text : '', unitId: step.unit_id };
  });
}

/** The transfer targets of a clue as {id, name} for the select, in the server's order. */
export function transferOptions(clue, directory) {
  const targets = Array.isArray(clue?.transfer_targets) ? clue.transfer_targets : [];
  // name null: a unit the directory does not name, shown as the catalog's "unit {id}" (as labels.mjs setUnitName does).
  return targets.filter((id) => Number.isInteger(id)).map((id) => ({ id, name: unitName(directory, id) }));
}

// ---------------------------------------------------------------------------
// Report bodies and reporter messages

/** The report body JSON (crypto-spec §5) as {text, answers, attachments, contact}; throws on a body that is no object. */
export function parseReportBody(text) {
  const body = JSON.parse(text);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Error('the report body is not a JSON object');
  const answers = body.answers && typeof body.answers === 'object' && !Array.isArray(body.answers)
    ? Object.entries(body.answers).filter(([, v]) => typeof v === 'string')
    : [];
  const attachments = Array.isArray(body.attachments)
    ? body.attachments.map((a, index) => ({ ...describedFile(a), n: index }))
    : [];
  return {
    text: typeof body.text === 'string' ? body.text : '',
    answers,
    attachments,
    contact: typeof body.contact === 'string' && body.contact !== '' ? body.contact : null,
  };
}

function describedFile(a) {
  const o = a && typeof a === 'object' ? a : {};
  return {
    key: typeof o.key === 'string' ? o.key : null,
    name: typeof o.name === 'string' && o.name !== '' ? o.name : null,
    type: typeof o.type === 'string' ? o.type : '',
    size: Number.isInteger(o.size) ? o.size : null,
  };
}

/**
 * A reporter message's plaintext: plain UTF-8 text, or (crypto-spec §4)
 * the JSON {"v":1,"text":T,"attachments":[{"n",…}]} of a message that
 * brought files — recognised exactly as app/clue_commands.cpp
 * files_message does (v is 1, text a string, attachments an array).
 * Files without a whole-number n are dropped: nothing names their stream.
 * @returns {{text: string, files: {n: number, key: string|null, name: string|null, type: string, size: number|null}[]}}
 */
export function parseMessage(plaintext) {
  let parsed;
  try {
    parsed = JSON.parse(plaintext);
  } catch {
    return { text: plaintext, files: [] };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || parsed.v !== 1 || typeof parsed.text !== 'string' || !Array.isArray(parsed.attachments)) {
    return { text: plaintext, files: [] };
  }
  const files = parsed.attachments
    .filter((f) => f && typeof f === 'object' && Number.isInteger(f.n) && f.n >= 0)
    .map((f) => ({ ...describedFile(f), n: f.n }));
  return { text: parsed.text, files };
}

/** Reporter messages and unit replies as one list, oldest first (stable), as the CLI's `messages` shows them. */
export function notesInOrder(messages, replies) {
  const notes = [
    ...(messages ?? []).map((m) => ({ ...m, from: 'reporter' })),
    ...(replies ?? []).map((r) => ({ ...r, from: 'unit' })),
  ];
  return notes.map((n, i) => ({ n, i })).sort((a, b) => (a.n.sent_at < b.n.sent_at ? -1 : a.n.sent_at > b.n.sent_at ? 1 : a.i - b.i)).map((x) => x.n);
}

// ---------------------------------------------------------------------------
// Attachments

/** Whether a file of this type is shown inline (decoded by the browser as an image). */
export function isInlineImage(type) {
  return ['image/jpeg', 'image/png', 'image/webp', 'image/gif'].includes(String(type).toLowerCase());
}

/** The file name to save under: the reporter's name made safe, else attachment-N. */
export function downloadName(name, n) {
  const cleaned = String(name ?? '').replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, '_').replace(/^[.\s]+/, '').slice(0, 120);
  return cleaned === '' ? `attachment-${n}` : cleaned;
}

// ---------------------------------------------------------------------------
// Onboarding

/**
 * What a person typed, made comparable with a fingerprint: surrounding
 * spaces dropped, lower case. Nothing else is forgiven, as the CLI's
 * `account grant --fingerprint` forgives nothing.
 */
export function normaliseFingerprint(typed) {
  return String(typed ?? '').trim().toLowerCase();
}

/**
 * Whether the fingerprint the newcomer read out equals the one computed
 * here from the keys the server lists (never the server's own
 * `fingerprint` member). Compares every character whatever the first
 * difference, as the CLI's constant_time_equal does.
 */
export function fingerprintsMatch(computed, typed) {
  const a = String(computed ?? '');
  const b = normaliseFingerprint(typed);
  if (a.length === 0 || a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return d === 0;
}

/** A passphrase pair for activation: null when fine, else the catalog key of the problem. */
export function passphraseProblem(first, second) {
  if (typeof first !== 'string' || [...first].length < MIN_PASSPHRASE_LENGTH) return 'activate.error.short';
  if (first !== second) return 'activate.error.different';
  return null;
}

/** The invitation code as typed: 43 base64url characters (32 bytes), spaces removed; null if it is not one. */
export function invitationCode(typed) {
  const code = String(typed ?? '').replace(/\s+/g, '');
  return /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/.test(code) ? code : null;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding, as authenticator apps take a TOTP secret. */
export function base32(bytes) {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** The otpauth:// URI an authenticator app reads for this account's secret (services/totp.cpp totp_uri). */
export function totpUri(loginName, secretBytes) {
  return `otpauth://totp/clueline:${encodeURIComponent(loginName)}?secret=${base32(secretBytes)}&issuer=clueline&algorithm=SHA1&digits=6&period=30`;
}

// ---------------------------------------------------------------------------
// Errors

/**
 * The catalog key for a failed sign-in: the server gives one answer for
 * every failed login (wrong name, passphrase or code, locked, inside the
 * delay), so only what the status says can be told apart.
 */
export function signinErrorKey(error) {
  if (!error) return 'signin.error.unknown';
  if (error.status === 403 && error.code === 'authentication_failed') return 'signin.error.failed';
  if (error.status === 403) return 'signin.error.crossSite';
  if (error.status === 429) return 'signin.error.rateLimited';
  if (error.status === 503) return 'signin.error.busy';
  if (error.status === 0) return 'signin.error.network';
  return 'signin.error.unknown';
}

/** Whether a route segment is a clue id (16 bytes of base64url). */
export function isClueId(text) {
  return /^[A-Za-z0-9_-]{21}[AQgw]$/.test(String(text ?? ''));
}

/** The hash route split: '#/clue/abc' → {name: 'clue', params: ['abc']}. */
export function parseRoute(hash) {
  const path = String(hash ?? '').replace(/^#\/?/, '').split('?')[0];
  const parts = path.split('/').filter((p) => p !== '').map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  return { name: parts[0] ?? '', params: parts.slice(1) };
}
