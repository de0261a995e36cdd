// Micro-benchmark of the gateway's own bookkeeping per call: the routing decision, the budget
// reservation and the usage record, together (issue 12: at most 30 µs of CPU per call). Built
// from the core's real pieces as they ship (dist/, shipped.ts), in process, with no HTTP and no
// provider:
//
// - routing: the project's routing compiled (as each call does), the routing trace started,
//   rank() over a pool of three models with every policy but `llm` (the `routed` row's pool),
//   the ranking copied into the trace, and the model's live statistics begun and ended. The
//   request is the proxy's own (src/proxy/routing-request.ts) over the bench's parsed body, so
//   its features (prompt size, capabilities) are decoded from the body once per call, as the
//   gateway decodes them for the policies and the budget reservation;
// - budgets: Limits over the in-memory counters (src/counters/memory.ts), for a project with a
//   day budget (dollars and tokens) and rpm/tpm limits, a token with a month budget, models with
//   limits of their own: the call's admission and budget snapshot (begin), the attempt's
//   reservation (reserve), its settlement at the actual cost and the call's end;
// - usage: the usage record built as the proxy builds it (cost, routing trace), counted in the
//   metrics and queued on the UsageRecorder over the memory store (storage/memory.ts), its batch
//   appended and rolled up as the gateway does under load (rollup writes in the background).
//
//   npx tsx bench/core-micro.ts      (also run by npm run bench, before the load rows)
//   BENCH_CORE_ITERATIONS=20000
//
// The three together are timed once more with a 30-turn chat (about 18 KB) instead of the
// bench's one-line prompt: reported, with no target; decoding a prompt grows with its size.
//
// Each part is timed alone, and the three together, in batches of BATCH calls taken in turn: a batch's CPU
// time (process.cpuUsage(), which counts every thread of this process, GC included) divided by
// its calls is one sample; the median and p99 over the samples are reported. A batch ends by
// waiting for its usage records to be appended, like a batch window of the gateway under load.

import { pathToFileURL } from 'node:url';
import type { StoredModel, StoredProject, StoredToken } from '../src/config/schemas.js';
import type { ResolvedModel } from '../src/config/state.js';
import type { Logger } from '../src/deps.js';
import type { CallLimits } from '../src/limits/call-limits.js';
import type { RoutingTrace } from '../src/routing/trace.js';
import type { Candidate, PolicyEnv, RoutingRequest } from '../src/routing/types.js';
import type { UsageRecord } from '../src/usage/record.js';
import { shipped } from './shipped.js';
import { check, percentile, type Check } from './report.js';
import { EVERY_POLICY_BUT_LLM } from './routing-micro.js';

// The core's pieces as they ship (shipped.ts), as the load rows' gateways run them.
const { Routing } = await shipped<typeof import('../src/config/routing.js')>('src/config/routing.js');
const { DEFAULT_TIMEOUTS } = await shipped<typeof import('../src/config/state.js')>('src/config/state.js');
const { memoryCounters } = await shipped<typeof import('../src/counters/memory.js')>('src/counters/memory.js');
const { Limits } = await shipped<typeof import('../src/limits/call-limits.js')>('src/limits/call-limits.js');
const { GatewayMetrics } = await shipped<typeof import('../src/metrics/gateway-metrics.js')>('src/metrics/gateway-metrics.js');
const { providerEntry } = await shipped<typeof import('../src/providers/registry.js')>('src/providers/registry.js');
const { compileRouting } = await shipped<typeof import('../src/routing/compile.js')>('src/routing/compile.js');
const { rank } = await shipped<typeof import('../src/routing/engine.js')>('src/routing/engine.js');
const { ModelStatsTable } = await shipped<typeof import('../src/routing/stats.js')>('src/routing/stats.js');
const { newTrace, traceRanking } = await shipped<typeof import('../src/routing/trace.js')>('src/routing/trace.js');
const { ENDPOINTS } = await shipped<typeof import('../src/proxy/endpoints.js')>('src/proxy/endpoints.js');
const { routingRequest: proxyRoutingRequest } = await shipped<typeof import('../src/proxy/routing-request.js')>('src/proxy/routing-request.js');
const { costUsd } = await shipped<typeof import('../src/usage/cost.js')>('src/usage/cost.js');
const { recordTimestamp } = await shipped<typeof import('../src/usage/record.js')>('src/usage/record.js');
const { UsageRecorder } = await shipped<typeof import('../src/usage/recorder.js')>('src/usage/recorder.js');
const { createMemoryStore } = await shipped<typeof import('../storage/memory.js')>('storage/memory.js');

/** The target: the three together, CPU µs per call. */
export const CORE_TARGET_US = 30;
const BATCH = 50;
const WARMUP_CALLS = 5_000;

export interface PartResult {
  medianUs: number;
  p99Us: number;
  meanUs: number;
}

export interface CoreMicroResult {
  iterations: number;
  batch: number;
  candidates: number;
  /** Each part timed alone. */
  parts: { routing: PartResult; budgets: PartResult; usage: PartResult };
  /** The three together, in a call's order: admission, ranking, reservation, settlement and end, record. */
  total: PartResult;
  /** The same with a 30-turn chat of about 18 KB (`longPromptBytes`) for a prompt: reported, no target. */
  longPrompt: PartResult;
  longPromptBytes: number;
  targetUs: number;
  pass: boolean;
}

const silent: Logger = { info() {}, warn() {}, error() {} };

/** A Chat Completions body as the `routed` row sends it, parsed once (the handler parses it before routing). */
function chatBody(messages: Array<{ role: string; content: string }>): { text: string; parsed: Record<string, unknown> } {
  const text = JSON.stringify({ model: 'auto', messages });
  return { text, parsed: JSON.parse(text) as Record<string, unknown> };
}

/** The bench's prompt. */
const ONE_LINE = chatBody([{ role: 'user', content: 'Say hello to the benchmark, in a few words.' }]);

/** A conversation 30 turns in: a system prompt, then user and assistant turns of about 600 characters. */
const LONG_CHAT = chatBody([
  { role: 'system', content: 'You are a helpful assistant for the team. '.repeat(15) },
  ...Array.from({ length: 30 }, (_, i) => ({
    role: i % 2 === 0 ? 'user' : 'assistant',
    content: `Turn ${i}: some text of a working conversation, with names, numbers (12345) and a question or two. `.repeat(6),
  })),
]);

const CHAT_ENDPOINT = ENDPOINTS.find((endpoint) => endpoint.path === '/v1/chat/completions')!;
const NO_HEADERS = { get: () => null };

const USAGE = { inputTokens: 20, outputTokens: 12, cachedInputTokens: 0, cacheWriteTokens: 0 };

function pool(): ResolvedModel[] {
  const specs = [
    { id: 'bench-routed-mini', pricing: { input: 0.15, output: 0.6 }, thinking: false },
    { id: 'bench-routed-mid', pricing: { input: 1, output: 4 }, thinking: true },
    { id: 'bench-routed-large', pricing: { input: 2.5, output: 10 }, thinking: true },
  ];
  return specs.map(({ id, pricing, thinking }) => {
    const config: StoredModel = {
      id,
      provider: 'openai',
      pricing,
      contextWindow: 128_000,
      capabilities: { vision: true, tools: true, json: true, thinking },
      limits: { rpm: 100_000_000, tpm: 100_000_000_000 },
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    return { config, provider: providerEntry(config), baseUrl: 'http://127.0.0.1:1/v1', upstreamModel: id, apiKey: 'sk-x', timeouts: DEFAULT_TIMEOUTS };
  });
}

function setup() {
  const models = pool();
  const candidates: Candidate[] = models.map((model, order) => ({ model, order }));
  const token: StoredToken = {
    id: 'tok-bench',
    name: 'bench',
    hash: '0'.repeat(64),
    hint: 'rly_…bench',
    createdAt: '2026-01-01T00:00:00.000Z',
    budgets: [{ period: 'month', limitUsd: 1_000_000 }],
  };
  const project: StoredProject = {
    id: 'prj-bench',
    name: 'bench',
    models: models.map((m) => m.config.id),
    routing: Routing.parse({ policies: EVERY_POLICY_BUT_LLM, fallback: {}, retries: { max: 0 } }),
    budgets: [{ period: 'day', limitUsd: 1_000_000, limitTokens: 1_000_000_000_000 }],
    limits: { rpm: 1_000_000_000, tpm: 1_000_000_000_000 },
    tokens: [token],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
  const stats = new ModelStatsTable(Date.now);
  const limits = new Limits(memoryCounters(), undefined, silent, Date.now);
  const metrics = new GatewayMetrics(stats, Date.now);
  const recorder = new UsageRecorder(createMemoryStore(), silent, 0, { instanceId: 'bench', background: (work) => void work.catch(() => undefined) });
  return { models, candidates, project, token, stats, limits, metrics, recorder };
}

type Setup = ReturnType<typeof setup>;

/** The proxy's routing request for a call with `body`: its features decoded on first use, once per call. */
function routingRequest(body = ONE_LINE): RoutingRequest {
  return proxyRoutingRequest(CHAT_ENDPOINT, body.parsed, body.text, 'prj-bench', NO_HEADERS);
}

/** The routing decision: compile, trace, rank, the chosen model's statistics. Returns the model and the trace. */
function route(s: Setup, request: RoutingRequest, callLimits: Pick<CallLimits, 'budget' | 'modelMinute'>): { model: ResolvedModel; trace: RoutingTrace } {
  const routing = compileRouting(s.project.routing);
  const trace = newTrace('auto', 'auto', s.candidates.map((c) => c.model.config.id));
  const now = Date.now();
  const env: PolicyEnv = { now, stats: s.stats, budget: callLimits.budget, modelMinute: callLimits.modelMinute };
  const ranking = rank(s.candidates, request, env, routing.policies, silent);
  traceRanking(trace, ranking, []);
  const model = ranking.ranked[0]!.candidate.model;
  trace.attempts.push({ model: model.config.id, attempt: 1, status: 200, ms: 1 });
  s.stats.begin(model.config.id);
  s.stats.end(model.config.id, { ok: true, latencyMs: 1, tokens: USAGE.inputTokens + USAGE.outputTokens });
  return { model, trace };
}

/** The budgets and limits of one call: admission, the attempt's reservation, its settlement, the call's end. */
async function admit(s: Setup, request: RoutingRequest): Promise<CallLimits> {
  const begun = s.limits.begin(s.project, s.token, request, s.candidates, 'openai');
  return begun instanceof Promise ? await begun : begun;
}

async function reserveAndSettle(callLimits: CallLimits, model: ResolvedModel): Promise<unknown> {
  const reserved = callLimits.reserve(model);
  const admission = reserved instanceof Promise ? await reserved : reserved;
  if (!admission.ok) throw new Error(`the reservation was refused: ${admission.reason}`);
  const settled = admission.hold.settle(USAGE, true);
  callLimits.end(USAGE.inputTokens + USAGE.outputTokens);
  return settled.done;
}

let sequence = 0;

/** The usage record, as the proxy builds it, counted in the metrics and queued for the store. */
function record(s: Setup, model: ResolvedModel, trace: RoutingTrace): Promise<void> {
  const startedAt = Date.now();
  const entry: UsageRecord = {
    ts: recordTimestamp(startedAt),
    requestId: `req-${++sequence}`,
    projectId: s.project.id,
    tokenId: s.token.id,
    model: model.config.id,
    provider: model.config.provider,
    upstreamModel: model.upstreamModel,
    endpoint: '/v1/chat/completions',
    stream: false,
    status: 200,
    outcome: 'ok',
    attempt: 1,
    costUsd: costUsd(USAGE, model.config.pricing),
    latencyMs: Date.now() - startedAt,
    ttftMs: null,
    routing: trace,
    ...USAGE,
    usageReported: true,
  };
  s.metrics.recordUsage(entry, true);
  return s.recorder.record(entry);
}

/** What a call queued and does not wait for (its usage record's write), in a box so that awaiting the call does not wait for it. */
interface Queued {
  written?: Promise<void>;
}
type Call = (s: Setup) => Promise<Queued> | Queued;

/** Runs `call` in batches, each ended by waiting for what it queued; one CPU µs-per-call sample per batch. */
class Timed {
  readonly samples: number[] = [];

  constructor(
    private readonly s: Setup,
    private readonly call: Call,
  ) {}

  private async batch(): Promise<void> {
    let last: Queued = {};
    for (let i = 0; i < BATCH; i++) {
      const queued = this.call(this.s);
      last = queued instanceof Promise ? await queued : queued;
    }
    // The batch's records are appended once the recorder's window (0 here: the next macrotask) closes.
    await last.written;
  }

  async warm(): Promise<void> {
    for (let i = 0; i < WARMUP_CALLS / BATCH; i++) await this.batch();
  }

  async measure(batches: number): Promise<void> {
    for (let b = 0; b < batches; b++) {
      const before = process.cpuUsage();
      await this.batch();
      const used = process.cpuUsage(before);
      this.samples.push((used.user + used.system) / BATCH);
    }
  }

  result(): PartResult {
    const sorted = [...this.samples].sort((a, b) => a - b);
    return { medianUs: percentile(sorted, 50), p99Us: percentile(sorted, 99), meanUs: this.samples.reduce((a, b) => a + b, 0) / this.samples.length };
  }
}

/** The parts' batches are taken in turn, in this many rounds, so that drift on a busy machine spreads over all of them. */
const ROUNDS = 10;

export async function runCoreMicro(iterations = 20_000): Promise<CoreMicroResult> {
  const s = setup();
  const request = routingRequest();
  // Fixed inputs for the parts timed alone: one admission for routing, one ranking for the rest.
  const fixedLimits = await admit(s, request);
  const { model, trace } = route(s, request, fixedLimits);
  fixedLimits.end(0);

  // A fresh set of counters, stats, metrics and store for each part, so that none inherits the state another grew.
  const routing = new Timed(setup(), (s) => {
    route(s, routingRequest(), fixedLimits);
    return {};
  });
  const budgets = new Timed(setup(), async (s) => {
    const callLimits = await admit(s, routingRequest());
    await reserveAndSettle(callLimits, model);
    return {};
  });
  const usage = new Timed(setup(), (s) => ({ written: record(s, model, trace) }));
  // A call's order: admission (the budgets ranking reads), ranking, the reservation, its settlement and the call's end, the record.
  const together = (body: typeof ONE_LINE) =>
    new Timed(setup(), async (s) => {
      const call = routingRequest(body);
      const callLimits = await admit(s, call);
      const chosen = route(s, call, callLimits);
      await reserveAndSettle(callLimits, chosen.model);
      return { written: record(s, chosen.model, chosen.trace) };
    });
  const total = together(ONE_LINE);
  const longPrompt = together(LONG_CHAT);
  const all = [routing, budgets, usage, total, longPrompt];
  for (const part of all) await part.warm();
  const batches = Math.max(ROUNDS, Math.round(iterations / BATCH));
  for (let round = 0; round < ROUNDS; round++) {
    const share = Math.round((batches * (round + 1)) / ROUNDS) - Math.round((batches * round) / ROUNDS);
    for (const part of all) await part.measure(share);
  }
  const totalResult = total.result();
  return {
    iterations: batches * BATCH,
    batch: BATCH,
    candidates: s.candidates.length,
    parts: { routing: routing.result(), budgets: budgets.result(), usage: usage.result() },
    total: totalResult,
    longPrompt: longPrompt.result(),
    longPromptBytes: LONG_CHAT.text.length,
    targetUs: CORE_TARGET_US,
    pass: totalResult.medianUs <= CORE_TARGET_US,
  };
}

export function coreMicroCheck(result: CoreMicroResult): Check {
  return check('core-micro', 'routing decision + budget reservation + usage record, median CPU µs per call', result.total.medianUs, '<=', result.targetUs, ' µs');
}

const us = (value: number) => value.toFixed(2);

export function printCoreMicro(result: CoreMicroResult): void {
  const line = (name: string, part: PartResult) => `  ${name.padEnd(8)} median ${us(part.medianUs)} µs, p99 ${us(part.p99Us)} µs, mean ${us(part.meanUs)} µs CPU per call`;
  console.log(`${result.iterations} calls per part in batches of ${result.batch}, ${result.candidates} candidates, every policy but llm; budgets and limits on the project, the token and the models`);
  console.log(line('routing', result.parts.routing));
  console.log(line('budgets', result.parts.budgets));
  console.log(line('usage', result.parts.usage));
  console.log(line('total', result.total));
  console.log(`${line('total', result.longPrompt)}, with a 30-turn chat of ${(result.longPromptBytes / 1024).toFixed(1)} KiB (no target)`);
  console.log(`core        median CPU per call = ${us(result.total.medianUs)} µs (target <= ${result.targetUs} µs) ${result.pass ? 'PASS' : 'MISS'}`);
}

/** BENCH_CORE_ITERATIONS, default 20k. */
export function coreMicroIterations(): number {
  const value = Number(process.env.BENCH_CORE_ITERATIONS);
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : 20_000;
}

// Run on its own (npx tsx bench/core-micro.ts), not only through run.ts.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await runCoreMicro(coreMicroIterations());
  printCoreMicro(result);
  console.log(JSON.stringify(result));
}
