// Benchmark: what does the gateway cost compared with the least a proxy can cost?
// One run measures chat completions (non-streamed and streamed) sent straight to the mock
// provider, through a bare Node pass-through proxy, and through the Routerly gateway, then
// reports throughput, latency, the latency each hop adds, and the gateway-vs-bare ratios.
// Before the load, a micro-benchmark times the routing engine's rank() alone (routing-micro.ts);
// the `routed` row then measures ranking in place, against a project with full routing. The
// `durable` row is a second gateway process run with durable usage (ROUTERLY_DURABLE_USAGE=true):
// its ratios to the `gateway` row are what storing each record before the last byte costs.
// Then the soak (soak.ts) runs a third gateway process through a long bounded run and
// reports its resident memory before and after. Last, `summary` (summary.ts) times
// GET /api/usage/summary over the rollups of a month of 10 million synthetic records.
//
//   npx tsx bench/run.ts        (npm run bench)
//   BENCH_SECONDS=5 BENCH_WARMUP_SECONDS=2 BENCH_CONCURRENCY=16 BENCH_ROUTING_ITERATIONS=20000
//   BENCH_SOAK=0 (skips the soak) BENCH_SOAK_CALLS=200000 BENCH_SOAK_SECONDS=120 BENCH_SOAK_WARMUP_SECONDS=10
//   BENCH_SUMMARY=0 (skips the summary row) BENCH_ONLY=summary (runs it alone), and see summary.ts
//
// Everything listens on 127.0.0.1; every server is stopped at the end, and a watchdog ends a
// run that overstays its time. The last line of stdout is the results as one JSON object.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminClient, createModel, createProject } from '../test/support/gateway-client.js';
import { LoadSession, type LoadTarget } from './load.js';
import { BENCH_UPSTREAM_KEY, killAllServerProcesses, startServerProcess, type ServerProcess } from './processes.js';
import { measure, printTable, verdicts, withAddedLatency, type ModeName, type TargetName } from './report.js';
import { EVERY_POLICY_BUT_LLM, printRoutingMicro, routingMicroIterations, runRoutingMicro } from './routing-micro.js';
import { printSoak, runSoak, type SoakResult } from './soak.js';
import { printSummaryBench, runSummaryBench, summaryJson, summaryOptionsFromEnv } from './summary.js';

function envNumber(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const durationMs = envNumber('BENCH_SECONDS', 5) * 1000;
const warmupMs = envNumber('BENCH_WARMUP_SECONDS', 2) * 1000;
const concurrency = Math.floor(envNumber('BENCH_CONCURRENCY', 16));
/** The soak runs unless BENCH_SOAK=0 (or false). */
const soakEnabled = !['0', 'false', 'no'].includes((process.env.BENCH_SOAK ?? '').trim().toLowerCase());
const soakCalls = Math.floor(envNumber('BENCH_SOAK_CALLS', 200_000));
const soakMs = envNumber('BENCH_SOAK_SECONDS', 120) * 1000;
const soakWarmupMs = envNumber('BENCH_SOAK_WARMUP_SECONDS', 10) * 1000;
/** BENCH_ONLY=summary runs the usage summary benchmark alone; BENCH_SUMMARY=0 leaves it out of the full run. */
const summaryOnly = (process.env.BENCH_ONLY ?? '').trim().toLowerCase() === 'summary';
const summaryEnabled = summaryOnly || !['0', 'false', 'no'].includes((process.env.BENCH_SUMMARY ?? '').trim().toLowerCase());
/** Synthesizing a month of rollups (tens of seconds), the gateway's start and the queries. */
const SUMMARY_BUDGET_MS = summaryEnabled ? 300_000 : 0;
/** The measured time of each target is cut into this many slices, run in turn across targets. */
const ROUNDS = 5;
const MODEL = 'bench-model';
/** A Claude model on the same mock: the `translated` row sends the same Chat Completions request to it. */
const TRANSLATED_MODEL = 'bench-claude';
const PROMPT = 'Say hello to the benchmark, in a few words.';
/**
 * The `routed` row's pool: three models on the same mock, configured as a real pool would be
 * (prices, windows, capabilities, limits) so that every policy has data to read. The limits
 * are far above what the run can reach: a binding limit would exclude models, not measure ranking.
 */
const ROUTED_MODELS = [
  { id: 'bench-routed-mini', pricing: { input: 0.15, output: 0.6 }, capabilities: { vision: true, tools: true, json: true, thinking: false } },
  { id: 'bench-routed-mid', pricing: { input: 1, output: 4 }, capabilities: { vision: true, tools: true, json: true, thinking: true } },
  { id: 'bench-routed-large', pricing: { input: 2.5, output: 10 }, capabilities: { vision: true, tools: true, json: true, thinking: true } },
] as const;
const ROUTED_LIMITS = { rpm: 100_000_000, tpm: 100_000_000_000 };
const ROUTED_ROUTING = {
  policies: EVERY_POLICY_BUT_LLM,
  fallback: {},
  retries: { max: 0 },
};

/** direct, bare, gateway, translated, routed, durable: each measured in both modes. */
const ROWS = 6 * 2;
/** The soak's bound, warm-up, start-up, configuration and quiet pauses (well under 30 s together). */
const SOAK_BUDGET_MS = soakEnabled ? soakMs + soakWarmupMs + 30_000 : 0;
// Every row's warmup and measured time, start-up and shutdown, the rank() micro-benchmark
// (a few seconds) and the soak; past twice that something is stuck.
const WATCHDOG_MS = 2 * (ROWS * (durationMs + warmupMs) + 30_000 + 30_000 + SOAK_BUDGET_MS + SUMMARY_BUDGET_MS);
const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${WATCHDOG_MS} ms, giving up`);
  killAllServerProcesses();
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

function requestBody(mode: ModeName, model = MODEL): string {
  const body: Record<string, unknown> = { model, messages: [{ role: 'user', content: PROMPT }] };
  if (mode === 'stream') Object.assign(body, { stream: true, stream_options: { include_usage: true } });
  return JSON.stringify(body);
}

/** Sets the gateway up as a first-time user would, over its management API; returns the projects' keys. */
async function configureGateway(gatewayUrl: string, mockUrl: string): Promise<{ plain: string; routed: string }> {
  const admin = await adminClient(gatewayUrl, 'bench@example.com', 'bench password 1234');
  await createModel(admin, { id: MODEL, provider: 'openai', baseUrl: `${mockUrl}/v1`, apiKey: BENCH_UPSTREAM_KEY });
  await createModel(admin, { id: TRANSLATED_MODEL, provider: 'anthropic', baseUrl: mockUrl, apiKey: BENCH_UPSTREAM_KEY });
  for (const model of ROUTED_MODELS) {
    await createModel(admin, { ...model, provider: 'openai', baseUrl: `${mockUrl}/v1`, apiKey: BENCH_UPSTREAM_KEY, contextWindow: 128_000, limits: ROUTED_LIMITS });
  }
  const project = await createProject(admin, 'bench', [MODEL, TRANSLATED_MODEL]);
  const routed = await createProject(admin, 'bench-routed', ROUTED_MODELS.map((model) => model.id), { routing: ROUTED_ROUTING });
  return { plain: project.token, routed: routed.token };
}

/** One request per target before measuring, so that a misconfiguration fails loudly and early. */
type TargetSpec = Omit<LoadTarget, 'body' | 'streamed'> & { model?: string };

async function checkTarget(name: TargetName, target: TargetSpec): Promise<void> {
  const response = await fetch(target.url, {
    method: 'POST',
    headers: { ...target.headers, 'content-type': 'application/json' },
    body: requestBody('non-stream', target.model),
  });
  const text = await response.text();
  if (!response.ok || !text.includes('echo: ')) throw new Error(`${name} target answered ${response.status}: ${text.slice(0, 300)}`);
}

/**
 * The soak: a fresh gateway process, configured like the first, sent the `gateway` and
 * `translated` requests in both modes at once (a quarter of the connections each).
 */
async function soakRun(home: string, mockUrl: string): Promise<SoakResult> {
  const server = await startServerProcess('gateway', home);
  try {
    const keys = await configureGateway(server.url, mockUrl);
    const url = `${server.url}/v1/chat/completions`;
    const headers = { authorization: `Bearer ${keys.plain}` };
    await checkTarget('gateway', { url, headers, model: MODEL });
    await checkTarget('translated', { url, headers, model: TRANSLATED_MODEL });
    const targets = [MODEL, TRANSLATED_MODEL].flatMap((model) =>
      (['non-stream', 'stream'] as const).map((mode) => ({ url, headers, body: requestBody(mode, model), streamed: mode === 'stream' })),
    );
    return await runSoak(server, { targets, concurrency, maxCalls: soakCalls, maxMs: soakMs, warmupMs: soakWarmupMs });
  } finally {
    await server.stop();
    // Hundreds of megabytes of usage records: gone as soon as they are measured.
    await rm(home, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (summaryOnly) {
    const summary = await runSummaryBench(summaryOptionsFromEnv());
    printSummaryBench(summary);
    console.log(JSON.stringify({ summary: summaryJson(summary) }));
    return;
  }
  const servers: ServerProcess[] = [];
  // First, while no server is running to compete for the CPU.
  console.log('routing: rank() micro-benchmark');
  const routingMicro = runRoutingMicro(routingMicroIterations());
  printRoutingMicro(routingMicro);
  console.log('');
  const home = await mkdtemp(join(tmpdir(), 'routerly-bench-'));
  try {
    const mock = await startServerProcess('mock');
    servers.push(mock);
    const bare = await startServerProcess('bare', mock.url);
    servers.push(bare);
    const upstreamHeaders = { authorization: `Bearer ${BENCH_UPSTREAM_KEY}` };
    const targets: Array<[TargetName, TargetSpec]> = [
      ['direct', { url: `${mock.url}/v1/chat/completions`, headers: upstreamHeaders }],
      ['bare', { url: `${bare.url}/v1/chat/completions`, headers: upstreamHeaders }],
    ];

    let gatewaySkipped: string | undefined;
    try {
      const gateway = await startServerProcess('gateway', join(home, 'gateway'));
      servers.push(gateway);
      const keys = await configureGateway(gateway.url, mock.url);
      const gatewayHeaders = { authorization: `Bearer ${keys.plain}` };
      targets.push(['gateway', { url: `${gateway.url}/v1/chat/completions`, headers: gatewayHeaders }]);
      targets.push(['translated', { url: `${gateway.url}/v1/chat/completions`, headers: gatewayHeaders, model: TRANSLATED_MODEL }]);
      targets.push(['routed', { url: `${gateway.url}/v1/chat/completions`, headers: { authorization: `Bearer ${keys.routed}` }, model: 'auto' }]);
      // The same gateway with durable usage, in a process (and a home) of its own.
      const durable = await startServerProcess('gateway', join(home, 'durable'), 'durable');
      servers.push(durable);
      const durableKeys = await configureGateway(durable.url, mock.url);
      targets.push(['durable', { url: `${durable.url}/v1/chat/completions`, headers: { authorization: `Bearer ${durableKeys.plain}` } }]);
    } catch (error) {
      gatewaySkipped = error instanceof Error ? error.message : String(error);
      console.log(`gateway: skipped (${gatewaySkipped.split('\n')[0]})`);
    }

    for (const [name, target] of targets) await checkTarget(name, target);

    console.log(`concurrency ${concurrency}, warmup ${warmupMs / 1000} s, measured ${durationMs / 1000} s per row in ${ROUNDS} interleaved slices`);
    const rows = [];
    for (const mode of ['non-stream', 'stream'] as const) {
      const sessions = targets.map(([name, { model, ...target }]) => ({
        name,
        session: new LoadSession({ ...target, body: requestBody(mode, model), streamed: mode === 'stream' }, concurrency),
      }));
      for (const { session } of sessions) await session.run(warmupMs, false);
      for (let round = 0; round < ROUNDS; round++) {
        for (const { session } of sessions) await session.run(durationMs / ROUNDS, true);
      }
      for (const { name, session } of sessions) {
        const load = session.result();
        session.close();
        rows.push(measure(mode, name, load));
        console.log(`  measured ${mode} / ${name}: ${load.requests} requests, ${load.errors} errors`);
      }
    }
    const measurements = withAddedLatency(rows);
    const results = verdicts(measurements);
    console.log('');
    printTable(measurements, results);

    let soak: SoakResult | undefined;
    let soakSkipped: string | undefined = soakEnabled ? undefined : 'BENCH_SOAK=0';
    if (soakEnabled && gatewaySkipped !== undefined) soakSkipped = 'no gateway';
    if (soakSkipped === undefined) {
      console.log('');
      console.log(`soak: a gateway of its own, up to ${soakCalls} calls or ${soakMs / 1000} s after a ${soakWarmupMs / 1000} s warm-up, concurrency ${concurrency}`);
      soak = await soakRun(join(home, 'soak'), mock.url);
      printSoak(soak, soakCalls, soakMs / 1000);
    } else {
      console.log(`soak: skipped (${soakSkipped})`);
    }
    console.log('');
    const summary = summaryEnabled ? await runSummaryBench(summaryOptionsFromEnv()) : undefined;
    if (summary) printSummaryBench(summary);
    else console.log('summary: skipped (BENCH_SUMMARY=0)');
    const round = (value: number) => (Number.isFinite(value) ? Math.round(value * 1000) / 1000 : null);
    console.log(
      JSON.stringify({
        concurrency,
        warmupSeconds: warmupMs / 1000,
        durationSeconds: durationMs / 1000,
        gatewaySkipped: gatewaySkipped ?? null,
        rows: measurements.map(({ errorSamples: _samples, ...row }) => ({
          ...row,
          rps: round(row.rps),
          p50Ms: round(row.p50Ms),
          p99Ms: round(row.p99Ms),
          addedP50Ms: round(row.addedP50Ms),
          addedP99Ms: round(row.addedP99Ms),
        })),
        verdicts: results.map((verdict) => ({
          ...verdict,
          throughputRatio: round(verdict.throughputRatio),
          addedLatencyRatio: round(verdict.addedLatencyRatio),
          translatedThroughputRatio: round(verdict.translatedThroughputRatio),
          routedThroughputRatio: round(verdict.routedThroughputRatio),
          durableThroughputRatio: round(verdict.durableThroughputRatio),
          durableAddedP50Ms: round(verdict.durableAddedP50Ms),
          durableAddedP99Ms: round(verdict.durableAddedP99Ms),
        })),
        durable: results.map((verdict) => ({
          mode: verdict.mode,
          throughputRatio: round(verdict.durableThroughputRatio),
          addedP50Ms: round(verdict.durableAddedP50Ms),
          addedP99Ms: round(verdict.durableAddedP99Ms),
        })),
        soak: soak
          ? {
              ...soak,
              requestedCalls: soakCalls,
              maxSeconds: soakMs / 1000,
              seconds: round(soak.seconds),
              rps: round(soak.rps),
              p50Ms: round(soak.p50Ms),
              p99Ms: round(soak.p99Ms),
              rssGrowthPct: round(soak.rssGrowthPct),
              heapGrowthPct: round(soak.heapGrowthPct),
            }
          : { skipped: soakSkipped },
        summary: summary ? summaryJson(summary) : { skipped: 'BENCH_SUMMARY=0' },
        routingMicro: {
          ...routingMicro,
          medianUs: round(routingMicro.medianUs),
          p99Us: round(routingMicro.p99Us),
          meanUs: round(routingMicro.meanUs),
        },
      }),
    );
  } finally {
    await Promise.all(servers.reverse().map((server) => server.stop()));
    await rm(home, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('bench failed:', error);
    killAllServerProcesses();
    process.exit(1);
  },
);
