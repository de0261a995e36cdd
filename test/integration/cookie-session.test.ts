/**
 * Cookie sessions for the dashboard: `x-routerly-session: cookie` on setup, login and password
 * change sets an HttpOnly cookie and answers only a CSRF token; cookie-authenticated writes need
 * that token in x-csrf-token. Clients that do not ask keep getting `{token}`, and bearer tokens
 * need no CSRF token.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodeServer, type NodeServer } from '../../adapters/node/server.js';
import { createGateway } from '../../src/index.js';
import { createMemoryStore } from '../../storage/memory.js';
import { managementHarness, PASSWORD, type Harness } from '../support/management-harness.js';

const COOKIE_MODE = { 'x-routerly-session': 'cookie' };
const TTL = 1800;

let h: Harness;
beforeAll(async () => {
  h = await managementHarness({ sessionTtlSeconds: TTL });
});

/** The session cookie's value in a Set-Cookie header. */
function cookieValue(setCookie: string | null): string {
  const value = /^routerly_session=([^;]*)/.exec(setCookie ?? '')?.[1];
  if (value === undefined) throw new Error(`no session cookie in ${String(setCookie)}`);
  return value;
}

/** Signs a new user in with the cookie; returns the cookie header to send and the CSRF token. */
async function cookieLogin(email: string) {
  const answer = await h.call('POST', '/api/auth/login', { body: { email, password: PASSWORD }, headers: COOKIE_MODE });
  expect(answer.status).toBe(200);
  return { cookie: `routerly_session=${cookieValue(answer.headers.get('set-cookie'))}`, csrfToken: answer.body.csrfToken as string, answer };
}

let userCount = 0;
async function freshUser() {
  const email = `cookie${++userCount}@example.com`;
  await h.user(email, 'operator');
  return email;
}

describe('without x-routerly-session: cookie', () => {
  it('setup, login and password change answer {token} and set no cookie, as before', async () => {
    const email = await freshUser();
    const login = await h.login(email);
    expect([login.status, Object.keys(login.body), login.headers.get('set-cookie')]).toEqual([200, ['token'], null]);
    const change = await h.call('PUT', '/api/auth/password', { token: login.body.token, body: { currentPassword: PASSWORD, newPassword: PASSWORD } });
    expect([change.status, Object.keys(change.body), change.headers.get('set-cookie')]).toEqual([200, ['token'], null]);
  });
});

describe('with x-routerly-session: cookie', () => {
  it('login sets the HttpOnly, SameSite=Strict cookie for the session TTL and answers only the CSRF token', async () => {
    const { answer, csrfToken } = await cookieLogin(await freshUser());
    const setCookie = answer.headers.get('set-cookie')!;
    const jwt = cookieValue(setCookie);
    expect(jwt.split('.')).toHaveLength(3);
    expect(setCookie.split('; ').slice(1).sort()).toEqual(['HttpOnly', `Max-Age=${TTL}`, 'Path=/', 'SameSite=Strict']);
    expect(Object.keys(answer.body)).toEqual(['csrfToken']);
    expect(csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(answer.body)).not.toContain(jwt);
  });

  it('signs requests in by the cookie; /me gives the CSRF token back; bearer sessions get none', async () => {
    const email = await freshUser();
    const { cookie, csrfToken } = await cookieLogin(email);
    const me = await h.call('GET', '/api/auth/me', { headers: { cookie } });
    expect([me.status, me.body.user.email, me.body.csrfToken]).toEqual([200, email, csrfToken]);
    expect((await h.call('GET', '/api/models', { headers: { cookie } })).status).toBe(200);
    const bearer = await h.login(email);
    const meByBearer = await h.call('GET', '/api/auth/me', { token: bearer.body.token });
    expect([meByBearer.status, 'csrfToken' in meByBearer.body]).toEqual([200, false]);
  });

  it('refuses a cookie write without the CSRF token, with a wrong one, or with another session\'s', async () => {
    const { cookie, csrfToken } = await cookieLogin(await freshUser());
    const other = await cookieLogin(await freshUser());
    const create = (headers: Record<string, string>) => h.call('POST', '/api/models', { headers: { cookie, ...headers }, body: { id: `m${++userCount}`, provider: 'openai' } });
    const attempts: Record<string, string>[] = [{}, { 'x-csrf-token': 'wrong' }, { 'x-csrf-token': `${csrfToken.slice(0, -1)}${csrfToken.endsWith('A') ? 'B' : 'A'}` }, { 'x-csrf-token': other.csrfToken }];
    for (const headers of attempts) {
      const refused = await create(headers);
      expect([refused.status, refused.body.error], JSON.stringify(headers)).toEqual([403, { code: 'forbidden', message: 'missing or wrong CSRF token' }]);
    }
    expect((await create({ 'x-csrf-token': csrfToken })).status).toBe(201);
  });

  it('takes a bearer token first, with no CSRF token needed, and never falls back to the cookie', async () => {
    const { cookie } = await cookieLogin(await freshUser());
    const bearer = (await h.login(await freshUser())).body.token as string;
    const created = await h.call('POST', '/api/models', { token: bearer, headers: { cookie }, body: { id: `m${++userCount}`, provider: 'openai' } });
    expect(created.status).toBe(201);
    expect((await h.call('GET', '/api/models', { headers: { cookie, authorization: 'Bearer not-a-jwt' } })).status).toBe(401);
    expect((await h.call('GET', '/api/models', { headers: { cookie: 'routerly_session=not-a-jwt' } })).status).toBe(401);
    expect((await h.call('GET', '/api/models')).status).toBe(401);
  });

  it('logout clears the cookie and ends the session', async () => {
    const { cookie, csrfToken } = await cookieLogin(await freshUser());
    const logout = await h.call('POST', '/api/auth/logout', { headers: { cookie, 'x-csrf-token': csrfToken } });
    expect(logout.status).toBe(204);
    expect(logout.headers.get('set-cookie')).toMatch(/^routerly_session=; Max-Age=0; Path=\/; HttpOnly; SameSite=Strict$/);
    expect((await h.call('GET', '/api/auth/me', { headers: { cookie } })).status).toBe(401);
  });

  it('a password change sets a new cookie and CSRF token; the old cookie stops working', async () => {
    const { cookie, csrfToken } = await cookieLogin(await freshUser());
    const change = await h.call('PUT', '/api/auth/password', {
      headers: { cookie, 'x-csrf-token': csrfToken, ...COOKIE_MODE },
      body: { currentPassword: PASSWORD, newPassword: PASSWORD },
    });
    expect([change.status, Object.keys(change.body)]).toEqual([200, ['csrfToken']]);
    expect(change.body.csrfToken).not.toBe(csrfToken);
    const renewed = `routerly_session=${cookieValue(change.headers.get('set-cookie'))}`;
    expect((await h.call('GET', '/api/auth/me', { headers: { cookie } })).status).toBe(401);
    const me = await h.call('GET', '/api/auth/me', { headers: { cookie: renewed } });
    expect([me.status, me.body.csrfToken]).toEqual([200, change.body.csrfToken]);
  });

  it('marks the cookie Secure over https, and behind a trusted proxy that says https', async () => {
    const login = (gateway: Harness['gateway'], url: string, headers: Record<string, string> = {}) =>
      gateway.fetch(
        new Request(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...COOKIE_MODE, ...headers },
          body: JSON.stringify({ email: h.admin.email, password: PASSWORD }),
        }),
      );
    const secure = async (response: Promise<Response>) => ((await response).headers.get('set-cookie') ?? '').split('; ').includes('Secure');
    expect(await secure(login(h.gateway, 'https://gateway/api/auth/login'))).toBe(true);
    expect(await secure(login(h.gateway, 'http://gateway/api/auth/login'))).toBe(false);
    // Not trusted: anyone can send the header.
    expect(await secure(login(h.gateway, 'http://gateway/api/auth/login', { 'x-forwarded-proto': 'https' }))).toBe(false);
    const proxied = await managementHarness({ trustProxy: true });
    expect(await secure(login(proxied.gateway, 'http://gateway/api/auth/login', { 'x-forwarded-proto': 'https' }))).toBe(true);
    expect(await secure(login(proxied.gateway, 'http://gateway/api/auth/login', { 'x-forwarded-proto': 'http' }))).toBe(false);
  });
});

describe('first-run setup', () => {
  it('GET /api/setup says whether setup is needed; setup in cookie mode signs the admin in by cookie', async () => {
    const gateway = createGateway({ store: createMemoryStore(), secret: 'cookie-session-test-secret-0123456789abcdef' });
    const get = (path: string, headers: Record<string, string> = {}) => gateway.fetch(new Request(`http://gateway${path}`, { headers }));
    expect(await (await get('/api/setup')).json()).toEqual({ needed: true });
    const setup = await gateway.fetch(
      new Request('http://gateway/api/setup', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...COOKIE_MODE },
        body: JSON.stringify({ email: 'first@example.com', password: PASSWORD }),
      }),
    );
    const body = (await setup.json()) as Record<string, unknown>;
    expect([setup.status, Object.keys(body)]).toEqual([201, ['csrfToken']]);
    expect(await (await get('/api/setup')).json()).toEqual({ needed: false });
    const me = await get('/api/auth/me', { cookie: `routerly_session=${cookieValue(setup.headers.get('set-cookie'))}` });
    expect([me.status, ((await me.json()) as { csrfToken: string }).csrfToken]).toEqual([200, body.csrfToken]);
  });
});

describe('through the Node server', () => {
  let home: string;
  let server: NodeServer;
  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'routerly-cookie-'));
    server = await startNodeServer({ home, port: 0, logger: false });
  });
  afterAll(async () => {
    await server?.close(1000);
    await rm(home, { recursive: true, force: true });
  });

  it('a browser-like client signs up, reads and writes with the cookie and its CSRF token', async () => {
    const setup = await fetch(`${server.url}/api/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...COOKIE_MODE },
      body: JSON.stringify({ email: 'node@example.com', password: PASSWORD }),
    });
    expect(setup.status).toBe(201);
    const { csrfToken } = (await setup.json()) as { csrfToken: string };
    const cookie = `routerly_session=${cookieValue(setup.headers.get('set-cookie'))}`;
    const write = (headers: Record<string, string>) =>
      fetch(`${server.url}/api/models`, { method: 'POST', headers: { 'content-type': 'application/json', cookie, ...headers }, body: JSON.stringify({ id: 'm', provider: 'openai' }) });
    expect((await write({})).status).toBe(403);
    expect((await write({ 'x-csrf-token': csrfToken })).status).toBe(201);
    expect((await fetch(`${server.url}/api/models`, { headers: { cookie } })).status).toBe(200);
  });
});
