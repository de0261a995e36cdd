// Benchmark: what does the gateway cost compared with the least a proxy can cost?
// One run measures chat completions (non-streamed and streamed) sent straight to the mock
// provider, through a bare Node pass-through proxy, and through the Routerly gateway, then
// reports throughput, latency, the latency each hop adds, and the gateway-vs-bare ratios.
//
//   npx tsx bench/run.ts        (npm run bench)
//   BENCH_SECONDS=5 BENCH_WARMUP_SECONDS=2 BENCH_CONCURRENCY=16
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

function envNumber(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const durationMs = envNumber('BENCH_SECONDS', 5) * 1000;
const warmupMs = envNumber('BENCH_WARMUP_SECONDS', 2) * 1000;
const concurrency = Math.floor(envNumber('BENCH_CONCURRENCY', 16));
/** The measured time of each target is cut into this many slices, run in turn across targets. */
const ROUNDS = 5;
const MODEL = 'bench-model';
/** A Claude model on the same mock: the `translated` row sends the same Chat Completions request to it. */
const TRANSLATED_MODEL = 'bench-claude';
const PROMPT = 'Say hello to the benchmark, in a few words.';

// 4 targets x 2 modes, plus start-up and shutdown; past twice that something is stuck.
const WATCHDOG_MS = 2 * (6 * (durationMs + warmupMs) + 30_000);
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

/** Sets the gateway up as a first-time user would, over its management API; returns the project key. */
async function configureGateway(gatewayUrl: string, mockUrl: string): Promise<string> {
  const admin = await adminClient(gatewayUrl, 'bench@example.com', 'bench password 1234');
  await createModel(admin, { id: MODEL, provider: 'openai', baseUrl: `${mockUrl}/v1`, apiKey: BENCH_UPSTREAM_KEY });
  await createModel(admin, { id: TRANSLATED_MODEL, provider: 'anthropic', baseUrl: mockUrl, apiKey: BENCH_UPSTREAM_KEY });
  const project = await createProject(admin, 'bench', [MODEL, TRANSLATED_MODEL]);
  return project.token;
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

async function main(): Promise<void> {
  const servers: ServerProcess[] = [];
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
      const gateway = await startServerProcess('gateway', home);
      servers.push(gateway);
      const projectKey = await configureGateway(gateway.url, mock.url);
      const gatewayHeaders = { authorization: `Bearer ${projectKey}` };
      targets.push(['gateway', { url: `${gateway.url}/v1/chat/completions`, headers: gatewayHeaders }]);
      targets.push(['translated', { url: `${gateway.url}/v1/chat/completions`, headers: gatewayHeaders, model: TRANSLATED_MODEL }]);
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
        })),
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
