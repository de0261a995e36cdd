// The routing suite's fixture: models on the shared mock told apart by their upstream names
// (so a fault can be aimed at one of them), a model nobody listens for, and a judge.

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { beforeAll } from 'vitest';
import { createModel, createProject } from '../support/gateway-client.js';
import { UPSTREAM_KEYS, type SuiteContext } from './context.js';

/** Gateway model id → the upstream model name the mock sees (what `enqueue(…, {model})` aims at). */
export const UPSTREAM = {
  'r-claude': 'claude-routed',
  'r-gpt': 'gpt-routed',
  'r-gpt2': 'gpt-routed-2',
  'r-judge': 'judge-routed',
} as const;

export interface RoutingEnv {
  /** A project over `models` with the given routing fields; returns its token and id. */
  project(models: string[], extra?: Record<string, unknown>): Promise<{ id: string; token: string }>;
  openai(token: string): OpenAI;
  anthropic(token: string): Anthropic;
  /** A raw POST to the gateway with a project token. */
  post(token: string, path: string, body: unknown): Promise<Response>;
  /** Every usage record of one call (GET /api/usage/:requestId), once its final record is written. */
  recordsOf(requestId: string | null): Promise<any[]>;
  /** How many requests the mock received for one gateway model. */
  callsTo(model: keyof typeof UPSTREAM): number;
}

export function useRoutingEnv(ctx: SuiteContext): RoutingEnv {
  let projects = 0;
  beforeAll(async () => {
    const openai = { provider: 'openai', baseUrl: ctx.mock.openaiBaseUrl, apiKey: UPSTREAM_KEYS.openai };
    await createModel(ctx.admin, {
      id: 'r-claude',
      provider: 'anthropic',
      baseUrl: ctx.mock.anthropicBaseUrl,
      apiKey: UPSTREAM_KEYS.anthropic,
      upstreamModel: UPSTREAM['r-claude'],
      pricing: { input: 3, output: 15 },
      description: 'careful writing and long documents',
    });
    await createModel(ctx.admin, { id: 'r-gpt', ...openai, upstreamModel: UPSTREAM['r-gpt'], pricing: { input: 2, output: 8 }, description: 'general chat' });
    await createModel(ctx.admin, { id: 'r-gpt2', ...openai, upstreamModel: UPSTREAM['r-gpt2'], pricing: { input: 0.1, output: 0.4 }, description: 'cheap and quick' });
    await createModel(ctx.admin, { id: 'r-judge', ...openai, upstreamModel: UPSTREAM['r-judge'], pricing: { input: 0.1, output: 0.1 } });
    // Port 9 (discard) on loopback: nothing listens, so every call fails to connect at once.
    await createModel(ctx.admin, { id: 'r-dead', provider: 'openai', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-nowhere', upstreamModel: 'gpt-dead' });
  });

  const recordsOf = async (requestId: string | null) => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const answer = await ctx.admin.call('GET', `/api/usage/${requestId}`);
      const records: any[] = answer.status === 200 ? answer.body.records : [];
      if (records.some((r) => r.routing) || Date.now() > deadline) return records;
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  return {
    async project(models, extra = {}) {
      const created = await createProject(ctx.admin, `routing-${++projects}`, models, extra);
      return { id: created.id, token: created.token };
    },
    openai: (token) => new OpenAI({ apiKey: token, baseURL: `${ctx.gateway.url}/v1`, maxRetries: 0 }),
    anthropic: (token) => new Anthropic({ apiKey: token, baseURL: ctx.gateway.url, maxRetries: 0 }),
    post: (token, path, body) =>
      fetch(`${ctx.gateway.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    recordsOf,
    callsTo: (model) => ctx.mock.requests.filter((r) => r.body?.model === UPSTREAM[model]).length,
  };
}
