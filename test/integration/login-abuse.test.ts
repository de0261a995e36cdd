/**
 * Login abuse, end to end through the /api routes: throttling by account and client address,
 * the per-address limit across accounts, and the bound on concurrent password hashes.
 *
 * The routes are mounted with the client address in Hono's bindings, as the gateway passes
 * RequestContext.clientAddress; the last tests go through createGateway without one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Hono } from 'hono';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigState } from '../../src/config/state.js';
import { memoryCounters } from '../../src/counters/memory.js';
import { deriveKeys } from '../../src/crypto/keys.js';
import { passwordHashing } from '../../src/crypto/password.js';
import { errorResponse, toGatewayError } from '../../src/errors.js';
import { createGateway } from '../../src/index.js';
import { authRoutes } from '../../src/management/auth-routes.js';
import { requirePermission } from '../../src/management/session.js';
import type { AppEnv, Services } from '../../src/services.js';
import { createFileStore } from '../../storage/files.js';
import { createMemoryStore } from '../../storage/memory.js';

const SECRET = 'login-abuse-test-secret-0123456789abcdef';
const OWNER = { email: 'owner@example.com', password: 'correct horse battery' };
const WRONG = { email: OWNER.email, password: 'not the password' };
const ATTACKER = '203.0.113.66';
const OWNER_HOME = '198.51.100.7';

const homes: string[] = [];
afterAll(() => Promise.all(homes.map((home) => rm(home, { recursive: true, force: true }))));
afterEach(() => vi.restoreAllMocks());

function recordingLogger() {
  const warnings: string[] = [];
  return { warnings, logger: { info() {}, warn: (message: string) => void warnings.push(message), error() {} } };
}

/**
 * The auth routes and one protected route over a file store, as createGateway builds them.
 * `instances` mounts the auth routes that many times over the same services, each with its
 * own LoginThrottle, as Workers isolates share one counters Durable Object; `login` goes
 * through them in turn.
 */
async function harness(options: { trustProxy?: boolean; instances?: number } = {}) {
  const home = await mkdtemp(path.join(os.tmpdir(), 'routerly-login-'));
  homes.push(home);
  const keys = await deriveKeys(SECRET);
  const { logger, warnings } = recordingLogger();
  const config = new ConfigState(createFileStore(home), keys.encryption, { now: Date.now, logger });
  await config.load();
  // Only what the auth routes and the session check read.
  const services = {
    config,
    counters: memoryCounters(),
    now: Date.now,
    logger,
    maxBodyBytes: 1 << 20,
    sessionTtlSeconds: 3600,
    encryptionKey: keys.encryption,
    signingKey: keys.signing,
    trustProxy: options.trustProxy ?? false,
  } as Partial<Services> as Services;
  const apps = Array.from({ length: options.instances ?? 1 }, () => {
    const app = new Hono<AppEnv>()
      .route('/api', authRoutes(services))
      .get('/api/me', requirePermission(services, null), (c) => c.json({ userId: c.get('userId') }));
    app.onError((error) => errorResponse(toGatewayError(error), 'api'));
    return app;
  });
  let turn = 0;

  async function post(route: string, body: unknown, clientAddress?: string, headers: Record<string, string> = {}) {
    const request = new Request(`http://gateway/api${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const app = apps[turn++ % apps.length]!;
    const response = await app.fetch(request, { waitUntil: () => undefined, clientAddress });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as any };
  }
  const login = (credentials: { email: string; password: string }, clientAddress?: string, headers?: Record<string, string>) =>
    post('/auth/login', credentials, clientAddress, headers);

  expect((await post('/setup', OWNER, OWNER_HOME)).status).toBe(201);
  return { services, config, warnings, login };
}

describe('login throttling by account and client address', () => {
  it('lets the owner log in from their address while an attacker is locked out of the account', async () => {
    const { login } = await harness();
    for (let i = 0; i < 5; i++) expect((await login(WRONG, ATTACKER)).status).toBe(401);
    const locked = await login(WRONG, ATTACKER);
    expect(locked.status).toBe(429);
    expect(locked.retryAfter).toBe('30');
    // Locked even with the right password: the attacker's address cannot tell right from wrong.
    expect((await login(OWNER, ATTACKER)).status).toBe(429);

    const owner = await login(OWNER, OWNER_HOME);
    expect(owner.status).toBe(200);
    expect(owner.body.token).toEqual(expect.any(String));
    // The owner's success does not unlock the attacker.
    expect((await login(WRONG, ATTACKER)).status).toBe(429);
  });

  it('stops one address spraying a password over many emails, and not other addresses', async () => {
    const { login } = await harness();
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await login({ email: `user${i}@example.com`, password: 'Summer2026!' }, ATTACKER)).status);
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401));
    const refused = await login({ email: 'user21@example.com', password: 'Summer2026!' }, ATTACKER);
    expect(refused.status).toBe(429);
    expect(refused.body.error.message).toMatch(/from this address/);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect((await login(OWNER, OWNER_HOME)).status).toBe(200);
  });

  it('counts a guess when it starts, so a burst of concurrent guesses gets no more than five', async () => {
    const { login } = await harness();
    const results = await Promise.all(Array.from({ length: 12 }, () => login(WRONG, ATTACKER)));
    expect(results.filter((r) => r.status === 401)).toHaveLength(5);
    expect(results.filter((r) => r.status === 429)).toHaveLength(7);
    expect((await login(OWNER, OWNER_HOME)).status).toBe(200);
  });

  it('holds across gateway instances that count in the same counters (Workers isolates and their Durable Object)', async () => {
    const { login } = await harness({ instances: 3 });
    const results = await Promise.all(Array.from({ length: 12 }, () => login(WRONG, ATTACKER)));
    expect(results.filter((r) => r.status === 401)).toHaveLength(5);
    expect(results.filter((r) => r.status === 429)).toHaveLength(7);
    for (let i = 0; i < 3; i++) expect((await login(OWNER, ATTACKER)).status).toBe(429);
    expect((await login(OWNER, OWNER_HOME)).status).toBe(200);
  });

  it('ignores X-Forwarded-For unless trustProxy is set, so a client cannot mint fresh addresses', async () => {
    const { login } = await harness();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await login(WRONG, ATTACKER, { 'x-forwarded-for': `10.0.0.${i}` })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('with trustProxy, counts by the address the proxy appended, not the ones the client sent', async () => {
    const { login } = await harness({ trustProxy: true });
    const proxy = '127.0.0.1';
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await login(WRONG, proxy, { 'x-forwarded-for': `10.0.0.${i}, ${ATTACKER}` })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    // Another client behind the same proxy is someone else.
    expect((await login(OWNER, proxy, { 'x-forwarded-for': OWNER_HOME })).status).toBe(200);
  });
});

describe('concurrent password hashing', () => {
  it('runs at most two hashes at once, refuses the excess quickly, and keeps file writes moving', async () => {
    const { config, login } = await harness();
    const original = crypto.subtle.deriveBits.bind(crypto.subtle);
    let running = 0;
    let peak = 0;
    vi.spyOn(crypto.subtle, 'deriveBits').mockImplementation(async (...args) => {
      running++;
      peak = Math.max(peak, running);
      try {
        return await original(...args);
      } finally {
        running--;
      }
    });

    const burstStarted = performance.now();
    const logins = Array.from({ length: 40 }, (_, i) => login(i % 2 ? OWNER : WRONG, `192.0.2.${i}`));
    // A config write issued in the middle of the burst: on Node it needs the thread pool the hashes use.
    const writeStarted = performance.now();
    await config.update('settings', async (settings) => ({ next: settings, result: undefined }));
    const writeMs = performance.now() - writeStarted;
    const results = await Promise.all(logins);
    const burstMs = performance.now() - burstStarted;

    expect(peak).toBeLessThanOrEqual(passwordHashing.concurrency);
    expect(passwordHashing.concurrency).toBe(2);
    const busy = results.filter((r) => r.status === 429);
    expect(busy.length).toBe(40 - passwordHashing.concurrency - passwordHashing.maxWaiting);
    for (const r of busy) {
      expect(r.body.error.message).toMatch(/being checked/);
      expect(r.retryAfter).toBe('1');
    }
    for (const [i, r] of results.entries()) if (r.status !== 429) expect(r.status).toBe(i % 2 ? 200 : 401);
    // Without the bound the write waited behind all 40 hashes, about as long as the burst.
    expect(writeMs).toBeLessThan(burstMs / 3);
  });

  it('does not count a login refused for a full hashing queue against the account', async () => {
    const { login } = await harness();
    // Fill the queue with slow logins from elsewhere, then try the owner's address many times.
    const original = crypto.subtle.deriveBits.bind(crypto.subtle);
    let hold!: () => void;
    const held = new Promise<void>((resolve) => (hold = resolve));
    vi.spyOn(crypto.subtle, 'deriveBits').mockImplementation(async (...args) => {
      await held;
      return original(...args);
    });
    const filler = Array.from({ length: passwordHashing.concurrency + passwordHashing.maxWaiting }, (_, i) => login(WRONG, `192.0.2.${i}`));
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (let i = 0; i < 10; i++) expect((await login(WRONG, OWNER_HOME)).status).toBe(429);
    hold();
    await Promise.all(filler);
    vi.restoreAllMocks();
    expect((await login(OWNER, OWNER_HOME)).status).toBe(200);
  });
});

describe('without a client address (an adapter that passes none)', () => {
  it('falls back to locking the account as a whole, and says so once in the log', async () => {
    const { logger, warnings } = recordingLogger();
    const gateway = createGateway({ store: createMemoryStore(), secret: SECRET, logger });
    const post = async (route: string, body: unknown) =>
      (await gateway.fetch(new Request(`http://gateway/api${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })))
        .status;
    expect(await post('/setup', OWNER)).toBe(201);
    for (let i = 0; i < 5; i++) expect(await post('/auth/login', WRONG)).toBe(401);
    expect(await post('/auth/login', OWNER)).toBe(429);
    // Spraying is not limited per address here: there is no address to count by.
    for (let i = 0; i < 25; i++) expect(await post('/auth/login', { email: `user${i}@example.com`, password: 'Summer2026!' })).toBe(401);
    expect(warnings.filter((w) => w.includes('no client address'))).toHaveLength(1);
  });
});
