import { SignJWT, type JWTPayload } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { deriveKeys } from '../../src/crypto/keys.js';
import { createGateway, type Gateway } from '../../src/index.js';
import { createMemoryStore } from '../../storage/memory.js';

const SECRET = 's'.repeat(40);
const TTL = 3600;
const T0 = Date.UTC(2026, 0, 1) / 1000;

let now = T0 * 1000;
let gateway: Gateway;
let signing: Uint8Array<ArrayBuffer>;
let userId: string;
let sessionToken: string;

async function call(path: string, init: { method?: string; body?: unknown; token?: string } = {}) {
  const headers: Record<string, string> = {};
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  const response = await gateway.fetch(
    new Request(`http://gateway${path}`, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) }),
  );
  return { status: response.status, body: (await response.json()) as any };
}

/** A token signed with the gateway's own key, with exactly these claims and header. */
function forge(claims: JWTPayload, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): Promise<string> {
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(signing);
}

const base = () => ({ sub: userId, iss: 'routerly', aud: 'routerly-api', role: 'admin' });

beforeAll(async () => {
  gateway = createGateway({ store: createMemoryStore(), secret: SECRET, now: () => now, settings: { sessionTtlSeconds: TTL } });
  signing = (await deriveKeys(SECRET)).signing;
  const setup = await call('/api/setup', { method: 'POST', body: { email: 'admin@example.com', password: 'correct horse battery' } });
  expect(setup.status).toBe(201);
  sessionToken = setup.body.token;
  const [, payload] = sessionToken.split('.');
  userId = JSON.parse(atob(payload!.replace(/-/g, '+').replace(/_/g, '/'))).sub;
});

describe('session tokens', () => {
  it('accepts the sessions the gateway issues, until they expire', async () => {
    expect((await call('/api/models', { token: sessionToken })).status).toBe(200);
    const login = await call('/api/auth/login', { method: 'POST', body: { email: 'admin@example.com', password: 'correct horse battery' } });
    expect(login.status).toBe(200);
    expect((await call('/api/models', { token: login.body.token })).status).toBe(200);
    const saved = now;
    now += (TTL - 1) * 1000;
    expect((await call('/api/models', { token: login.body.token })).status).toBe(200);
    now += 1000;
    expect((await call('/api/models', { token: login.body.token })).status).toBe(401);
    now = saved;
  });

  it('accepts a forged-for-test token with exactly the TTL (the control for the cases below)', async () => {
    const token = await forge({ ...base(), iat: T0, exp: T0 + TTL });
    expect((await call('/api/models', { token })).status).toBe(200);
  });

  it.each([
    ['no exp', () => ({ ...base(), iat: T0 })],
    ['no iat', () => ({ ...base(), exp: T0 + 60 })],
    ['a lifetime beyond the TTL', () => ({ ...base(), iat: T0, exp: T0 + TTL + 1 })],
    ['a year-long lifetime', () => ({ ...base(), iat: T0, exp: T0 + 365 * 86400 })],
    ['an iat in the future', () => ({ ...base(), iat: T0 + 600, exp: T0 + 600 + 60 })],
    ['no sub', () => ({ iss: 'routerly', aud: 'routerly-api', iat: T0, exp: T0 + 60 })],
    ['a non-numeric exp', () => ({ ...base(), iat: T0, exp: 'never' as unknown as number })],
  ])('refuses a correctly signed token with %s', async (_, claims) => {
    const response = await call('/api/models', { token: await forge(claims()) });
    expect(response.status).toBe(401);
    expect(response.body.error.message).toBe('invalid or expired session token');
  });

  it('refuses a token of another type or algorithm', async () => {
    const claims = { ...base(), iat: T0, exp: T0 + 60 };
    expect((await call('/api/models', { token: await forge(claims, { alg: 'HS256', typ: 'at+jwt' }) })).status).toBe(401);
    expect((await call('/api/models', { token: await forge(claims, { alg: 'HS512', typ: 'JWT' }) })).status).toBe(401);
  });

  it('refuses sessions minted under a longer TTL once the TTL is lowered', async () => {
    const shorter = createGateway({ store: createMemoryStore(), secret: SECRET, now: () => now, settings: { sessionTtlSeconds: 600 } });
    const setup = await shorter.fetch(
      new Request('http://gateway/api/setup', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@example.com', password: 'correct horse battery' }),
      }),
    );
    const { token } = (await setup.json()) as { token: string };
    const sub = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))).sub as string;
    const models = async (t: string) => (await shorter.fetch(new Request('http://gateway/api/models', { headers: { authorization: `Bearer ${t}` } }))).status;
    expect(await models(token)).toBe(200);
    // As if issued when the TTL was an hour: valid signature, not expired, but too long-lived.
    expect(await models(await forge({ ...base(), sub, iat: T0, exp: T0 + 3600 }))).toBe(401);
  });
});
