/**
 * The management API as the dashboard calls it. The session is an HttpOnly cookie the page
 * cannot read; every write carries the CSRF token the API handed out at login (and in
 * /api/auth/me), which a page on another site cannot learn.
 */

/** An error the API answered (`{error: {code, message}}`), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

let csrfToken: string | undefined;
/** Called when a session starts or /api/auth/me says which token this session has. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

type Listener = () => void;
const signedOutListeners = new Set<Listener>();
/** Called when any call answers 401: the session ended (expired, revoked, logged out elsewhere). */
export function onSignedOut(listener: Listener): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

export type Query = Record<string, string | number | boolean | undefined | null>;

/** `path?query`, leaving out empty values. */
export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export interface RequestOptions {
  query?: Query;
  signal?: AbortSignal;
  /** Extra request headers (the login form asks for a cookie session with one). */
  headers?: Record<string, string>;
  /** Do not report a 401 as a lost session (the login form expects one for a wrong password). */
  expectUnauthorized?: boolean;
}

async function errorOf(response: Response): Promise<ApiError> {
  let code = 'http_' + response.status;
  let message = `${response.status} ${response.statusText}`;
  let details: unknown;
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string; details?: unknown } };
    if (body.error?.message) message = body.error.message;
    if (body.error?.code) code = body.error.code;
    details = body.error?.details;
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  return new ApiError(response.status, code, message, details);
}

/** The raw Response of an API call, for streams and downloads; throws ApiError on an error status. */
export async function apiResponse(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network', 'the gateway cannot be reached: is it running?');
  }
  if (!response.ok) {
    const error = await errorOf(response);
    if (response.status === 401 && !options.expectUnauthorized) for (const listener of signedOutListeners) listener();
    throw error;
  }
  return response;
}

/** A JSON API call: the parsed answer, undefined for 204. */
export async function api<T = unknown>(method: string, path: string, body?: unknown, options?: RequestOptions): Promise<T> {
  const response = await apiResponse(method, path, body, options);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export const get = <T>(path: string, query?: Query, signal?: AbortSignal) => api<T>('GET', path, undefined, { query, signal });
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, body);
export const del = (path: string) => api<void>('DELETE', path);
