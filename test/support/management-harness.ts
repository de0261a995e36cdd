/**
 * An in-process gateway over the memory store, for management API tests that need several
 * users: setup, users created through the API, each signed in.
 */
import { ConfigState } from '../../src/config/state.js';
import { deriveKeys } from '../../src/crypto/keys.js';
import { createGateway, type Gateway } from '../../src/index.js';
import type { Services } from '../../src/services.js';
import type { Store } from '../../src/store.js';
import { createMemoryStore } from '../../storage/memory.js';

export const PASSWORD = 'correct horse battery';
const SECRET = 'management-harness-secret-0123456789abcdef';

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** RequestContext.clientAddress. */
  address?: string;
  headers?: Record<string, string>;
}

export interface SignedInUser {
  id: string;
  email: string;
  token: string;
}

export interface Harness {
  store: Store;
  gateway: Gateway;
  admin: SignedInUser;
  call(method: string, path: string, options?: CallOptions): Promise<Answer>;
  login(email: string, password?: string): Promise<Answer>;
  /** Creates a user with `role` (as the admin) and signs them in. */
  user(email: string, role: string): Promise<SignedInUser>;
  /** Every audit line stored so far (flushed first). */
  auditLines(): Promise<string[]>;
  /**
   * The config as the gateway now holds it, read anew from the store, in a Services with only
   * `config`: for calling the access functions (management/access.ts) the way routes do.
   */
  configServices(): Promise<Services>;
}

export async function managementHarness(options: { now?: () => number; trustProxy?: boolean; sessionTtlSeconds?: number } = {}): Promise<Harness> {
  const store = createMemoryStore();
  const settings = { trustProxy: options.trustProxy ?? false, ...(options.sessionTtlSeconds ? { sessionTtlSeconds: options.sessionTtlSeconds } : {}) };
  const gateway = createGateway({ store, secret: SECRET, now: options.now, settings });

  async function call(method: string, path: string, init: CallOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
    const request = new Request(`http://gateway${path}`, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
    const response = await gateway.fetch(request, init.address === undefined ? {} : { clientAddress: init.address });
    const text = await response.text();
    const json = response.headers.get('content-type')?.includes('json');
    return { status: response.status, body: text && json ? JSON.parse(text) : text || undefined, headers: response.headers };
  }
  const login = (email: string, password = PASSWORD) => call('POST', '/api/auth/login', { body: { email, password } });

  const setup = await call('POST', '/api/setup', { body: { email: 'admin@example.com', password: PASSWORD } });
  if (setup.status !== 201) throw new Error(`setup: ${setup.status} ${JSON.stringify(setup.body)}`);
  const adminToken = setup.body.token as string;
  const me = await call('GET', '/api/auth/me', { token: adminToken });
  const admin = { id: me.body.user.id as string, email: 'admin@example.com', token: adminToken };

  async function user(email: string, role: string): Promise<SignedInUser> {
    const created = await call('POST', '/api/users', { token: admin.token, body: { email, password: PASSWORD, role } });
    if (created.status !== 201) throw new Error(`user ${email}: ${created.status} ${JSON.stringify(created.body)}`);
    const signedIn = await login(email);
    if (signedIn.status !== 200) throw new Error(`login ${email}: ${signedIn.status}`);
    return { id: created.body.id, email, token: signedIn.body.token };
  }

  async function auditLines(): Promise<string[]> {
    await gateway.flush();
    const lines: string[] = [];
    for (const key of await store.list('data/audit/')) {
      for await (const line of store.readLines(key)) lines.push(line);
    }
    return lines;
  }

  async function configServices(): Promise<Services> {
    const config = new ConfigState(store, (await deriveKeys(SECRET)).encryption, { now: Date.now, logger: console });
    await config.load();
    return { config } as Partial<Services> as Services;
  }

  return { store, gateway, admin, call, login, user, auditLines, configServices };
}
