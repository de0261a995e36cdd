/**
 * The audit log: one entry per management write (denied and failed ones included), with who,
 * what, when and from where, never a secret; read back a page at a time through GET /api/audit.
 */
import { describe, expect, it } from 'vitest';
import { managementHarness } from '../support/management-harness.js';

const entries = async (lines: Promise<string[]>) => (await lines).map((line) => JSON.parse(line));

describe('the audit log', () => {
  it('records who did what, from where, with which fields, and how it ended', async () => {
    const h = await managementHarness();
    const viewer = await h.user('viewer@example.com', 'viewer');
    await h.call('POST', '/api/models', { token: h.admin.token, body: { id: 'gpt', provider: 'openai', apiKey: 'sk-upstream' }, address: '198.51.100.7' });
    await h.call('PUT', '/api/models/gpt', { token: viewer.token, body: { description: 'x' }, address: '203.0.113.9' });
    await h.call('DELETE', '/api/models/gpt', { address: '203.0.113.9' });
    await h.call('GET', '/api/models', { token: h.admin.token });
    const log = await entries(h.auditLines());

    expect(log.map((e) => `${e.method} ${e.route} ${e.status}`)).toEqual([
      'POST /api/setup 201',
      'POST /api/users 201',
      'POST /api/auth/login 200',
      'POST /api/models 201',
      'PUT /api/models/:id 403',
    ]);
    const [setup, user, login, created, denied] = log;
    expect(setup.actor).toEqual({ userId: h.admin.id, email: 'admin@example.com' });
    expect(setup.fields).toEqual(['email', 'password']);
    expect(user).toMatchObject({ actor: { userId: h.admin.id, email: 'admin@example.com' }, target: viewer.id, fields: ['email', 'password', 'role'] });
    expect(login.actor).toEqual({ userId: viewer.id, email: 'viewer@example.com' });
    expect(created).toMatchObject({ target: 'gpt', fields: ['apiKey', 'id', 'provider'], address: '198.51.100.7' });
    expect(Date.parse(created.ts)).toBeGreaterThan(0);
    // A denial keeps who tried; the body was never read, so no fields.
    expect(denied).toMatchObject({ actor: { userId: viewer.id, email: 'viewer@example.com' }, target: 'gpt', address: '203.0.113.9' });
    expect(denied.fields).toBeUndefined();
    // The anonymous DELETE (401) is not there: nobody can grow the log without an account.
  });

  it('records failed logins with the email tried, and project writes with their project', async () => {
    const h = await managementHarness();
    await h.login('admin@example.com', 'wrong password!');
    await h.login('nobody@example.com', 'wrong password!');
    const project = await h.call('POST', '/api/projects', { token: h.admin.token, body: { name: 'p' } });
    const token = await h.call('POST', `/api/projects/${project.body.id}/tokens`, { token: h.admin.token, body: { name: 'ci' } });
    await h.call('DELETE', `/api/projects/${project.body.id}/tokens/${token.body.id}`, { token: h.admin.token });
    await h.call('POST', '/api/nowhere', { token: h.admin.token, body: {} });
    const log = (await entries(h.auditLines())).slice(1);
    expect(log[0]).toMatchObject({ route: '/api/auth/login', status: 401, actor: { userId: h.admin.id, email: 'admin@example.com' } });
    expect(log[1]).toMatchObject({ route: '/api/auth/login', status: 401, actor: { email: 'nobody@example.com' } });
    expect(log[1].actor.userId).toBeUndefined();
    expect(log[2]).toMatchObject({ route: '/api/projects', status: 201, target: project.body.id });
    expect(log[3]).toMatchObject({ route: '/api/projects/:id/tokens', status: 201, target: token.body.id, projectId: project.body.id });
    expect(log[4]).toMatchObject({ route: '/api/projects/:id/tokens/:tokenId', status: 204, target: token.body.id, projectId: project.body.id });
    // An unknown route is logged by its pattern, never the raw path a client chose.
    expect(log[5]).toMatchObject({ route: '/api/*', status: 404 });
    expect(JSON.stringify(log[5])).not.toContain('nowhere');
  });

  it('never holds a password, provider key, project token, session token or hash', async () => {
    const h = await managementHarness();
    const secrets = ['a very secret password', 'another secret password', 'sk-upstream-SECRET-KEY', 'metrics-token-SECRET-123'];
    const created = await h.call('POST', '/api/users', { token: h.admin.token, body: { email: 'ops@example.com', password: secrets[0], role: 'operator' } });
    const login = await h.login('ops@example.com', secrets[0]);
    await h.login('ops@example.com', 'wrong but secret too');
    const changed = await h.call('PUT', '/api/auth/password', { token: login.body.token, body: { currentPassword: secrets[0], newPassword: secrets[1] } });
    await h.call('PUT', `/api/users/${created.body.id}`, { token: h.admin.token, body: { password: 'reset secret password' } });
    await h.call('POST', '/api/models', { token: h.admin.token, body: { id: 'gpt', provider: 'openai', apiKey: secrets[2] } });
    await h.call('PUT', '/api/models/gpt', { token: h.admin.token, body: { apiKey: secrets[2] } });
    await h.call('PUT', '/api/settings', { token: h.admin.token, body: { metricsToken: secrets[3] } });
    const project = await h.call('POST', '/api/projects', { token: h.admin.token, body: { name: 'p', models: ['gpt'] } });
    const token = await h.call('POST', `/api/projects/${project.body.id}/tokens`, { token: h.admin.token, body: {} });

    const text = (await h.auditLines()).join('\n');
    for (const secret of [...secrets, 'wrong but secret too', 'reset secret password', project.body.token, token.body.token, h.admin.token, login.body.token, changed.body.token]) {
      expect(secret).toBeTruthy();
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/pbkdf2|sk-rt-|eyJ|apiKeySealed|passwordHash|metricsTokenHash/);
    // The names of what changed are there.
    expect(text).toContain('"fields":["currentPassword","newPassword"]');
    expect(text).toContain('"fields":["metricsToken"]');
  });

  it('takes the address from X-Forwarded-For only with trustProxy', async () => {
    for (const trustProxy of [false, true]) {
      const h = await managementHarness({ trustProxy });
      await h.call('POST', '/api/projects', { token: h.admin.token, body: { name: 'p' }, address: '10.0.0.1', headers: { 'x-forwarded-for': '192.0.2.1, 192.0.2.2' } });
      const [, entry] = await entries(h.auditLines());
      expect(entry.address).toBe(trustProxy ? '192.0.2.2' : '10.0.0.1');
    }
  });

  it('is written by Gateway.flush, and a torn last line is skipped when read', async () => {
    const h = await managementHarness();
    await h.call('POST', '/api/projects', { token: h.admin.token, body: { name: 'p' } });
    await h.gateway.flush();
    const [key] = await h.store.list('data/audit/');
    expect(key).toMatch(/^data\/audit\/\d{4}-\d{2}-\d{2}\.jsonl$/);
    expect((await h.store.get(key!))!.trim().split('\n')).toHaveLength(2);
    await h.store.append(key!, '{"ts":"2026-');
    const page = await h.call('GET', '/api/audit', { token: h.admin.token });
    expect(page.body.entries.map((e: any) => e.route)).toEqual(['/api/setup', '/api/projects']);
  });
});

describe('GET /api/audit', () => {
  it('pages through days and filters by time; a foreign cursor is a 400', async () => {
    let now = Date.UTC(2026, 2, 1, 12);
    // Sessions outlive the three days the clock moves through.
    const h = await managementHarness({ now: () => now, sessionTtlSeconds: 7 * 86400 });
    const write = (name: string) => h.call('POST', '/api/projects', { token: h.admin.token, body: { name } });
    for (let i = 0; i < 5; i++) await write(`day1-${i}`);
    now = Date.UTC(2026, 2, 2, 12);
    for (let i = 0; i < 4; i++) await write(`day2-${i}`);
    now = Date.UTC(2026, 2, 3, 12);
    await write('day3');
    expect(await h.store.list('data/audit/')).toEqual(['data/audit/2026-03-01.jsonl', 'data/audit/2026-03-02.jsonl', 'data/audit/2026-03-03.jsonl']);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: any = await h.call('GET', `/api/audit?limit=4${cursor ? `&cursor=${cursor}` : ''}`, { token: h.admin.token });
      expect(page.status).toBe(200);
      expect(page.body.entries.length).toBeLessThanOrEqual(4);
      seen.push(...page.body.entries.map((e: any) => e.ts));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    // Setup and 10 project writes, in order, each once.
    expect(seen).toHaveLength(11);
    expect(pages).toBe(3);
    expect([...seen].sort()).toEqual(seen);

    const day2 = await h.call('GET', '/api/audit?from=2026-03-02&to=2026-03-02', { token: h.admin.token });
    expect(day2.body.entries).toHaveLength(4);
    expect(day2.body.nextCursor).toBeNull();
    const since = await h.call('GET', `/api/audit?from=${encodeURIComponent('2026-03-02T12:00:00Z')}`, { token: h.admin.token });
    expect(since.body.entries).toHaveLength(5);

    for (const bad of ['nope', btoa('data/usage/2026-03-01.jsonl:0'), btoa('data/audit/../config/users.json:0')]) {
      expect((await h.call('GET', `/api/audit?cursor=${encodeURIComponent(bad)}`, { token: h.admin.token })).status, bad).toBe(400);
    }
    expect((await h.call('GET', '/api/audit?limit=0', { token: h.admin.token })).status).toBe(400);
    expect((await h.call('GET', '/api/audit?limit=1001', { token: h.admin.token })).status).toBe(400);
    expect((await h.call('GET', '/api/audit?from=yesterday', { token: h.admin.token })).status).toBe(400);
  });

  it('needs audit:read', async () => {
    const h = await managementHarness();
    const operator = await h.user('ops@example.com', 'operator');
    expect((await h.call('GET', '/api/audit', { token: operator.token })).status).toBe(403);
    await h.call('POST', '/api/roles', { token: h.admin.token, body: { id: 'auditor', permissions: ['audit:read'] } });
    const auditor = await h.user('auditor@example.com', 'auditor');
    const page = await h.call('GET', '/api/audit', { token: auditor.token });
    expect(page.status).toBe(200);
    expect(page.body.entries.some((e: any) => e.route === '/api/roles')).toBe(true);
    expect((await h.call('GET', '/api/audit')).status).toBe(401);
  });
});
