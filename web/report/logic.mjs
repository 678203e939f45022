// Pure logic of the citizen pages (no DOM, no network, no crypto), shared by
// the pages, the worker and the node tests (web/report/test/).

/** Attachment limits of docs/api.md (services/citizen.hpp). */
export const LIMITS = Object.freeze({
  maxAttachments: 8,
  /** Stream bytes per attachment (crypto-spec §8 stream, not the file). */
  maxAttachmentBytes: 16 * 1024 * 1024,
  /** Stream bytes of all attachments of one clue. */
  maxTotalBytes: 64 * 1024 * 1024,
  /** One PUT of an attachment. */
  partBytes: 1024 * 1024,
  /**
   * The report text, in UTF-16 code units (the textarea's maxlength). At
   * most 3 UTF-8 bytes per unit for anything typed (JSON escapes only
   * control characters above that), so text, contact and eight attachment
   * entries stay below PAYLOAD_MAX_PLAINTEXT; buildReportBody checks the
   * exact size anyway.
   */
  maxTextChars: 80000,
  maxContactChars: 200,
  /** A follow-up message (plain text, sealed on its own). */
  maxMessageChars: 80000,
  /** File names as they go into the sealed body. */
  maxNameChars: 100,
});

/** Photo side, in pixels, that re-encoded photos are scaled down to. */
export const PHOTO_MAX_SIDE = 2560;
export const PHOTO_QUALITY = 0.85;

const ATTACHMENT_CHUNK = 65536;
const ATTACHMENT_CIPHER_CHUNK = ATTACHMENT_CHUNK + 17;

/** A refusal of the pages' own checks; code names a catalog entry error.<code>. */
export class LimitError extends Error {
  /**
   * @param {string} code
   * @param {Record<string, unknown>} [params]
   */
  constructor(code, params = {}) {
    super(code);
    this.name = 'LimitError';
    this.code = code;
    this.params = params;
  }
}

/** UTF-8 length of a string, without allocating. */
export function utf8Length(text) {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Length of the encrypted stream of a file of `size` bytes (crypto-spec §8):
 * 24 + k·65553 with k = floor(size / 65536) + 1 (sodium_pad adds at least one byte).
 */
export function streamLength(size) {
  return 24 + (Math.floor(size / ATTACHMENT_CHUNK) + 1) * ATTACHMENT_CIPHER_CHUNK;
}

/** Largest file whose stream fits maxAttachmentBytes. */
export const MAX_FILE_BYTES = (Math.floor((LIMITS.maxAttachmentBytes - 24) / ATTACHMENT_CIPHER_CHUNK) - 1) * ATTACHMENT_CHUNK + ATTACHMENT_CHUNK - 1;

/**
 * Checks files against the limits before anything is encrypted or sent.
 * @param {Array<{name: string, size: number}>} files
 * @param {{count?: number, bytes?: number}} [existing] attachments the clue has already
 * @returns {LimitError[]} empty when everything fits
 */
export function checkAttachments(files, existing = {}) {
  const problems = [];
  const count = existing.count ?? 0;
  if (count + files.length > LIMITS.maxAttachments) {
    problems.push(new LimitError('tooManyFiles', { count: Math.max(0, LIMITS.maxAttachments - count) }));
  }
  let total = existing.bytes ?? 0;
  for (const f of files) {
    if (f.size === 0) problems.push(new LimitError('fileEmpty', { name: f.name }));
    else if (streamLength(f.size) > LIMITS.maxAttachmentBytes) {
      problems.push(new LimitError('fileTooLarge', { name: f.name, size: { $bytes: f.size }, max: { $bytes: MAX_FILE_BYTES } }));
    }
    total += streamLength(f.size);
  }
  if (total > LIMITS.maxTotalBytes) {
    problems.push(new LimitError('totalTooLarge', { size: { $bytes: total }, max: { $bytes: LIMITS.maxTotalBytes } }));
  }
  return problems;
}

/** A file name as it goes into the sealed body: no path, no control characters, bounded. */
export function safeFileName(name, fallback = 'file') {
  let s = String(name ?? '').replace(/^.*[\\/]/, '');
  s = s.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (s === '') s = fallback;
  if (s.length > LIMITS.maxNameChars) {
    const dot = s.lastIndexOf('.');
    const ext = dot > 0 && s.length - dot <= 10 ? s.slice(dot) : '';
    s = s.slice(0, LIMITS.maxNameChars - ext.length) + ext;
  }
  if (typeof s.isWellFormed === 'function' && !s.isWellFormed()) s = s.toWellFormed();
  return s;
}

/**
 * Checks what the reporter typed and chose, before sending.
 * @param {{category?: string, text?: string, contact?: string}} form
 * @returns {LimitError[]}
 */
export function checkReportForm(form) {
  const problems = [];
  if (!form.category) problems.push(new LimitError('categoryRequired'));
  if (!form.text || form.text.trim() === '') problems.push(new LimitError('textRequired'));
  else if (form.text.length > LIMITS.maxTextChars) problems.push(new LimitError('tooLong'));
  if (form.contact && form.contact.length > LIMITS.maxContactChars) problems.push(new LimitError('contactTooLong', { max: LIMITS.maxContactChars }));
  return problems;
}

/**
 * The report body of crypto-spec §5, as `clueline submit` builds it:
 * {"v":1,"text":…,"contact"?:…,"attachments"?:[{id,key,name,type,size}]}.
 * @param {{text: string, contact?: string, attachments?: Array<{id: string, key: string, name: string, type: string, size: number}>}} fields
 * @param {number} maxPlaintext the crypto module's PAYLOAD_MAX_PLAINTEXT
 * @returns {string} JSON
 * @throws {LimitError} tooLong when the body would not fit a sealed payload
 */
export function buildReportBody(fields, maxPlaintext) {
  const body = { v: 1, text: String(fields.text ?? '') };
  const contact = (fields.contact ?? '').trim();
  if (contact !== '') body.contact = contact;
  if (fields.attachments && fields.attachments.length > 0) {
    body.attachments = fields.attachments.map((a) => ({ id: a.id, key: a.key, name: a.name, type: a.type, size: a.size }));
  }
  const json = JSON.stringify(body);
  if (utf8Length(json) > maxPlaintext) throw new LimitError('tooLong');
  return json;
}

/**
 * A follow-up message that adds attachments after the report: the report
 * body's shape, with each attachment's upload index `n`, so that the unit
 * opening the message finds each file's key.
 * @returns {string} JSON
 */
export function buildAttachmentMessage(text, attachments, maxPlaintext) {
  const body = {
    v: 1,
    text: String(text ?? ''),
    attachments: attachments.map((a) => ({ n: a.n, id: a.id, key: a.key, name: a.name, type: a.type, size: a.size })),
  };
  const json = JSON.stringify(body);
  if (utf8Length(json) > maxPlaintext) throw new LimitError('tooLong');
  return json;
}

/** The first attachment index after every one the clue already has (0 if none). */
export function nextAttachmentIndex(attachments) {
  let next = 0;
  for (const a of attachments ?? []) if (Number.isInteger(a.n) && a.n + 1 > next) next = a.n + 1;
  return next;
}

/** Stream bytes the clue's attachments hold so far. */
export function storedAttachmentBytes(attachments) {
  let n = 0;
  for (const a of attachments ?? []) n += Number.isInteger(a.bytes) ? a.bytes : 0;
  return n;
}

/**
 * The PUTs of one stream: parts of at most partBytes, the last one final.
 * @returns {Array<{part: number, offset: number, size: number, final: boolean}>}
 */
export function uploadParts(length, partBytes = LIMITS.partBytes) {
  const parts = [];
  for (let offset = 0, part = 0; offset < length; offset += partBytes, part++) {
    const size = Math.min(partBytes, length - offset);
    parts.push({ part, offset, size, final: offset + size === length });
  }
  return parts;
}

/**
 * The part to send next when the server holds `storedBytes` of a stream
 * (after an answer that got lost): every part but the last is full.
 * @returns {number | null} null when storedBytes is not on a part boundary
 */
export function resumePart(storedBytes, partBytes = LIMITS.partBytes) {
  if (!Number.isInteger(storedBytes) || storedBytes < 0 || storedBytes % partBytes !== 0) return null;
  return storedBytes / partBytes;
}

/**
 * Seconds to wait from a Retry-After header (delta-seconds or an HTTP date).
 * @param {string | null | undefined} value
 * @param {number} [nowMs]
 * @param {number} [fallback] when absent or unreadable
 * @returns {number} 1..600
 */
export function retryAfterSeconds(value, nowMs = Date.now(), fallback = 5) {
  let s = fallback;
  if (typeof value === 'string' && value.trim() !== '') {
    const v = value.trim();
    if (/^\d+$/.test(v)) s = Number(v);
    else {
      const t = Date.parse(v);
      if (!Number.isNaN(t)) s = Math.ceil((t - nowMs) / 1000);
    }
  }
  return Math.min(600, Math.max(1, s));
}

/** 115 base64url characters (crypto-spec §3). */
const TOKEN_RE = /^[A-Za-z0-9_-]{115}$/;

/**
 * The poster token and page from location.pathname: /s/{token} (report) or
 * /s/{token}/followup.
 * @returns {{token: string, page: 'report' | 'followup'} | null}
 */
export function parseSitePath(pathname) {
  const m = /^\/s\/([^/]+)(\/followup)?\/?$/.exec(pathname);
  if (!m || !TOKEN_RE.test(m[1])) return null;
  return { token: m[1], page: m[2] ? 'followup' : 'report' };
}

/** Image types re-encoded on the phone, which removes their metadata. */
const CLEANABLE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'image/heif']);
const CLEANABLE_EXT = /\.(jpe?g|png|webp|heic|heif)$/i;

/** Whether a chosen file is a photo that the page re-encodes (by type, or by name when the phone gives no type). */
export function isCleanableImage(type, name) {
  if (type) return CLEANABLE_TYPES.has(type.toLowerCase());
  return CLEANABLE_EXT.test(name ?? '');
}

/** Size to draw an image at so that its long side is at most maxSide. */
export function fitWithin(width, height, maxSide = PHOTO_MAX_SIDE) {
  const long = Math.max(width, height);
  if (long <= maxSide) return { width, height };
  const scale = maxSide / long;
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** The sealed-body name of a cleaned photo, numbered like the attachment (n = index + 1): the camera's file name can carry the time and device. */
export function photoName(n) {
  return `photo-${n}.jpg`;
}

/** Statuses, outcomes and history events of docs/openapi.yaml that the catalogs explain. */
export const STATUSES = Object.freeze(['received', 'acknowledged', 'investigating', 'closed']);
export const OUTCOMES = Object.freeze(['substantiated', 'partly_substantiated', 'unsubstantiated', 'referred_elsewhere', 'duplicate']);
export const EVENTS = Object.freeze([
  'received', 'acknowledged', 'investigating', 'closed', 'reopened', 'taken_over',
  'linked_duplicate', 'replied', 'transferred', 'recused', 'escalated',
]);
/** The built-in categories (routing/policy.cpp) and levels (routing/levels.cpp); others show their raw name. */
export const KNOWN_CATEGORIES = Object.freeze([
  'bribery', 'embezzlement', 'abuse_of_power', 'dereliction_of_duty', 'favoritism',
  'protective_umbrella', 'supervision_staff', 'unit_head', 'other',
]);
export const KNOWN_LEVELS = Object.freeze(['central', 'province', 'city', 'county', 'township', 'village']);
export const KNOWN_KINDS = Object.freeze([
  'village_board', 'township_office', 'county_office', 'community', 'clinic', 'hospital', 'school', 'project_site',
]);
/** Error codes a page can show (catalog error.<code>). */
export const ERROR_CODES = Object.freeze([
  'network', 'unavailable', 'server', 'keysUnverified', 'invalid', 'tooLarge', 'rateLimited', 'conflict',
  'cryptoUnavailable', 'uploadRefused', 'uploadFailed', 'unknown', 'receiptInvalid', 'receiptNotFound',
  'sessionExpired', 'messageEmpty', 'noUnit', 'notFound', 'gone', 'noRoute',
  'categoryRequired', 'textRequired', 'tooLong', 'contactTooLong', 'tooManyFiles', 'fileTooLarge',
  'totalTooLarge', 'fileEmpty', 'fileUnreadable', 'filesPending', 'noFiles',
]);
/** Full-page errors (catalog fatal.<kind>.title / .text). */
export const FATAL_KINDS = Object.freeze(['notFound', 'gone', 'network', 'unavailable', 'server', 'unsupported']);
