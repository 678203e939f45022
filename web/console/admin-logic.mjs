// The pure part of the administration and poster check views: which
// account changes apply, what an invitation or a site may be, the
// site-signing key file, site URLs and the verdicts of a poster photo. No
// DOM and no network here, so that node tests reach every rule.

import {
  base64urlDecode,
  base64urlEncode,
  signingKeyPairFromSeed,
  wipe,
} from '../crypto/clueline-crypto.mjs';

export const ROLES = Object.freeze(['handler', 'unit_admin', 'auditor', 'admin']);
export const ACCOUNT_STATES = Object.freeze(['active', 'disabled', 'locked']);
export const ACCOUNT_CHANGES = Object.freeze(['disable', 'enable', 'unlock', 'reset_second_factor']);
/** Site kinds the catalogs name (those of the citizen page). */
export const KNOWN_KINDS = Object.freeze([
  'village_board', 'township_office', 'county_office', 'community', 'clinic', 'hospital', 'school', 'project_site',
]);
/** The languages a poster can be printed in (the citizen page's catalogs). */
export const POSTER_LANGUAGES = Object.freeze(['zh-CN', 'en', 'vi']);
/** POST /api/v1/admin/posters takes 1 to 20 tokens. */
export const MAX_POSTERS = 20;
export const VERDICTS = Object.freeze(['genuine', 'revoked', 'forged', 'not_ours', 'no_code']);
/** POST /api/v1/qr/verify refuses bigger photos (413). */
export const MAX_PHOTO_BYTES = 8 * 1024 * 1024;

// ---------------------------------------------------------------------------
// Accounts

/**
 * The roles `viewer` may invite: a unit administrator its own unit's
 * handlers and unit administrators, an admin anyone
 * (services/authorization.cpp kInviteAccount).
 */
export function invitableRoles(viewer) {
  if (viewer?.role === 'admin') return [...ROLES];
  if (viewer?.role === 'unit_admin') return ['handler', 'unit_admin'];
  return [];
}

/** Whether `viewer` may change `account` at all (kManageAccount). */
export function mayManage(viewer, account) {
  if (viewer?.role === 'admin') return true;
  return viewer?.role === 'unit_admin' && account.unit_id === viewer.unit_id &&
    (account.role === 'handler' || account.role === 'unit_admin');
}

/**
 * The changes of POST /api/v1/admin/accounts/change that apply to the
 * account as it is, for this viewer: the server would answer 409 to the
 * others, 403 to an account it may not manage and 400 to disabling itself.
 */
export function accountChanges(viewer, account) {
  if (!mayManage(viewer, account)) return [];
  const out = [];
  if ((account.state === 'active' || account.state === 'locked') && account.id !== viewer.id) out.push('disable');
  if (account.state === 'disabled') out.push('enable');
  if (account.state === 'locked') out.push('unlock');
  if (account.second_factor === true) out.push('reset_second_factor');
  return out;
}

/**
 * Where the account stands with its unit's key: `held` (wrapped for it),
 * `pending` (granted, not yet stored wrapped), `missing` (a handler or unit
 * administrator without it: a member must grant it), `none` (the role
 * needs no unit key).
 */
export function unitKeyState(account) {
  if ((account.wrapped_key_ids ?? []).length > 0) return 'held';
  if ((account.pending_grant_key_ids ?? []).length > 0) return 'pending';
  return account.role === 'handler' || account.role === 'unit_admin' ? 'missing' : 'none';
}

const LOGIN_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function isLoginName(name) {
  return typeof name === 'string' && LOGIN_NAME.test(name);
}

// ---------------------------------------------------------------------------
// Sites

const KIND = /^[a-z0-9_]{1,32}$/;

export function isSiteKind(kind) {
  return typeof kind === 'string' && KIND.test(kind);
}

/** 1 to 200 bytes of UTF-8, as POST /api/v1/admin/sites wants. */
export function isSiteName(name) {
  if (typeof name !== 'string' || name.trim() === '') return false;
  return new TextEncoder().encode(name).length <= 200;
}

/** The URL a poster's QR code holds (what `clueline site qr` prints). */
export function siteUrl(origin, token) {
  return `${String(origin).replace(/\/+$/, '')}/s/${token}`;
}

/** The file name of a poster PDF: the site ids it holds. */
export function posterFileName(siteIds) {
  const ids = [...siteIds].map(Number).sort((a, b) => a - b);
  const shown = ids.length <= 5 ? ids.join('-') : `${ids.slice(0, 5).join('-')}-and-${ids.length - 5}-more`;
  return `clueline-posters-site-${shown}.pdf`;
}

// ---------------------------------------------------------------------------
// The site-signing key file

export class KeyFileError extends Error {
  /** @param {string} key the catalog key saying what is wrong */
  constructor(key) {
    super(key);
    this.key = key;
  }
}

/**
 * The key file of `clueline keygen site-signing` (app/files.cpp
 * read_signing_key_file): one line of base64url of the 64-byte Ed25519
 * secret key, seed ‖ public key; a bare 32-byte seed is taken too. Returns
 * {seed, publicHalf} (publicHalf null for a bare seed), copies the caller
 * must wipe; throws KeyFileError.
 */
export function parseSigningKeyFile(text) {
  if (typeof text !== 'string') throw new KeyFileError('admin.key.error.unreadable');
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new KeyFileError('admin.key.error.empty');
  if (lines.length > 1) throw new KeyFileError('admin.key.error.notKeyFile');
  let bytes;
  try {
    bytes = base64urlDecode(lines[0].trim());
  } catch {
    throw new KeyFileError('admin.key.error.notKeyFile');
  }
  if (bytes.length === 64) {
    const out = { seed: bytes.slice(0, 32), publicHalf: bytes.slice(32) };
    wipe(bytes);
    return out;
  }
  if (bytes.length === 32) return { seed: bytes, publicHalf: null };
  wipe(bytes);
  throw new KeyFileError('admin.key.error.length');
}

/**
 * The signing key pair of a key file, checked as the server side checks
 * it (crypto::signing_key_pair_from_secret: the public half must be what
 * the seed gives) and against the deployment's site-signing public key
 * (base64url; null when the deployment has none yet, e.g. before its first
 * site). The crypto module must be ready(). Returns {publicKey, secretKey,
 * publicKeyText}; throws KeyFileError. Everything in between is wiped.
 */
export function signingKeyFromFile(text, deploymentPublicKey) {
  const { seed, publicHalf } = parseSigningKeyFile(text);
  let pair;
  try {
    pair = signingKeyPairFromSeed(seed);
  } finally {
    wipe(seed);
  }
  const publicKeyText = base64urlEncode(pair.publicKey);
  if (publicHalf !== null) {
    const same = base64urlEncode(publicHalf) === publicKeyText;
    wipe(publicHalf);
    if (!same) {
      wipe(pair.secretKey);
      throw new KeyFileError('admin.key.error.halves');
    }
  }
  if (deploymentPublicKey != null && publicKeyText !== deploymentPublicKey) {
    wipe(pair.secretKey);
    throw new KeyFileError('admin.key.error.otherDeployment');
  }
  return { publicKey: pair.publicKey, secretKey: pair.secretKey, publicKeyText };
}

// ---------------------------------------------------------------------------
// Poster check

/**
 * The content type to send a photo with: the file's own if it is JPEG or
 * PNG, else what its first bytes are (some pickers give no type), else
 * null (the server would refuse it with 415).
 */
export function photoContentType(bytes, declared) {
  if (declared === 'image/jpeg' || declared === 'image/png') return declared;
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && png.every((b, i) => bytes[i] === b)) return 'image/png';
  return null;
}

/**
 * What the view shows of a POST /api/v1/qr/verify answer: the overall
 * verdict and, per code, its verdict, the site to compare with the poster
 * (for genuine and revoked codes, and forged copies of a genuine token)
 * and, for codes that are not ours, the text read (so the supervisor sees
 * where the code leads).
 */
export function verdictView(answer) {
  const verdict = VERDICTS.includes(answer?.verdict) ? answer.verdict : 'not_ours';
  const codes = (Array.isArray(answer?.codes) ? answer.codes : []).map((c) => {
    const v = VERDICTS.includes(c?.verdict) && c.verdict !== 'no_code' ? c.verdict : 'not_ours';
    const site = c?.site && typeof c.site === 'object'
      ? { id: c.site.id, name: String(c.site.name ?? ''), unitName: String(c.site.unit_name ?? ''), posterCode: String(c.site.poster_code ?? '') }
      : null;
    return { verdict: v, site, text: v === 'genuine' || v === 'revoked' ? null : String(c?.text ?? '') };
  });
  return { verdict, codes };
}

/** The catalog key of a refused poster check (status of the ApiError, or a local check). */
export function posterCheckErrorKey(status) {
  if (status === 415) return 'postercheck.error.type';
  if (status === 413) return 'postercheck.error.tooLarge';
  if (status === 400) return 'postercheck.error.undecodable';
  if (status === 401) return 'postercheck.error.signedOut';
  if (status === 0 || status == null) return 'postercheck.error.network';
  return 'postercheck.error.server';
}

// ---------------------------------------------------------------------------
// Refusals of the administration calls

/**
 * The catalog key of a refused administration call: what the server's
 * status and code mean for the person at the console. `action` names the
 * call (invite, change, site, revoke, posters, accounts).
 */
export function adminErrorKey(action, error) {
  const status = error?.status;
  if (status === 403) return 'admin.error.forbidden';
  if (status === 409 && action === 'invite') return 'admin.error.nameTaken';
  if (status === 409 && action === 'change') return 'admin.error.stateChanged';
  if (status === 409 && action === 'site') return 'admin.error.otherKey';
  if (status === 409 && action === 'revoke') return 'admin.error.versionsUsed';
  if (status === 404) return 'admin.error.notFound';
  if (status === 400 && action === 'posters') return 'admin.error.posterTokens';
  if (status === 400) return 'admin.error.invalid';
  if (status === 503) return 'admin.error.busy';
  if (status === 0 || status == null) return 'admin.error.network';
  return 'admin.error.server';
}
