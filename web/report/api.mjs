// The citizen API (docs/api.md) as the pages and the worker call it: one
// fetch wrapper with a timeout, and one error type whose `code` the pages
// turn into a catalog message. Requests go to this origin only, without
// cookies or a referrer.

import { retryAfterSeconds } from './logic.mjs';

/**
 * A failed request. code: 'network' (no answer, or a timeout) or the
 * answer's meaning: 'invalid' 400, 'forbidden' 403, 'notFound' 404,
 * 'conflict' 409, 'gone' 410, 'tooLarge' 413, 'rateLimited' 429,
 * 'unavailable' 503, 'server' other 5xx, 'unknown' anything else.
 */
export class ApiError extends Error {
  constructor(code, { status = 0, body = null, retryAfter = 0, message } = {}) {
    super(message ?? `${code}${status ? ` (HTTP ${status})` : ''}`);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.body = body;
    this.retryAfter = retryAfter;
  }
}

export function codeForStatus(status) {
  switch (status) {
    case 400: return 'invalid';
    case 403: return 'forbidden';
    case 404: return 'notFound';
    case 409: return 'conflict';
    case 410: return 'gone';
    case 413: return 'tooLarge';
    case 429: return 'rateLimited';
    case 503: return 'unavailable';
    default: return status >= 500 ? 'server' : 'unknown';
  }
}

/**
 * One request. Resolves to {status, body} for a 2xx answer (body: the
 * parsed JSON, or null); rejects with an ApiError otherwise.
 * @param {string} path an absolute path of this origin, e.g. '/api/v1/route?…'
 * @param {{method?: string, json?: unknown, bytes?: Uint8Array, bearer?: string, timeoutMs?: number}} [options]
 */
export async function api(path, options = {}) {
  const headers = { Accept: 'application/json' };
  let body;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.bytes !== undefined) {
    headers['Content-Type'] = 'application/octet-stream';
    body = options.bytes;
  }
  if (options.bearer) headers.Authorization = `Bearer ${options.bearer}`;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 30000);
  let response;
  let text;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body,
      credentials: 'omit',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
      redirect: 'error',
      signal: controller.signal,
    });
    text = await response.text();
  } catch (e) {
    throw new ApiError('network', { message: String(e?.message ?? e) });
  } finally {
    clearTimeout(timer);
  }
  let parsed = null;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  if (response.ok) return { status: response.status, body: parsed };
  throw new ApiError(codeForStatus(response.status), {
    status: response.status,
    body: parsed,
    retryAfter: response.status === 429 || response.status === 503 ? retryAfterSeconds(response.headers.get('Retry-After')) : 0,
  });
}

/** An error as a plain object that postMessage can carry. */
export function plainError(e) {
  if (e && typeof e === 'object') {
    return {
      code: typeof e.code === 'string' ? e.code : 'unknown',
      status: e.status ?? 0,
      retryAfter: e.retryAfter ?? 0,
      params: e.params ?? {},
      retryable: e.retryable ?? false,
      stage: e.stage ?? null,
      detail: String(e.message ?? ''),
    };
  }
  return { code: 'unknown', status: 0, retryAfter: 0, params: {}, retryable: false, stage: null, detail: String(e) };
}
