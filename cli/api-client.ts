import { CliError, EXIT, usageError } from './errors.js';
import { readSession } from './session-file.js';

/**
 * The management API over fetch, with every failure turned into a CliError: the API's own
 * message when it sent one, and the exit code scripts branch on (401: 3, 404: 4, else 1).
 */

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  body?: unknown;
  query?: Query;
  /** Milliseconds before giving up; 0 waits as long as the gateway takes (a model test has its own timeouts). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/** A gateway address as given to login or setup: an http(s) URL, kept without a trailing slash. */
export function gatewayUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usageError(`"${text}" is not a URL: give the gateway's address, like http://127.0.0.1:3000`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`"${text}": the gateway's address starts with http:// or https://`);
  if (url.username || url.password || url.search || url.hash) throw usageError(`"${text}": give only the gateway's address, without credentials, query or fragment`);
  return url.href.replace(/\/+$/, '');
}

/** What went wrong at the network level, in a few words (ECONNREFUSED, a DNS failure, a timeout). */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused (is it running?)';
  if (cause?.code === 'ENOTFOUND') return 'unknown host';
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

export class ApiClient {
  constructor(
    readonly url: string,
    private readonly token?: string,
  ) {}

  /** The parsed JSON answer, or undefined for an empty one (204). */
  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const target = new URL(this.url + path);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== '') target.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let response: Response;
    try {
      response = await fetch(target, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined,
      });
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') throw new CliError(`the gateway at ${this.url} did not answer within ${timeoutMs / 1000} s`);
      throw new CliError(`cannot reach the gateway at ${this.url}: ${networkReason(error)}`);
    }
    const text = await response.text();
    if (!response.ok) throw this.errorOf(response, text);
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(`the gateway at ${this.url} answered ${method} ${path} with something that is not JSON: is this a Routerly gateway?`);
    }
  }

  get = <T = any>(path: string, query?: Query) => this.request<T>('GET', path, { query });
  post = <T = any>(path: string, body?: unknown, options: RequestOptions = {}) => this.request<T>('POST', path, { ...options, body: body ?? {} });
  put = <T = any>(path: string, body: unknown) => this.request<T>('PUT', path, { body });
  delete = (path: string) => this.request<void>('DELETE', path);

  private errorOf(response: Response, text: string): CliError {
    let message = `${response.status} ${response.statusText}`.trim();
    try {
      const body = JSON.parse(text) as { error?: { message?: unknown } };
      if (typeof body.error?.message === 'string') message = body.error.message;
    } catch {
      // Not JSON (a proxy's error page): the status says enough.
    }
    // With a session, a 401 means it ended (expired, revoked, password changed); without, the credentials were wrong.
    if (response.status === 401) {
      return this.token ? new CliError(`session expired: run routerly login ${this.url}`, EXIT.auth) : new CliError(message, EXIT.auth);
    }
    if (response.status === 404) return new CliError(message, EXIT.notFound);
    return new CliError(message, EXIT.failed);
  }
}

/** A client for the saved session's gateway, or exit 3 when nobody is logged in. */
export async function sessionClient(): Promise<ApiClient> {
  const session = await readSession();
  if (!session) throw new CliError('not logged in: run routerly login <url>', EXIT.auth);
  return new ApiClient(session.url, session.token);
}
