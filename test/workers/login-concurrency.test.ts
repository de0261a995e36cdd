// The password-hash limiter is isolate-wide: a slot freed by one request's login wakes a login
// waiting in another request. This checks that hand-off works in workerd, not just in Node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerdGateway, type WorkerdGateway } from '../support/workerd.js';

const ADMIN = { email: 'admin@example.com', password: 'correct horse battery staple' };

async function post(url: string, body: unknown): Promise<number> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await response.arrayBuffer();
  return response.status;
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
    expect(await post(`${worker.url}/api/setup`, ADMIN)).toBe(201);
    const statuses = await Promise.all(Array.from({ length: 8 }, () => post(`${worker.url}/api/auth/login`, ADMIN)));
    expect(statuses).toEqual(Array(8).fill(200));
  });
});
