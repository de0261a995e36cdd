// Benchmark: what does the gateway cost compared with the least a proxy can cost? (issue 12)
// One run measures chat completions (non-streamed and streamed) sent straight to the mock
// provider, through a bare Node pass-through proxy, and through the Routerly gateway, at 16
// connections (throughput) and at one (unloaded latency, stream time to first byte), and reports
// throughput, latency, the latency each hop adds, the CPU time per call of every process, and the
// gateway-vs-bare ratios against the targets. The same rows run on Bun (the gateway from
// adapters/bun/main.ts, and a Bun bare proxy), judged against Node's bare proxy.
// Before the load, two micro-benchmarks: rank() alone (routing-micro.ts), and the routing
// decision, budget reservation and usage record of one call together (core-micro.ts). The
// `routed` row then measures ranking in place, against a project with full routing. The
// `durable` row is a second gateway process run with durable usage (ROUTERLY_DURABLE_USAGE=true):
// its ratios to the `gateway` row are what storing each record before the last byte costs.
// Then `redis-2-nodes` (redis-nodes.ts, issue 13): two Node gateways sharing a redis-server of
// their own, configured once through one of them, loaded at the `gateway` row's connections split
// between them, against the `gateway` row's process (one node on files) at the same connections,
// measured again in slices taken in turn with them: summed throughput, p50/p99, CPU per call of
// both nodes and of redis-server, and the throughput ratio to one node on files (reported, no target).
// After the rows, the bytes allocated per call by the bare proxy and the gateway (allocation.ts).
// Then the soak (soak.ts) runs a third gateway process through a long bounded run and
// reports its resident memory before and after. Last, `summary` (summary.ts) times
// GET /api/usage/summary over the rollups of a month of 10 million synthetic records.
//
//   npm run bench               (npm run build:lib, then npx tsx bench/run.ts)
// The Node gateways run as the Docker image and the npm package run them: compiled into dist/
// (server-process.ts). A dist/ older than the sources stops the run before it starts.
//   BENCH_SECONDS=5 BENCH_WARMUP_SECONDS=2 BENCH_CONCURRENCY=16 (the loaded rows)
//   BENCH_C1_SECONDS=3 BENCH_C1_WARMUP_SECONDS=1 (the one-connection rows)
//   BENCH_JIT_WARMUP_SECONDS=3 (per target and mode, once, before any row: see JIT_WARMUP_MS)
//   BENCH_BUN=0 (skips the Bun rows) BENCH_GATEWAY_BUDGETS=0 (the gateway's project without budgets)
//   BENCH_REDIS=0 (skips the two nodes on Redis; skipped too, with a note, without a redis-server binary)
//   BENCH_ROUTING_ITERATIONS=20000 BENCH_CORE_ITERATIONS=20000
//   BENCH_SOAK=0 (skips the soak) BENCH_SOAK_CALLS=200000 BENCH_SOAK_SECONDS=120 BENCH_SOAK_WARMUP_SECONDS=10
//   BENCH_SUMMARY=0 (skips the summary row) BENCH_ONLY=summary (runs it alone), and see summary.ts
//
// Everything listens on 127.0.0.1; every server is stopped at the end, and a watchdog ends a
// run that overstays its time. The last line of stdout is the results as one JSON object.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminClient, createModel, createProject } from '../test/support/gateway-client.js';
import { coreMicroIterations, coreMicroCheck, printCoreMicro, runCoreMicro } from './core-micro.js';
import { printGatewayMicro, runGatewayMicro } from './gateway-micro.js';
import { measureAllocation, printAllocation } from './allocation.js';
import { CpuMeter, selfCpuNs } from './cpu.js';
import { LoadSession, type LoadTarget } from './load.js';
import { BENCH_UPSTREAM_KEY, bunUnavailable, killAllServerProcesses, shippedBuildProblem, startBunProcess, startServerProcess, type ServerProcess } from './processes.js';
import { printRedisNodes, REDIS_TARGET, redisNodesBudgetMs, redisNodesJson, redisServerUnavailable, runRedisNodes, stopRedisServerNow } from './redis-nodes.js';
import {
  check,
  loadChecks,
  measure,
  modeRatios,
  printChecks,
  printRatios,
  printTable,
  withAddedLatency,
  type Check,
  type CpuTotals,
  type Measurement,
  type ModeName,
  type TargetName,
} from './report.js';
import { EVERY_POLICY_BUT_LLM, printRoutingMicro, routingMicroIterations, runRoutingMicro } from './routing-micro.js';
import { printSoak, runSoak, SOAK_MAX_GROWTH_PCT, type SoakResult } from './soak.js';
import { printSummaryBench, runSummaryBench, summaryJson, summaryOptionsFromEnv, SUMMARY_MAX_RSS_GROWTH_PCT, SUMMARY_TARGET_MEDIAN_MS } from './summary.js';

function envNumber(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** On unless the variable is 0, false or no. */
function envFlag(name: string): boolean {
  return !['0', 'false', 'no'].includes((process.env[name] ?? '').trim().toLowerCase());
}

const durationMs = envNumber('BENCH_SECONDS', 5) * 1000;
const warmupMs = envNumber('BENCH_WARMUP_SECONDS', 2) * 1000;
const concurrency = Math.floor(envNumber('BENCH_CONCURRENCY', 16));
/** The one-connection rows: short, since a request then takes a fraction of a millisecond. */
const c1DurationMs = envNumber('BENCH_C1_SECONDS', 3) * 1000;
const c1WarmupMs = envNumber('BENCH_C1_WARMUP_SECONDS', 1) * 1000;
/**
 * Before any row, every target runs this long in each mode at the loaded concurrency, uncounted.
 * A row's own warm-up (2 s) is not enough for V8 to finish compiling a process as large as the
 * gateway: `perf record` on its process put about 20 to 40% of its CPU in TurboFan's compiler over
 * its first 8 s of load, and 15% again for 4 s when the streamed rows began, against about 1% once
 * settled. That is start-up, not the cost of a call, and it fell on the first rows measured.
 */
const JIT_WARMUP_MS = envNumber('BENCH_JIT_WARMUP_SECONDS', 3) * 1000;
/** Whether a separate one-connection pass runs (not when the loaded rows are at one connection already). */
const c1Pass = concurrency !== 1;
const bunEnabled = envFlag('BENCH_BUN');
const redisEnabled = envFlag('BENCH_REDIS');
/** The targets hold "with routing, budgets and usage on": the gateway's project has budgets (never binding). */
const gatewayBudgets = envFlag('BENCH_GATEWAY_BUDGETS');
/** The soak runs unless BENCH_SOAK=0 (or false). */
const soakEnabled = envFlag('BENCH_SOAK');
const soakCalls = Math.floor(envNumber('BENCH_SOAK_CALLS', 200_000));
const soakMs = envNumber('BENCH_SOAK_SECONDS', 120) * 1000;
const soakWarmupMs = envNumber('BENCH_SOAK_WARMUP_SECONDS', 10) * 1000;
/** BENCH_ONLY=summary runs the usage summary benchmark alone; BENCH_SUMMARY=0 leaves it out of the full run. */
const summaryOnly = (process.env.BENCH_ONLY ?? '').trim().toLowerCase() === 'summary';
const summaryEnabled = summaryOnly || envFlag('BENCH_SUMMARY');
/** Synthesizing a month of rollups (tens of seconds), the gateway's start and the queries. */
const SUMMARY_BUDGET_MS = summaryEnabled ? 300_000 : 0;
/** The measured time of each target is cut into this many slices, run in turn across targets. */
const ROUNDS = 5;
/**
 * The one-connection rows' slices: more and shorter (200 ms of the default 3 s), so that a slow
 * spell of a shared machine, which lasts seconds, falls on every target of the pass, not on one.
 */
const C1_ROUNDS = 15;
/**
 * After each slice, before the CPU readings: the gateway's usage window (25 ms) closes and its
 * batch is written, so that the work a slice's calls cause is counted in that slice.
 */
const SETTLE_MS = 40;
const MODEL = 'bench-model';
/** A Claude model on the same mock: the `translated` row sends the same Chat Completions request to it. */
const TRANSLATED_MODEL = 'bench-claude';
/** Prices, so that the budgets have dollars to reserve and settle (no call comes near the limits). */
const PRICING = { input: 0.15, output: 0.6 };
const GATEWAY_BUDGETS = [{ period: 'day', limitUsd: 1_000_000, limitTokens: 1_000_000_000_000 }];
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

/** Loaded rows: direct, bare, gateway, translated, routed, durable, and bun-bare and bun-gateway; one-connection rows: direct, bare, gateway and the Bun two. */
const LOADED_TARGETS = bunEnabled ? 8 : 6;
const C1_TARGETS = c1Pass ? (bunEnabled ? 5 : 3) : 0;
/** The soak's bound, warm-up, start-up, configuration and quiet pauses (well under 30 s together). */
const SOAK_BUDGET_MS = soakEnabled ? soakMs + soakWarmupMs + 30_000 : 0;
/** Both micro-benchmarks (a few seconds each), the servers' start-up and configuration, the allocation pass, and shutdown. */
const FIXED_BUDGET_MS = 30_000 + 30_000 + 30_000 + 60_000;
const REDIS_BUDGET_MS = redisEnabled ? redisNodesBudgetMs({ warmupMs, durationMs, rounds: ROUNDS, settleMs: SETTLE_MS }) : 0;
const ROWS_MS = REDIS_BUDGET_MS + 2 * (LOADED_TARGETS * (JIT_WARMUP_MS + durationMs + warmupMs + ROUNDS * SETTLE_MS) + C1_TARGETS * (c1DurationMs + c1WarmupMs + C1_ROUNDS * SETTLE_MS));
// Past twice all of that something is stuck.
const WATCHDOG_MS = 2 * (ROWS_MS + FIXED_BUDGET_MS + SOAK_BUDGET_MS + SUMMARY_BUDGET_MS);
const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${WATCHDOG_MS} ms, giving up`);
  killAllServerProcesses();
  stopRedisServerNow();
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
  await createModel(admin, { id: MODEL, provider: 'openai', baseUrl: `${mockUrl}/v1`, apiKey: BENCH_UPSTREAM_KEY, pricing: PRICING });
  await createModel(admin, { id: TRANSLATED_MODEL, provider: 'anthropic', baseUrl: mockUrl, apiKey: BENCH_UPSTREAM_KEY, pricing: PRICING });
  for (const model of ROUTED_MODELS) {
    await createModel(admin, { ...model, provider: 'openai', baseUrl: `${mockUrl}/v1`, apiKey: BENCH_UPSTREAM_KEY, contextWindow: 128_000, limits: ROUTED_LIMITS });
  }
  const project = await createProject(admin, 'bench', [MODEL, TRANSLATED_MODEL], gatewayBudgets ? { budgets: GATEWAY_BUDGETS } : {});
  const routed = await createProject(admin, 'bench-routed', ROUTED_MODELS.map((model) => model.id), { routing: ROUTED_ROUTING });
  return { plain: project.token, routed: routed.token };
}

/** One request per target before measuring, so that a misconfiguration fails loudly and early. */
type TargetSpec = Omit<LoadTarget, 'body' | 'streamed'> & {
  model?: string;
  /** The server process between the client and the mock, whose CPU time is the row's; none for `direct`. */
  hop?: ServerProcess;
};

async function checkTarget(name: TargetName | typeof REDIS_TARGET, target: TargetSpec): Promise<void> {
  for (const mode of ['non-stream', 'stream'] as const) {
    const response = await fetch(target.url, {
      method: 'POST',
      headers: { ...target.headers, 'content-type': 'application/json' },
      body: requestBody(mode, target.model),
    });
    const text = await response.text();
    if (!response.ok || !text.includes(mode === 'stream' ? '[DONE]' : 'echo: ')) throw new Error(`${name} target answered ${response.status} (${mode}): ${text.slice(0, 300)}`);
  }
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The `gateway` row's target and process, for redis-nodes.ts to measure in turn with the nodes. */
function gatewayTarget(targets: Array<[TargetName, TargetSpec]>) {
  const [, { url, headers, hop }] = targets.find(([name]) => name === 'gateway')!;
  return { url, headers, pid: hop!.pid };
}

/** A load of `target`'s calls in `mode` at `connections`. */
function loadSession({ url, headers, model }: TargetSpec, mode: ModeName, connections: number): LoadSession {
  return new LoadSession({ url, headers, body: requestBody(mode, model), streamed: mode === 'stream' }, connections);
}

/** Every target in both modes for JIT_WARMUP_MS each, uncounted: the processes' code compiled before any row. */
async function warmUpCompilers(targets: Array<[TargetName, TargetSpec]>, connections: number): Promise<void> {
  console.log(`compiler warm-up: every target ${JIT_WARMUP_MS / 1000} s in each mode at ${connections} connections, not measured`);
  for (const mode of ['non-stream', 'stream'] as const) {
    for (const [, target] of targets) {
      const session = loadSession(target, mode, connections);
      await session.run(JIT_WARMUP_MS, false);
      session.close();
    }
  }
  await sleep(SETTLE_MS);
}

/**
 * Measures `targets` in both modes at `connections`: each target warms up, then the measured
 * time is run in `rounds` slices taken in turn across targets. Around each slice the CPU time of
 * the target's server process, of the mock and of this process is read; the row's CPU per call
 * is their sums over its slices divided by the requests that finished in them.
 */
async function measureRows(targets: Array<[TargetName, TargetSpec]>, connections: number, rowWarmupMs: number, rowMs: number, rounds: number, mockMeter: CpuMeter) {
  const rows = [];
  const meters = new Map<ServerProcess, CpuMeter>();
  for (const [, { hop }] of targets) if (hop && !meters.has(hop)) meters.set(hop, new CpuMeter(hop.pid));
  console.log(`${connections} connection${connections === 1 ? '' : 's'}, warmup ${rowWarmupMs / 1000} s, measured ${rowMs / 1000} s per row in ${rounds} interleaved slices`);
  for (const mode of ['non-stream', 'stream'] as const) {
    const sessions = targets.map(([name, target]) => ({
      name,
      hop: target.hop,
      session: loadSession(target, mode, connections),
      cpu: { ...(target.hop ? { hopProcess: target.hop.kind } : {}), hopNs: 0, mockNs: 0, clientNs: 0, requests: 0 } as CpuTotals,
    }));
    for (const { session } of sessions) await session.run(rowWarmupMs, false);
    await sleep(SETTLE_MS);
    for (let round = 0; round < rounds; round++) {
      for (const { session, hop, cpu } of sessions) {
        const meter = hop ? meters.get(hop) : undefined;
        const before = { hop: meter?.readNs() ?? 0, mock: mockMeter.readNs(), client: selfCpuNs() };
        await session.run(rowMs / rounds, true);
        await sleep(SETTLE_MS);
        cpu.hopNs += (meter?.readNs() ?? 0) - before.hop;
        cpu.mockNs += mockMeter.readNs() - before.mock;
        cpu.clientNs += selfCpuNs() - before.client;
      }
    }
    for (const { name, session, cpu } of sessions) {
      const load = session.result();
      session.close();
      rows.push(measure(mode, name, connections, load, { ...cpu, requests: load.completed }));
      console.log(`  measured ${mode} / ${name} at ${connections}: ${load.requests} requests, ${load.errors} errors`);
    }
  }
  return rows;
}

async function main(): Promise<void> {
  // The Node gateways run the compiled build (server-process.ts): measuring stale code would say nothing of this tree.
  const stale = shippedBuildProblem();
  if (stale) throw new Error(`bench: ${stale}`);
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
  console.log('core: routing decision + budget reservation + usage record, in process');
  const coreMicro = await runCoreMicro(coreMicroIterations());
  printCoreMicro(coreMicro);
  console.log('');
  console.log('gateway: gateway.fetch in process, an upstream that answers at once (no sockets)');
  const gatewayMicro = await runGatewayMicro();
  printGatewayMicro(gatewayMicro);
  console.log('');
  const home = await mkdtemp(join(tmpdir(), 'routerly-bench-'));
  try {
    const mock = await startServerProcess('mock');
    servers.push(mock);
    const mockMeter = new CpuMeter(mock.pid);
    const bare = await startServerProcess('bare', mock.url);
    servers.push(bare);
    const upstreamHeaders = { authorization: `Bearer ${BENCH_UPSTREAM_KEY}` };
    const targets: Array<[TargetName, TargetSpec]> = [
      ['direct', { url: `${mock.url}/v1/chat/completions`, headers: upstreamHeaders }],
      ['bare', { url: `${bare.url}/v1/chat/completions`, headers: upstreamHeaders, hop: bare }],
    ];

    let gatewaySkipped: string | undefined;
    try {
      const gateway = await startServerProcess('gateway', join(home, 'gateway'));
      servers.push(gateway);
      const keys = await configureGateway(gateway.url, mock.url);
      const gatewayHeaders = { authorization: `Bearer ${keys.plain}` };
      targets.push(['gateway', { url: `${gateway.url}/v1/chat/completions`, headers: gatewayHeaders, hop: gateway }]);
      targets.push(['translated', { url: `${gateway.url}/v1/chat/completions`, headers: gatewayHeaders, model: TRANSLATED_MODEL, hop: gateway }]);
      targets.push(['routed', { url: `${gateway.url}/v1/chat/completions`, headers: { authorization: `Bearer ${keys.routed}` }, model: 'auto', hop: gateway }]);
      // The same gateway with durable usage, in a process (and a home) of its own.
      const durable = await startServerProcess('gateway', join(home, 'durable'), 'durable');
      servers.push(durable);
      const durableKeys = await configureGateway(durable.url, mock.url);
      targets.push(['durable', { url: `${durable.url}/v1/chat/completions`, headers: { authorization: `Bearer ${durableKeys.plain}` }, hop: durable }]);
    } catch (error) {
      gatewaySkipped = error instanceof Error ? error.message : String(error);
      console.log(`gateway: skipped (${gatewaySkipped.split('\n')[0]})`);
    }

    let bunSkipped: string | undefined = bunEnabled ? bunUnavailable() : 'BENCH_BUN=0';
    if (bunSkipped === undefined) {
      try {
        const bunBare = await startBunProcess('bun-bare', mock.url);
        servers.push(bunBare);
        targets.push(['bun-bare', { url: `${bunBare.url}/v1/chat/completions`, headers: upstreamHeaders, hop: bunBare }]);
        if (gatewaySkipped === undefined) {
          const bunGateway = await startBunProcess('bun-gateway', join(home, 'bun-gateway'));
          servers.push(bunGateway);
          const bunKeys = await configureGateway(bunGateway.url, mock.url);
          targets.push(['bun-gateway', { url: `${bunGateway.url}/v1/chat/completions`, headers: { authorization: `Bearer ${bunKeys.plain}` }, hop: bunGateway }]);
        }
      } catch (error) {
        bunSkipped = error instanceof Error ? error.message : String(error);
      }
    }
    if (bunSkipped !== undefined) console.log(`bun: skipped (${bunSkipped.split('\n')[0]})`);

    for (const [name, target] of targets) await checkTarget(name, target);
    const cpuSource = new CpuMeter(mock.pid).source;
    console.log(`cpu time per process read from ${cpuSource === 'schedstat' ? '/proc/<pid>/task/*/schedstat (ns)' : cpuSource === 'stat' ? '/proc/<pid>/stat (clock ticks)' : 'nowhere: not on Linux, no CPU figures'}`);

    await warmUpCompilers(targets, concurrency);
    const rows = await measureRows(targets, concurrency, warmupMs, durationMs, ROUNDS, mockMeter);
    if (c1Pass) {
      const unloaded = new Set<TargetName>(['direct', 'bare', 'gateway', 'bun-bare', 'bun-gateway']);
      rows.push(...(await measureRows(targets.filter(([name]) => unloaded.has(name)), 1, c1WarmupMs, c1DurationMs, C1_ROUNDS, mockMeter)));
    }
    const measurements: Measurement[] = withAddedLatency(rows);
    const ratios = modeRatios(measurements, concurrency);
    const checks: Check[] = [...loadChecks(measurements, concurrency)];
    checks.push(check('rank-micro', `rank() of ${routingMicro.candidates} candidates, median µs per call`, routingMicro.medianUs, '<=', routingMicro.targetUs, ' µs'));
    checks.push(coreMicroCheck(coreMicro));
    console.log('');
    printTable(measurements);
    console.log('');
    printRatios(ratios, measurements);

    // Two nodes on one Redis against the one node on files, at the same load (redis-nodes.ts).
    console.log('');
    const redisSkipped = !redisEnabled ? 'BENCH_REDIS=0' : gatewaySkipped !== undefined ? 'no gateway' : redisServerUnavailable();
    const redis =
      redisSkipped !== undefined
        ? { skipped: redisSkipped }
        : await runRedisNodes({
            concurrency,
            warmupMs,
            durationMs,
            rounds: ROUNDS,
            settleMs: SETTLE_MS,
            configure: async (url) => (await configureGateway(url, mock.url)).plain,
            body: (mode) => requestBody(mode),
            check: (url, headers) => checkTarget(REDIS_TARGET, { url, headers }),
            gateway: gatewayTarget(targets),
          });
    printRedisNodes(redis);

    // Allocation per call, on the Node servers between the client and the mock.
    console.log('');
    const allocationTargets = targets.flatMap(([name, { model, hop, ...target }]) =>
      hop && (name === 'bare' || name === 'gateway' || name === 'translated')
        ? [{ name, hop, target: (mode: ModeName) => ({ ...target, body: requestBody(mode, model), streamed: mode === 'stream' }) }]
        : [],
    );
    const allocation = await measureAllocation(allocationTargets, concurrency);
    printAllocation(allocation);

    let soak: SoakResult | undefined;
    let soakSkipped: string | undefined = soakEnabled ? undefined : 'BENCH_SOAK=0';
    if (soakEnabled && gatewaySkipped !== undefined) soakSkipped = 'no gateway';
    if (soakSkipped === undefined) {
      console.log('');
      console.log(`soak: a gateway of its own, up to ${soakCalls} calls or ${soakMs / 1000} s after a ${soakWarmupMs / 1000} s warm-up, concurrency ${concurrency}`);
      soak = await soakRun(join(home, 'soak'), mock.url);
      printSoak(soak, soakCalls, soakMs / 1000);
      checks.push(check('soak.rss-growth', `soak: gateway RSS growth over ${soak.calls} calls, %`, soak.rssGrowthPct, '<', SOAK_MAX_GROWTH_PCT, '%'));
    } else {
      console.log(`soak: skipped (${soakSkipped})`);
    }
    console.log('');
    const summary = summaryEnabled ? await runSummaryBench(summaryOptionsFromEnv()) : undefined;
    if (summary) {
      printSummaryBench(summary);
      for (const row of summary.results) {
        if (row.target) checks.push(check(`summary.${row.name}`, `usage summary by ${row.name}, median ms`, row.medianMs, '<', SUMMARY_TARGET_MEDIAN_MS, ' ms'));
      }
      checks.push(check('summary.rss-growth', 'usage summary: gateway RSS growth over the queries, %', summary.rssGrowthPct, '<', SUMMARY_MAX_RSS_GROWTH_PCT, '%'));
    } else console.log('summary: skipped (BENCH_SUMMARY=0)');

    console.log('');
    console.log('verdicts (issue 12 targets; parenthesised: reported, not held to them)');
    printChecks(checks);
    const round = (value: number) => (Number.isFinite(value) ? Math.round(value * 1000) / 1000 : null);
    const roundAll = <T extends object>(object: T) =>
      Object.fromEntries(Object.entries(object).map(([key, value]) => [key, typeof value === 'number' ? round(value) : value]));
    console.log(
      JSON.stringify({
        concurrency,
        warmupSeconds: warmupMs / 1000,
        durationSeconds: durationMs / 1000,
        c1WarmupSeconds: c1Pass ? c1WarmupMs / 1000 : null,
        c1DurationSeconds: c1Pass ? c1DurationMs / 1000 : null,
        gatewayBudgets,
        cpuSource,
        gatewaySkipped: gatewaySkipped ?? null,
        bunSkipped: bunSkipped ?? null,
        verdicts: checks.map(roundAll),
        pass: checks.filter((c) => c.required).every((c) => c.pass),
        rows: measurements.map(({ errorSamples: _samples, cpu, ...row }) => ({
          ...roundAll(row),
          ttfbP50Ms: row.mode === 'stream' ? round(row.ttfbP50Ms) : null,
          hopProcess: cpu.hop?.process ?? null,
          hopCpuUsPerCall: cpu.hop ? round(cpu.hop.us) : null,
          mockCpuUsPerCall: round(cpu.mockUs),
          clientCpuUsPerCall: round(cpu.clientUs),
        })),
        ratios: ratios.map(roundAll),
        redis: redisNodesJson(redis),
        allocation: allocation.map(roundAll),
        soak: soak ? { ...roundAll(soak), requestedCalls: soakCalls, maxSeconds: soakMs / 1000 } : { skipped: soakSkipped },
        summary: summary ? summaryJson(summary) : { skipped: 'BENCH_SUMMARY=0' },
        routingMicro: roundAll(routingMicro),
        coreMicro,
        gatewayMicro: gatewayMicro.map(roundAll),
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
    stopRedisServerNow();
    process.exit(1);
  },
);
