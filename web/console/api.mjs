// The supervisor API as the console calls it: same origin, the session in
// the __Host- cookie the browser sends by itself, and on every request that
// changes something the X-Clueline-CSRF header (the browser adds Origin),
// without which the server refuses a cookie session (docs/openapi.yaml).

const CSRF_HEADER = 'X-Clueline-CSRF';
const TIMEOUT_MS = 60000;

/**
 * A failed request: status (0 when no answer came), code and message from
 * the server's {"error":{"code","message"}} ('network' and the browser's
 * text when there was no answer), body the parsed JSON answer.
 */
export class ApiError extends Error {
  constructor(status, code, message, body = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

function withQuery(path, query) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.append(k, String(v));
  const s = params.toString();
  return s === '' ? path : `${path}?${s}`;
}

function parseJson(text) {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * The API client of the shell: onUnauthenticated() is called on any 401
 * (the session is gone), before the error is thrown to the caller.
 */
export function createApi({ onUnauthenticated = () => {} } = {}) {
  async function request(method, path, { query, body, contentType, accept = 'application/json', as = 'json' } = {}) {
    const headers = { Accept: accept };
    if (method !== 'GET') headers[CSRF_HEADER] = '1';
    if (contentType) headers['Content-Type'] = contentType;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    let response;
    let bytes;
    try {
      response = await fetch(withQuery(path, query), {
        method,
        headers,
        body,
        credentials: 'same-origin',
        cache: 'no-store',
        redirect: 'error',
        referrerPolicy: 'no-referrer',
        signal: controller.signal,
      });
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch (e) {
      throw new ApiError(0, 'network', String(e?.message ?? e));
    } finally {
      clearTimeout(timer);
    }
    const type = response.headers.get('Content-Type') ?? '';
    const isJson = type.startsWith('application/json');
    if (!response.ok) {
      const parsed = isJson ? parseJson(new TextDecoder().decode(bytes)) : null;
      const error = parsed?.error;
      const failure = new ApiError(response.status, typeof error?.code === 'string' ? error.code : 'unknown', typeof error?.message === 'string' ? error.message : `HTTP ${response.status}`, parsed);
      if (response.status === 401) onUnauthenticated(failure);
      throw failure;
    }
    if (as === 'bytes') return bytes;
    if (as === 'text') return new TextDecoder().decode(bytes);
    if (as === 'auto' && !isJson) return { bytes, contentType: type };
    if (bytes.length === 0 || response.status === 204) return null;
    return parseJson(new TextDecoder().decode(bytes));
  }

  return {
    get: (path, query) => request('GET', path, { query }),
    getText: (path, query) => request('GET', path, { query, accept: 'text/csv, text/plain, application/json', as: 'text' }),
    getBytes: (path, query) => request('GET', path, { query, accept: 'application/octet-stream', as: 'bytes' }),
    // Without a body (logout accepts none), no body and no Content-Type are sent.
    post: (path, jsonBody) => request('POST', path, jsonBody === undefined ? {} : { body: JSON.stringify(jsonBody), contentType: 'application/json' }),
    postBytes: (path, bytes, contentType = 'application/octet-stream', accept = 'application/json') => request('POST', path, { body: bytes, contentType, accept, as: 'auto' }),
  };
}

/**
 * Ends the session while the page goes away: a keepalive request outlives
 * the page, and carries the CSRF header the server wants with the cookie.
 */
export function endSessionOnExit() {
  try {
    fetch('/api/v1/auth/logout', { method: 'POST', keepalive: true, credentials: 'same-origin', headers: { [CSRF_HEADER]: '1' }, referrerPolicy: 'no-referrer' }).catch(() => {});
  } catch {
    // The page is going away; nothing is left to tell.
  }
}
