import { expect, it } from 'vitest';
import { GOOD_URLS, MALFORMED_URLS, METADATA_URLS, PRIVATE_URLS } from '../support/base-urls.js';
import { requestJson } from '../support/gateway-client.js';
import { UPSTREAM_KEYS, type SuiteContext } from './context.js';

/** The management API: setup, sessions, models, projects, tokens, usage, OpenAPI. */
export function managementTests(ctx: SuiteContext): void {
  it('reports ready on /health', async () => {
    const answer = await requestJson(`${ctx.gateway.url}/health`, 'GET');
    expect(answer.status).toBe(200);
  });

  it('refuses a second setup with 409 and logs in with the right password only', async () => {
    const url = ctx.gateway.url;
    expect((await requestJson(`${url}/api/setup`, 'POST', { email: 'x@example.com', password: 'another password' })).status).toBe(409);
    const good = await requestJson(`${url}/api/auth/login`, 'POST', { email: 'ADMIN@example.com', password: 'correct horse battery' });
    expect(good.status).toBe(200);
    expect(good.body.token).toMatch(/^ey/);
    const bad = await requestJson(`${url}/api/auth/login`, 'POST', { email: 'admin@example.com', password: 'wrong password' });
    expect(bad.status).toBe(401);
    expect((await requestJson(`${url}/api/auth/login`, 'POST', { email: 'nobody@example.com', password: 'whatever123' })).status).toBe(401);
  });

  it('answers 401 on every other /api route without a valid session, known or not', async () => {
    const url = ctx.gateway.url;
    for (const [method, path] of [['GET', '/api/models'], ['POST', '/api/projects'], ['GET', '/api/usage'], ['GET', '/api/nope'], ['DELETE', '/api/models/gpt']]) {
      const answer = await requestJson(`${url}${path}`, method!);
      expect(answer.status, `${method} ${path}`).toBe(401);
      expect(answer.body.error.code).toBe('unauthorized');
    }
    expect((await requestJson(`${url}/api/models`, 'GET', undefined, 'not-a-jwt')).status).toBe(401);
    // A project token is not a session.
    expect((await requestJson(`${url}/api/models`, 'GET', undefined, ctx.project.token)).status).toBe(401);
  });

  it('never shows a provider key, only whether one is set', async () => {
    const list = await ctx.admin.call('GET', '/api/models');
    expect(list.status).toBe(200);
    const text = JSON.stringify(list.body);
    expect(text).not.toContain(UPSTREAM_KEYS.openai);
    expect(text).not.toContain('apiKeySealed');
    expect(list.body.models.find((m: any) => m.id === 'gpt')).toMatchObject({ provider: 'openai', hasApiKey: true });
  });

  it('validates model bodies and refuses duplicates and models in use', async () => {
    const bad = await ctx.admin.call('POST', '/api/models', { id: '../evil', provider: 'nope', pricing: { input: -1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.length).toBeGreaterThanOrEqual(2);
    expect((await ctx.admin.call('POST', '/api/models', { id: 'gpt', provider: 'openai' })).status).toBe(409);
    expect((await ctx.admin.call('POST', '/api/models', { id: 'needs-url', provider: 'custom' })).status).toBe(400);
    expect((await ctx.admin.call('DELETE', '/api/models/gpt')).status).toBe(409);
    expect((await ctx.admin.call('GET', '/api/models/missing')).status).toBe(404);
  });

  it('updates, re-keys and deletes a model', async () => {
    expect((await ctx.admin.call('POST', '/api/models', { id: 'temp', provider: 'openai', apiKey: 'k1' })).status).toBe(201);
    const updated = await ctx.admin.call('PUT', '/api/models/temp', { upstreamModel: 'gpt-4o', apiKey: null });
    expect(updated.body).toMatchObject({ id: 'temp', upstreamModel: 'gpt-4o', hasApiKey: false });
    expect((await ctx.admin.call('PUT', '/api/models/temp', { id: 'renamed' })).status).toBe(400);
    expect((await ctx.admin.call('DELETE', '/api/models/temp')).status).toBe(204);
    expect((await ctx.admin.call('GET', '/api/models/temp')).status).toBe(404);
  });

  it('refuses baseUrls with user-info, a query, a fragment or a cloud metadata address, on create and update', async () => {
    expect((await ctx.admin.call('POST', '/api/models', { id: 'url-probe', provider: 'custom', baseUrl: 'https://api.example.com/v1', apiKey: 'k' })).status).toBe(201);
    for (const baseUrl of [...METADATA_URLS, ...MALFORMED_URLS]) {
      const created = await ctx.admin.call('POST', '/api/models', { id: 'url-bad', provider: 'custom', baseUrl });
      expect(created.status, baseUrl).toBe(400);
      expect(created.body.error.details[0].path, baseUrl).toBe('baseUrl');
      expect((await ctx.admin.call('PUT', '/api/models/url-probe', { baseUrl, apiKey: 'k2' })).status, baseUrl).toBe(400);
    }
    expect((await ctx.admin.call('GET', '/api/models/url-probe')).body.baseUrl).toBe('https://api.example.com/v1');
    for (const [i, baseUrl] of GOOD_URLS.entries()) {
      expect((await ctx.admin.call('POST', '/api/models', { id: `url-good-${i}`, provider: 'custom', baseUrl })).status, baseUrl).toBe(201);
      expect((await ctx.admin.call('DELETE', `/api/models/url-good-${i}`)).status).toBe(204);
    }
    expect((await ctx.admin.call('DELETE', '/api/models/url-probe')).status).toBe(204);
  });

  it("lets an admin move a keyed model's calls without supplying its key again", async () => {
    expect((await ctx.admin.call('POST', '/api/models', { id: 'moved', provider: 'openai', apiKey: 'k1' })).status).toBe(201);
    const moved = await ctx.admin.call('PUT', '/api/models/moved', { baseUrl: 'https://proxy.example.com/v1', headers: { 'x-team': 'a' } });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ baseUrl: 'https://proxy.example.com/v1', hasApiKey: true });
    expect((await ctx.admin.call('DELETE', '/api/models/moved')).status).toBe(204);
  });

  it('refuses loopback and private baseUrls with the forbidPrivateAddresses setting, and only then', async () => {
    const { hasMetricsToken: _, ...before } = (await ctx.admin.call('GET', '/api/settings')).body;
    expect(before.forbidPrivateAddresses).toBeUndefined();
    const set = await ctx.admin.call('PUT', '/api/settings', { ...before, forbidPrivateAddresses: true });
    expect(set.status).toBe(200);
    expect(set.body.forbidPrivateAddresses).toBe(true);
    try {
      for (const baseUrl of PRIVATE_URLS) {
        const created = await ctx.admin.call('POST', '/api/models', { id: 'private-bad', provider: 'custom', baseUrl });
        expect(created.status, baseUrl).toBe(400);
        expect(created.body.error.message, baseUrl).toMatch(/forbidPrivateAddresses/);
      }
      expect((await ctx.admin.call('POST', '/api/models', { id: 'private-bad', provider: 'ollama' })).status).toBe(400);
      // Models already on a private address (the suite's own, on 127.0.0.1) still take changes that do not move them.
      expect((await ctx.admin.call('PUT', '/api/models/gpt', { description: 'unchanged address' })).status).toBe(200);
      expect((await ctx.admin.call('PUT', '/api/models/gpt', { baseUrl: 'http://127.0.0.2:1/v1' })).status).toBe(400);
    } finally {
      expect((await ctx.admin.call('PUT', '/api/settings', before)).status).toBe(200);
    }
    expect((await ctx.admin.call('POST', '/api/models', { id: 'private-ok', provider: 'ollama' })).status).toBe(201);
    expect((await ctx.admin.call('DELETE', '/api/models/private-ok')).status).toBe(204);
  });

  it('manages projects and tokens; a revoked token stops working at once', async () => {
    const created = await ctx.admin.call('POST', '/api/projects', { name: 'side', models: ['gpt'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'side', models: ['gpt'] });
    expect(created.body.token).toMatch(/^sk-rt-[A-Za-z0-9_-]{43}$/);
    const id = created.body.id as string;
    expect(JSON.stringify((await ctx.admin.call('GET', `/api/projects/${id}`)).body)).not.toContain(created.body.token);
    expect((await ctx.admin.call('POST', '/api/projects', { name: 'x', models: ['missing'] })).status).toBe(400);

    const second = await ctx.admin.call('POST', `/api/projects/${id}/tokens`, { name: 'ci' });
    expect(second.status).toBe(201);
    const models = (token: string) => requestJson(`${ctx.gateway.url}/v1/models`, 'GET', undefined, token);
    expect((await models(second.body.token)).status).toBe(200);
    expect((await ctx.admin.call('DELETE', `/api/projects/${id}/tokens/${second.body.id}`)).status).toBe(204);
    expect((await models(second.body.token)).status).toBe(401);
    expect((await models(created.body.token)).status).toBe(200);

    expect((await ctx.admin.call('PUT', `/api/projects/${id}`, { name: 'renamed', models: ['claude'] })).body).toMatchObject({ name: 'renamed', models: ['claude'] });
    // A partial update leaves the other fields alone (zod defaults once reset `models` here).
    expect((await ctx.admin.call('PUT', `/api/projects/${id}`, { rejectUnsupportedParams: true })).body).toMatchObject({
      name: 'renamed',
      models: ['claude'],
      rejectUnsupportedParams: true,
    });
    expect((await ctx.admin.call('DELETE', `/api/projects/${id}`)).status).toBe(204);
    expect((await models(created.body.token)).status).toBe(401);
  });

  it('serves an OpenAPI document generated from the schemas', async () => {
    const answer = await requestJson(`${ctx.gateway.url}/api/openapi.json`, 'GET');
    expect(answer.status).toBe(200);
    expect(answer.body.openapi).toMatch(/^3\./);
    const create = answer.body.paths['/api/models'].post.requestBody.content['application/json'].schema;
    expect(create.required).toEqual(expect.arrayContaining(['id', 'provider']));
    expect(create.properties.provider.enum).toContain('anthropic');
  });
}
