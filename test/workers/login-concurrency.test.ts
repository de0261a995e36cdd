// Logins on the real Worker in workerd. The password-hash limiter is isolate-wide: a slot freed by
// one request's login wakes a login waiting in another request. Login throttling is not: it counts
// in the counters Durable Object (wrangler.toml's ROUTERLY_COUNTERS), so it holds across every
// isolate and location, where an in-memory throttle would give each isolate its own five guesses.
// Local workerd runs one isolate; a restart over the same storage stands in for a fresh one.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerdGateway, type WorkerdGateway } from '../support/workerd.js';

const ADMIN = { email: 'admin@example.com', password: 'correct horse battery staple' };
const WRONG = { email: ADMIN.email, password: 'not the password at all' };

async function post(url: string, body: unknown): Promise<{ status: number; retryAfter: string | null }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await response.arrayBuffer();
  return { status: response.status, retryAfter: response.headers.get('retry-after') };
}

describe('Cloudflare Worker: concurrent logins', () => {
  let worker: WorkerdGateway;
  beforeAll(async () => {
    worker = await startWorkerdGateway();
  });
  afterAll(async () => {
    await worker?.close();
  });

  it('answers every one of more logins than may hash at once', async () => {
    expect((await post(`${worker.url}/api/setup`, ADMIN)).status).toBe(201);
    const results = await Promise.all(Array.from({ length: 8 }, () => post(`${worker.url}/api/auth/login`, ADMIN)));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
  });

  it('lets no more than five of a burst of wrong passwords through, counting in the Durable Object', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, () => post(`${worker.url}/api/auth/login`, WRONG)));
    expect(results.filter((r) => r.status === 401)).toHaveLength(5);
    const refused = results.filter((r) => r.status === 429);
    expect(refused).toHaveLength(7);
    for (const r of refused) expect(Number(r.retryAfter)).toBeGreaterThan(0);
    // Locked even with the right password, from the same address.
    expect((await post(`${worker.url}/api/auth/login`, ADMIN)).status).toBe(429);
  });
});

describe('Cloudflare Worker: login throttling across isolates', () => {
  it('keeps a lockout for a fresh isolate: a restarted worker over the same storage still refuses', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'routerly-login-'));
    // One secret for both boots: the second reads the config (and its password hashes) the first wrote.
    const secret = 'login-concurrency-secret-0123456789abcdef';
    try {
      const first = await startWorkerdGateway({ persistTo: home, secret });
      try {
        expect((await post(`${first.url}/api/setup`, ADMIN)).status).toBe(201);
        for (let i = 0; i < 5; i++) expect((await post(`${first.url}/api/auth/login`, WRONG)).status).toBe(401);
        expect((await post(`${first.url}/api/auth/login`, WRONG)).status).toBe(429);
      } finally {
        await first.close();
      }
      const second = await startWorkerdGateway({ persistTo: home, secret });
      try {
        // A new isolate with empty memory: before the counters moved to the Durable Object, it let this through.
        const again = await post(`${second.url}/api/auth/login`, ADMIN);
        expect(again.status).toBe(429);
        expect(Number(again.retryAfter)).toBeGreaterThan(0);
      } finally {
        await second.close();
      }
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
