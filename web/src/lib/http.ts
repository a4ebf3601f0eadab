import { currentToken, signOut } from './session';

// ApiError is a failed call as the API worded it: the error shape every
// endpoint answers with, {"error": {code, message, field?, step?}}.
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field?: string;
  readonly step?: string;
  readonly requestId?: string;

  constructor(status: number, code: string, message: string, extra: { field?: string; step?: string; requestId?: string } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = extra.field;
    this.step = extra.step;
    this.requestId = extra.requestId;
  }
}

export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof DOMException && err.name === 'AbortError') return new ApiError(0, 'aborted', 'The request was cancelled.');
  return new ApiError(0, 'client', err instanceof Error ? err.message : String(err));
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  signal?: AbortSignal;
}

/** request calls the API with the signed-in token and decodes its JSON. */
export async function request<T>(method: Method, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = currentToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';

  let res: Response;
  try {
    res = await fetch(withQuery(path, opts.query), {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
      credentials: 'omit', // the token is the only credential; no cookies
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'unreachable', 'sluice did not answer. Is the server still running?');
  }

  const text = await res.text();
  const body = parseJSON(text);
  if (res.ok) return body as T;

  const detail = (body as { error?: { code?: string; message?: string; field?: string; step?: string } } | null)?.error;
  const message = detail?.message || text.trim() || `${res.status} ${res.statusText}`;
  const error = new ApiError(res.status, detail?.code ?? `http_${res.status}`, message, {
    field: detail?.field,
    step: detail?.step,
    requestId: res.headers.get('X-Request-Id') ?? undefined,
  });
  // A revoked or expired token: every later call would fail the same way.
  if (res.status === 401 && token) signOut(message);
  throw error;
}

function withQuery(path: string, query: RequestOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

function parseJSON(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** seg encodes one path segment (names may hold slashes or spaces). */
export const seg = encodeURIComponent;
