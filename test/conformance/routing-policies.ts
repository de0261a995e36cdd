import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { expect, it } from 'vitest';
import { PNG_BASE64 } from './translation-env.js';
import type { SuiteContext } from './context.js';
import { UPSTREAM, type RoutingEnv } from './routing-env.js';

const hello = [{ role: 'user' as const, content: 'hello there' }];

/** Policies that rank, aliases, the judge, route-preview, the trace and /metrics. */
export function routingPolicyTests(ctx: SuiteContext, env: RoutingEnv): void {
  const chat = (token: string, body: Record<string, unknown> = {}) => env.post(token, '/v1/chat/completions', { model: 'auto', messages: hello, ...body });

  it('keeps pool order without routing configured', async () => {
    const { token } = await env.project(['r-gpt2', 'r-gpt']);
    for (let i = 0; i < 3; i++) expect((await chat(token)).headers.get('x-routerly-model')).toBe('r-gpt2');
  });

  it('prefers the faster model once both are measured, exploring the unmeasured one first', async () => {
    const { token } = await env.project(['r-gpt', 'r-gpt2'], { routing: { policies: [{ type: 'performance', minSamples: 2 }] } });
    ctx.mock.enqueue({ kind: 'delay', ms: 120 }, { model: UPSTREAM['r-gpt'], times: Infinity });
    const served: string[] = [];
    for (let i = 0; i < 6; i++) served.push((await chat(token)).headers.get('x-routerly-model')!);
    // r-gpt first (pool order), then r-gpt2 until it has its samples, then the faster one only.
    expect(served).toEqual(['r-gpt', 'r-gpt', 'r-gpt2', 'r-gpt2', 'r-gpt2', 'r-gpt2']);
  });

  it('spreads calls across equally good models with fairness', async () => {
    const { token } = await env.project(['r-gpt', 'r-gpt2'], { routing: { policies: [{ type: 'fairness' }] } });
    const served: string[] = [];
    for (let i = 0; i < 4; i++) served.push((await chat(token)).headers.get('x-routerly-model')!);
    expect(served.filter((m) => m === 'r-gpt')).toHaveLength(2);
    expect(served.filter((m) => m === 'r-gpt2')).toHaveLength(2);
  });

  it('sends a request to the cheapest model by its pricing', async () => {
    const { token } = await env.project(['r-claude', 'r-gpt', 'r-gpt2'], { routing: { policies: [{ type: 'cheapest' }] } });
    expect((await chat(token)).headers.get('x-routerly-model')).toBe('r-gpt2');
  });

  it('excludes models that lack a capability the request uses, and says so in the trace', async () => {
    await ctx.admin.call('PUT', '/api/models/r-gpt2', { capabilities: { vision: false } });
    try {
      const { token } = await env.project(['r-gpt2', 'r-gpt']);
      const image = [{ role: 'user', content: [{ type: 'text', text: 'what is this' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } }] }];
      const withImage = await chat(token, { messages: image });
      expect(withImage.headers.get('x-routerly-model')).toBe('r-gpt');
      const records = await env.recordsOf(withImage.headers.get('x-routerly-request-id'));
      expect(records.at(-1).routing.excluded).toEqual([expect.objectContaining({ model: 'r-gpt2', policy: 'capability', reason: expect.stringMatching(/vision/) })]);
      // Without an image the first model is fine.
      expect((await chat(token)).headers.get('x-routerly-model')).toBe('r-gpt2');
    } finally {
      await ctx.admin.call('PUT', '/api/models/r-gpt2', { capabilities: {} });
    }
  });

  it('excludes models whose context window cannot hold the prompt and the output cap', async () => {
    await ctx.admin.call('PUT', '/api/models/r-gpt2', { contextWindow: 100 });
    try {
      const { token } = await env.project(['r-gpt2', 'r-gpt']);
      expect((await chat(token, { max_tokens: 20 })).headers.get('x-routerly-model')).toBe('r-gpt2');
      expect((await chat(token, { max_tokens: 500 })).headers.get('x-routerly-model')).toBe('r-gpt');
      const long = [{ role: 'user', content: 'word '.repeat(400) }];
      expect((await chat(token, { messages: long })).headers.get('x-routerly-model')).toBe('r-gpt');
    } finally {
      await ctx.admin.call('PUT', '/api/models/r-gpt2', { contextWindow: 1_000_000 });
    }
  });

  it('routes as the llm judge picks, metering the judge call as a record of its own', async () => {
    const { token } = await env.project(['r-gpt', 'r-gpt2'], { routing: { policies: [{ type: 'llm', model: 'r-judge' }] } });
    // The mock echoes the last user turn, and the judge's prompt carries it: this prompt dictates the pick.
    const response = await chat(token, { messages: [{ role: 'user', content: 'Pick {"model": "r-gpt2"} please' }] });
    expect(response.headers.get('x-routerly-model')).toBe('r-gpt2');
    const judgeCall = ctx.mock.requests.find((r) => r.body?.model === UPSTREAM['r-judge'])!;
    expect(judgeCall.rawBody).toContain('r-gpt');
    expect(judgeCall.rawBody).toContain('general chat');
    const records = await env.recordsOf(response.headers.get('x-routerly-request-id'));
    expect(records.map((r) => [r.endpoint, r.model])).toEqual([
      ['routing', 'r-judge'],
      ['/v1/chat/completions', 'r-gpt2'],
    ]);
    expect(records[0].costUsd).toBeGreaterThan(0);
    expect(records[1].routing.judge).toMatchObject({ model: 'r-judge', choice: 'r-gpt2', cached: false });

    // The same request again: the pick comes from the cache, with no second judge call.
    await chat(token, { messages: [{ role: 'user', content: 'Pick {"model": "r-gpt2"} please' }] });
    expect(env.callsTo('r-judge')).toBe(1);
  });

  it('does not ask the judge when only one model may be tried', async () => {
    const { token } = await env.project(['r-gpt'], { routing: { policies: [{ type: 'llm', model: 'r-judge' }] } });
    expect((await chat(token)).headers.get('x-routerly-model')).toBe('r-gpt');
    expect(env.callsTo('r-judge')).toBe(0);
  });

  it('goes on without the judge when it fails, never failing the call', async () => {
    const { token } = await env.project(['r-gpt', 'r-gpt2'], { routing: { policies: [{ type: 'llm', model: 'r-judge', timeoutMs: 300 }] } });
    ctx.mock.enqueue({ kind: 'error', status: 500 }, { model: UPSTREAM['r-judge'] });
    const failed = await chat(token, { messages: [{ role: 'user', content: 'judge fails {"model": "r-gpt2"}' }] });
    expect(failed.status).toBe(200);
    expect(failed.headers.get('x-routerly-model')).toBe('r-gpt');
    const records = await env.recordsOf(failed.headers.get('x-routerly-request-id'));
    expect(records.at(-1).routing.judge).toMatchObject({ model: 'r-judge', error: expect.stringMatching(/500/) });

    ctx.mock.enqueue({ kind: 'hang' }, { model: UPSTREAM['r-judge'] });
    const slow = await chat(token, { messages: [{ role: 'user', content: 'judge hangs {"model": "r-gpt2"}' }] });
    expect(slow.status).toBe(200);
    expect(slow.headers.get('x-routerly-model')).toBe('r-gpt');
  });

  it('routes an alias among its own models with its own routing, and lists aliases in /v1/models', async () => {
    const { token } = await env.project(['r-gpt', 'r-claude'], {
      aliases: { fast: { models: ['r-claude', 'r-gpt2'], routing: { policies: [{ type: 'cheapest' }] } } },
    });
    const response = await chat(token, { model: 'fast' });
    expect(response.headers.get('x-routerly-model')).toBe('r-gpt2');
    const list = await env.openai(token).models.list();
    expect(list.data.map((m) => m.id)).toEqual(['r-gpt', 'r-claude', 'fast']);
  });

  it('routes an unknown model name with a warning, or answers 404 when the project rejects unknown names', async () => {
    const { token } = await env.project(['r-gpt']);
    const routed = await chat(token, { model: 'gpt-4-turbo' });
    expect(routed.status).toBe(200);
    expect(routed.headers.get('x-routerly-warnings')).toContain('unknown-model:gpt-4-turbo');
    const strict = await env.project(['r-gpt'], { unknownModel: 'reject' });
    const refused = await env.post(strict.token, '/v1/messages', { model: 'gpt-4-turbo', max_tokens: 16, messages: hello });
    expect(refused.status).toBe(404);
    expect((await refused.json()).error.type).toBe('not_found_error');
  });

  it('previews a ranking without calling any provider', async () => {
    // performance abstains here (the stats were reset: nothing measured), so cheapest alone orders them.
    const { id } = await env.project(['r-claude', 'r-gpt', 'r-gpt2'], { routing: { policies: [{ type: 'cheapest', weight: 2 }, { type: 'performance' }] } });
    const preview = await ctx.admin.call('POST', `/api/projects/${id}/route-preview`, { body: { model: 'auto', messages: hello } });
    expect(preview.status).toBe(200);
    expect(preview.body.ranked.map((r: any) => r.model)).toEqual(['r-gpt2', 'r-gpt', 'r-claude']);
    expect(preview.body.ranked[0]).toMatchObject({ score: expect.any(Number), scores: { cheapest: 1 } });
    expect(preview.body.excluded).toEqual([]);
    expect(preview.body.abstained).toEqual(['performance']);
    expect(ctx.mock.requests).toHaveLength(0);
    const anthropic = await ctx.admin.call('POST', `/api/projects/${id}/route-preview`, {
      path: '/v1/messages',
      body: { model: 'r-claude', max_tokens: 10, messages: hello },
    });
    expect(anthropic.body.order[0]).toBe('r-claude');
    const bad = await ctx.admin.call('POST', `/api/projects/${id}/route-preview`, { body: { model: 'auto' } });
    expect(bad.status).toBe(400);
  });

  it('refuses routing that names a model the gateway does not have', async () => {
    const answer = await ctx.admin.call('POST', '/api/projects', { name: 'bad', models: ['r-gpt'], routing: { policies: [{ type: 'llm', model: 'nope' }] } });
    expect(answer.status).toBe(400);
    const typo = await ctx.admin.call('POST', '/api/projects', { name: 'bad', models: ['r-gpt'], routing: { policies: [{ type: 'cheapest', wieght: 2 }] } });
    expect(typo.status).toBe(400);
    const shadow = await ctx.admin.call('POST', '/api/projects', { name: 'bad', models: ['r-gpt'], aliases: { 'r-gpt': { models: ['r-gpt2'] } } });
    expect(shadow.status).toBe(400);
  });

  it('keeps a model that an alias or a judge still uses from being deleted', async () => {
    await ctx.admin.call('POST', '/api/models', { id: 'r-alias-only', provider: 'openai', baseUrl: ctx.mock.openaiBaseUrl, apiKey: 'sk-x' });
    const { id } = await env.project(['r-gpt'], { aliases: { spare: { models: ['r-alias-only'] } } });
    expect((await ctx.admin.call('DELETE', '/api/models/r-alias-only')).status).toBe(409);
    expect((await ctx.admin.call('PUT', `/api/projects/${id}`, { aliases: {} })).status).toBe(200);
    expect((await ctx.admin.call('DELETE', '/api/models/r-alias-only')).status).toBe(204);
  });

  it('exposes Prometheus metrics to the metrics token or an admin, parsed by a real text-format parser', async () => {
    const { token, id } = await env.project(['r-gpt', 'r-gpt2']);
    ctx.mock.enqueue({ kind: 'error', status: 503 }, { model: UPSTREAM['r-gpt'] });
    expect((await chat(token)).status).toBe(200);
    const metricsToken = 'metrics-token-0123456789abcdef';
    const set = await ctx.admin.call('PUT', '/api/settings', { metricsToken });
    expect(set.body).toMatchObject({ hasMetricsToken: true });
    expect(JSON.stringify(set.body)).not.toContain(metricsToken);

    expect((await fetch(`${ctx.gateway.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${ctx.gateway.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-123456789' } })).status).toBe(401);
    const scraped = await fetch(`${ctx.gateway.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await scraped.text();
    expect(text).not.toContain(token);
    const families = parsePrometheusTextFormat(text);
    const family = (name: string) => families.find((f) => f.name === name);
    const requests = family('routerly_requests_total')!;
    expect(requests.type).toBe('COUNTER');
    expect(requests.metrics).toContainEqual(expect.objectContaining({ labels: { project: id, model: 'r-gpt2', endpoint: '/v1/chat/completions', status: '200' }, value: '1' }));
    expect(family('routerly_fallbacks_total')!.metrics).toContainEqual(expect.objectContaining({ labels: { model: 'r-gpt', outcome: 'upstream_error' } }));
    expect(family('routerly_request_duration_seconds')!.type).toBe('HISTOGRAM');
    expect(family('routerly_tokens_total')!.metrics.length).toBeGreaterThan(0);
    expect(family('routerly_circuit_state')!.metrics).toContainEqual({ labels: { model: 'r-gpt' }, value: '0' });

    const asAdmin = await fetch(`${ctx.gateway.url}/metrics`, { headers: { authorization: `Bearer ${ctx.admin.token}` } });
    expect(asAdmin.status).toBe(200);
    await ctx.admin.call('PUT', '/api/settings', { metricsToken: null });
    expect((await fetch(`${ctx.gateway.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })).status).toBe(401);
  });
}
