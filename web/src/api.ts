// The API client: every call carries the signed-in token and every failure
// becomes an ApiError worded as the API worded it.

const tokenKey = 'sluice.token';

export function getToken(): string | null {
  return sessionStorage.getItem(tokenKey);
}

export function setToken(token: string | null) {
  if (token) sessionStorage.setItem(tokenKey, token);
  else sessionStorage.removeItem(tokenKey);
}

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public detail?: Record<string, unknown>,
  ) {
    super(message);
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export async function api<T = any>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'unreachable', 'sluice did not answer: is it still running?');
  }
  const text = await res.text();
  let data: any = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const err = data?.error ?? data;
    const message = typeof err === 'string' ? err : err?.message ?? `${res.status} ${res.statusText}`;
    if (res.status === 401 && path !== '/api/tokens') {
      window.dispatchEvent(new Event('sluice:unauthorized'));
    }
    throw new ApiError(res.status, err?.code ?? String(res.status), message, err ?? undefined);
  }
  return data as T;
}

export const get = <T = any>(path: string) => api<T>('GET', path);
export const post = <T = any>(path: string, body?: unknown) => api<T>('POST', path, body);
export const put = <T = any>(path: string, body?: unknown) => api<T>('PUT', path, body);
export const del = <T = any>(path: string) => api<T>('DELETE', path);

export const enc = encodeURIComponent;

// Shapes the pages use (a subset of api/openapi.yaml).
export interface Integration {
  id: string;
  type: string;
  name: string;
  status: string;
  validated_at: string | null;
  created_at: string;
  config: Record<string, unknown>;
  credentials: Record<string, unknown>;
  warnings?: string[];
}

export interface CatalogField {
  name: string;
  type: string;
  required: boolean;
  secret: boolean;
  default?: unknown;
  enum?: string[];
  description?: string;
}

export interface ConnectionType {
  id: number;
  slug: string;
  name: string;
  description: string;
  fields: CatalogField[];
  user_creatable: boolean;
}

export interface RunTable {
  name: string;
  dest_table: string;
  status: string;
  rows: number;
  rows_read: number;
  rows_estimate: number | null;
  bytes_written: number;
  error: string | null;
  attempts: number;
}

export interface Run {
  id: string;
  status: string;
  trigger: string;
  replay_of: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  rows_read: number;
  rows_written: number;
  bytes_written: number;
  error: string | null;
  tables: RunTable[];
  workflow_id: string;
  temporal_ui_url: string;
}

export interface SyncConfig {
  id: string;
  dest_schema: string;
  schedule: string;
  tables: { name: string; delete_mode?: string }[];
  load_method: string;
  delete_mode: string;
  paused: boolean;
  next_run_at: string | null;
}

export const runIsLive = (status: string) => status === 'queued' || status === 'running' || status === 'pending';
