import { beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/index.js';
import type { Store } from '../../src/store.js';
import { createMemoryStore } from '../../storage/memory.js';

/**
 * Issue 8, item 4: `models:write` (the operator role) must not be enough to send a keyed
 * model's calls, and so its provider key, somewhere else. There is no API to create users
 * yet, so the operator is written into config/users.json the way an admin would by hand.
 */

const SECRET = 'k'.repeat(40);
const PASSWORD = 'correct horse battery';

let store: Store;
let gateway: Gateway;
let admin: string;
let operator: string;

async function call(method: string, path: string, token: string | undefined, body?: unknown) {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await gateway.fetch(
    new Request(`http://gateway${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }),
  );
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  store = createMemoryStore();
  gateway = createGateway({ store, secret: SECRET });
  const setup = await call('POST', '/api/setup', undefined, { email: 'admin@example.com', password: PASSWORD });
  expect(setup.status).toBe(201);
  admin = setup.body.token;
  // An operator with the same password hash, then a gateway that loads it (the same secret: the admin's session stays valid).
  const users = JSON.parse((await store.get('config/users.json'))!);
  users.push({ ...users[0], id: 'usr_operator', email: 'operator@example.com', role: 'operator' });
  await store.put('config/users.json', JSON.stringify(users));
  gateway = createGateway({ store, secret: SECRET });
  const login = await call('POST', '/api/auth/login', undefined, { email: 'operator@example.com', password: PASSWORD });
  expect(login.status).toBe(200);
  operator = login.body.token;
});

let count = 0;
/** A fresh model, created by the admin, keyed unless `apiKey: undefined` is given. */
async function model(fields: Record<string, unknown> = {}) {
  const id = `m${++count}`;
  const created = await call('POST', '/api/models', admin, { id, provider: 'openai', baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-secret', ...fields });
  expect(created.status).toBe(201);
  return id;
}

/** [field, the model's fields before, the change] */
const MOVES: [string, Record<string, unknown>, Record<string, unknown>][] = [
  ['baseUrl', {}, { baseUrl: 'https://attacker.example/v1' }],
  ['provider', {}, { provider: 'custom' }],
  ['preset', { provider: 'custom', preset: 'openrouter', baseUrl: undefined }, { preset: 'groq' }],
  ['headers', {}, { headers: { 'x-forward-to': 'attacker' } }],
];

describe('moving a keyed model', () => {
  it('really has an operator that may write models', async () => {
    expect((await call('GET', '/api/models', operator)).status).toBe(200);
    const id = await model();
    expect((await call('PUT', `/api/models/${id}`, operator, { description: 'fast and cheap', pricing: { input: 1, output: 2 } })).status).toBe(200);
  });

  it.each(MOVES)('refuses an operator changing %s without the key', async (_, before, change) => {
    const id = await model(before);
    const answer = await call('PUT', `/api/models/${id}`, operator, change);
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('forbidden');
    expect(answer.body.error.message).toMatch(/key/);
    // Nothing changed.
    const after = (await call('GET', `/api/models/${id}`, admin)).body;
    expect(after.hasApiKey).toBe(true);
    for (const [field, value] of Object.entries(change)) expect(after[field]).not.toEqual(value);
  });

  it.each(MOVES)('lets an operator change %s when the request supplies the key again', async (_, before, change) => {
    const id = await model(before);
    const answer = await call('PUT', `/api/models/${id}`, operator, { ...change, apiKey: 'sk-new' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ ...change, hasApiKey: true });
  });

  it.each(MOVES)('lets an admin change %s without the key', async (_, before, change) => {
    const id = await model(before);
    const answer = await call('PUT', `/api/models/${id}`, admin, change);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ ...change, hasApiKey: true });
  });

  it('lets an operator move a model while removing its key (apiKey: null)', async () => {
    const id = await model();
    const answer = await call('PUT', `/api/models/${id}`, operator, { baseUrl: 'https://elsewhere.example/v1', apiKey: null });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ baseUrl: 'https://elsewhere.example/v1', hasApiKey: false });
  });

  it('lets an operator move a model that has no key, and re-send unchanged values', async () => {
    const keyless = await model({ apiKey: undefined });
    expect((await call('PUT', `/api/models/${keyless}`, operator, { baseUrl: 'http://127.0.0.1:11434/v1', provider: 'custom' })).status).toBe(200);

    const id = await model({ headers: { 'X-Team': 'a', 'x-env': 'prod' } });
    // The same values, spelled as the model already resolves them: same base URL with a trailing slash, headers in another order and case.
    const same = { provider: 'openai', baseUrl: 'https://API.openai.com/v1/', headers: { 'x-env': 'prod', 'x-team': 'a' } };
    expect((await call('PUT', `/api/models/${id}`, operator, same)).status).toBe(200);
    // A model without a baseUrl goes to the provider's default: naming that default moves nothing.
    const defaulted = await model({ baseUrl: undefined });
    expect((await call('PUT', `/api/models/${defaulted}`, operator, { baseUrl: 'https://api.openai.com/v1' })).status).toBe(200);
    // But a different header value does.
    expect((await call('PUT', `/api/models/${id}`, operator, { headers: { 'x-env': 'prod', 'x-team': 'b' } })).status).toBe(403);
  });

  it('leaves creating models to models:write as before', async () => {
    const answer = await call('POST', '/api/models', operator, { id: 'op-made', provider: 'custom', baseUrl: 'https://x.example/v1', apiKey: 'sk-op' });
    expect(answer.status).toBe(201);
  });
});

describe('forbidPrivateAddresses', () => {
  it('refuses loopback and private base URLs at create and update time once set, and keeps them by default', async () => {
    expect((await call('POST', '/api/models', admin, { id: 'local-1', provider: 'ollama' })).status).toBe(201);
    const set = await call('PUT', '/api/settings', admin, { forbidPrivateAddresses: true });
    expect(set.status).toBe(200);
    expect(set.body.forbidPrivateAddresses).toBe(true);
    try {
      // Ollama's default base URL is loopback.
      const ollama = await call('POST', '/api/models', admin, { id: 'local-2', provider: 'ollama' });
      expect(ollama.status).toBe(400);
      expect(ollama.body.error.message).toMatch(/forbidPrivateAddresses/);
      for (const baseUrl of ['http://127.0.0.1:8000/v1', 'http://localhost:8000/v1', 'http://[::1]/v1', 'http://10.0.0.2/v1', 'http://192.168.0.9/v1']) {
        expect((await call('POST', '/api/models', admin, { id: 'local-3', provider: 'custom', baseUrl })).status, baseUrl).toBe(400);
      }
      const id = await model({ apiKey: undefined });
      expect((await call('PUT', `/api/models/${id}`, admin, { baseUrl: 'http://172.16.5.5/v1' })).status).toBe(400);
      // A model already there is not locked: changes that do not move it still work.
      expect((await call('PUT', '/api/models/local-1', admin, { description: 'still editable' })).status).toBe(200);
      expect((await call('POST', '/api/models', admin, { id: 'public-1', provider: 'custom', baseUrl: 'https://api.example.com/v1' })).status).toBe(201);
    } finally {
      expect((await call('PUT', '/api/settings', admin, {})).status).toBe(200);
    }
    expect((await call('POST', '/api/models', admin, { id: 'local-2', provider: 'ollama' })).status).toBe(201);
  });
});
