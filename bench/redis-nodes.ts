// The `redis-2-nodes` row (issue 13): two Node gateways sharing one redis-server, as two nodes
// behind a load balancer run, against the one file-backed `gateway` row at the same load.
//
// A redis-server of its own (test/support/redis-server.ts) and two `gateway-redis` processes
// (server-process.ts) on it, with the same ROUTERLY_SECRET and prefix. One node is configured
// through its management API as the `gateway` row's process was; the other must then serve the
// project's token (config reaches it by pub/sub). The row's connections are the `gateway` row's,
// split between the nodes (half each), both halves loaded at once. Its figures: the summed
// throughput, the latency of every call of both, and the CPU per call of both nodes together
// and of redis-server (which does work for every call: budgets, rate limits, usage), against
// the `gateway` row's process (one node on files) sent the same calls at the same connections.
// That process is measured again here, in slices taken in turn with the nodes' as the other
// rows are: measured a minute apart on a shared machine, the two could differ by drift alone.
// Reported, not held to a target: the issue asks for the figures.

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { connectRedis, createRedisClient } from '../storage/redis/client.js';
import { startRedisServer, type RedisServer } from '../test/support/redis-server.js';
import { CpuMeter } from './cpu.js';
import { LoadSession } from './load.js';
import { startServerProcess, type ServerProcess } from './processes.js';
import { percentile, type Measurement, type ModeName } from './report.js';

export const REDIS_TARGET = 'redis-2-nodes';
const NODES = 2;
/** Every node gets it (ROUTERLY_REDIS_PREFIX): the redis-server is the run's own, so any prefix would do. */
const PREFIX = 'routerly-bench:';
/** Config changes reach the other node by pub/sub at once; a second is the nodes' own backstop re-read. */
const SEEN_WITHIN_MS = 5_000;

export interface RedisNodesOptions {
  /** The `gateway` row's connections: split between the nodes. */
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** Slices of the measured time, with `settleMs` after each before the CPU readings, as the other rows. */
  rounds: number;
  settleMs: number;
  /** Sets a node up as the `gateway` row's process was (run.ts's configureGateway); returns its project's token. */
  configure(url: string): Promise<string>;
  /** The `gateway` row's request body in `mode`. */
  body(mode: ModeName): string;
  /** One call in each mode through `url`, throwing on a misconfiguration (run.ts's checkTarget). */
  check(url: string, headers: Record<string, string>): Promise<void>;
  /** The `gateway` row's target (one node on files) and its process, measured in turn with the nodes. */
  gateway: { url: string; headers: Record<string, string>; pid: number };
}

/** A row's load figures (as a Measurement has them; rps: all connections together) and CPU figures. */
export interface RedisNodesFigures extends Pick<Measurement, 'requests' | 'errors' | 'errorSamples' | 'rps' | 'p50Ms' | 'p99Ms'> {
  /** CPU per call of the gateway processes (both nodes together), of redis-server (none on files), and of all. */
  nodesCpuUsPerCall: number;
  redisCpuUsPerCall: number;
  cpuUsPerCall: number;
}

export interface RedisNodesRow extends RedisNodesFigures {
  mode: ModeName;
  concurrency: number;
  /** Connections per node. */
  connections: number[];
  /** The file gateway at the same connections, measured in turn with the nodes, and the ratios to it. */
  gateway: RedisNodesFigures;
  throughputRatio: number;
  cpuRatio: number;
}

export type RedisNodesResult = { rows: RedisNodesRow[]; prefix: string; seconds: number } | { skipped: string };

/** The redis-server of a run in progress, so that a run ended by its watchdog can stop it too. */
let liveRedis: RedisServer | undefined;

/** Last resort (time limit, crash): redis-server is not a forked server process, killAllServerProcesses misses it. */
export function stopRedisServerNow(): void {
  // stop() sends SIGTERM before its first await.
  void liveRedis?.stop();
}

/** Why the row cannot run here, or undefined: the binary test/support/redis-server.ts starts (REDIS_SERVER or redis-server on PATH). */
export function redisServerUnavailable(): string | undefined {
  const configured = process.env.REDIS_SERVER;
  if (configured) return existsSync(configured) ? undefined : `no redis-server at REDIS_SERVER=${configured}`;
  const found = (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, 'redis-server')));
  return found ? undefined : 'no redis-server binary on PATH (apt-get install redis-server, or set REDIS_SERVER)';
}

/** Start-up, configuration and both modes' load on both targets, with room to spare: the watchdog's share for the row. */
export function redisNodesBudgetMs(options: Pick<RedisNodesOptions, 'warmupMs' | 'durationMs' | 'rounds' | 'settleMs'>): number {
  return 2 * 2 * (options.warmupMs + options.durationMs + (options.rounds + 1) * options.settleMs) + 30_000;
}

/** One side of the comparison: its load sessions (run at once), the processes serving them, and what they added up to. */
interface Side {
  sessions: LoadSession[];
  nodes: CpuMeter[];
  redis?: CpuMeter;
  nodesNs: number;
  redisNs: number;
}

/** Runs a side's sessions at once for `ms`; counted, its CPU time over the slice and the settling after it is added. */
async function runSlice(side: Side, ms: number, counted: boolean, settleMs: number): Promise<void> {
  const before = { nodes: side.nodes.map((meter) => meter.readNs()), redis: side.redis?.readNs() ?? 0 };
  await Promise.all(side.sessions.map((session) => session.run(ms, counted)));
  await sleep(settleMs);
  if (!counted) return;
  side.nodes.forEach((meter, node) => (side.nodesNs += meter.readNs() - before.nodes[node]!));
  side.redisNs += (side.redis?.readNs() ?? 0) - before.redis;
}

function figures(side: Side): RedisNodesFigures {
  const loads = side.sessions.map((session) => session.result());
  for (const session of side.sessions) session.close();
  const sum = (pick: (load: (typeof loads)[number]) => number) => loads.reduce((total, load) => total + pick(load), 0);
  const completed = sum((load) => load.completed);
  const perCall = (ns: number) => (completed > 0 ? ns / 1000 / completed : Number.NaN);
  const latencies = loads.flatMap((load) => load.latencies).sort((a, b) => a - b);
  return {
    requests: sum((load) => load.requests),
    errors: sum((load) => load.errors),
    errorSamples: loads.flatMap((load) => load.errorSamples).slice(0, 5),
    // The sessions ran the same slices: each one's rate over its own elapsed time, added.
    rps: sum((load) => (load.requests - load.errors) / (load.elapsedMs / 1000)),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    nodesCpuUsPerCall: perCall(side.nodesNs),
    redisCpuUsPerCall: side.redis ? perCall(side.redisNs) : Number.NaN,
    cpuUsPerCall: perCall(side.nodesNs + side.redisNs),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** redis-server's pid, as it reports it (INFO server), for its CPU time. */
async function redisPid(url: string): Promise<number> {
  const client = createRedisClient(url);
  try {
    await connectRedis(client);
    const pid = Number(/^process_id:(\d+)/m.exec(await client.info('server'))?.[1]);
    if (!Number.isInteger(pid)) throw new Error('redis-server did not say its process_id');
    return pid;
  } finally {
    client.disconnect();
  }
}

/** Polls until `url` takes `token`: the project made through the other node has reached it. */
async function waitUntilServed(url: string, token: string): Promise<void> {
  const deadline = Date.now() + SEEN_WITHIN_MS;
  for (;;) {
    const response = await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${token}` } });
    await response.arrayBuffer();
    if (response.ok) return;
    if (Date.now() > deadline) throw new Error(`the second node still answers ${response.status} to the project's token ${SEEN_WITHIN_MS} ms after it was made`);
    await sleep(20);
  }
}

export async function runRedisNodes(options: RedisNodesOptions): Promise<RedisNodesResult> {
  const started = performance.now();
  const nodes: ServerProcess[] = [];
  let redis: RedisServer | undefined;
  try {
    let urls: string[];
    let headers: Record<string, string>;
    let meters: { nodes: CpuMeter[]; redis: CpuMeter };
    try {
      redis = liveRedis = await startRedisServer();
      const secret = randomBytes(24).toString('hex');
      for (let node = 0; node < NODES; node++) nodes.push(await startServerProcess('gateway-redis', redis.url, secret, PREFIX));
      headers = { authorization: `Bearer ${await options.configure(nodes[0]!.url)}` };
      for (const node of nodes.slice(1)) await waitUntilServed(node.url, headers.authorization!.slice('Bearer '.length));
      urls = nodes.map((node) => `${node.url}/v1/chat/completions`);
      for (const url of urls) await options.check(url, headers);
      meters = { nodes: nodes.map((node) => new CpuMeter(node.pid)), redis: new CpuMeter(await redisPid(redis.url)) };
    } catch (error) {
      return { skipped: (error instanceof Error ? error.message : String(error)).split('\n')[0]! };
    }

    const connections = urls.map((_, node) => Math.floor(options.concurrency / NODES) + (node < options.concurrency % NODES ? 1 : 0));
    const fileMeter = new CpuMeter(options.gateway.pid);
    const rows: RedisNodesRow[] = [];
    for (const mode of ['non-stream', 'stream'] as const) {
      const target = { body: options.body(mode), streamed: mode === 'stream' };
      const file: Side = { sessions: [new LoadSession({ url: options.gateway.url, headers: options.gateway.headers, ...target }, options.concurrency)], nodes: [fileMeter], nodesNs: 0, redisNs: 0 };
      const shared: Side = {
        sessions: urls.flatMap((url, node) => (connections[node]! > 0 ? [new LoadSession({ url, headers, ...target }, connections[node]!)] : [])),
        nodes: meters.nodes,
        redis: meters.redis,
        nodesNs: 0,
        redisNs: 0,
      };
      for (const side of [file, shared]) await runSlice(side, options.warmupMs, false, options.settleMs);
      for (let round = 0; round < options.rounds; round++) {
        for (const side of [file, shared]) await runSlice(side, options.durationMs / options.rounds, true, options.settleMs);
      }
      const gateway = figures(file);
      const twoNodes = figures(shared);
      const row: RedisNodesRow = {
        mode,
        concurrency: options.concurrency,
        connections,
        ...twoNodes,
        gateway,
        throughputRatio: twoNodes.rps / gateway.rps,
        cpuRatio: twoNodes.cpuUsPerCall / gateway.cpuUsPerCall,
      };
      rows.push(row);
      console.log(`  measured ${mode} / ${REDIS_TARGET} at ${options.concurrency} (${connections.join(' + ')}): ${row.requests} requests, ${row.errors} errors; gateway in turn: ${gateway.requests} requests, ${gateway.errors} errors`);
    }
    return { rows, prefix: PREFIX, seconds: (performance.now() - started) / 1000 };
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
    await redis?.stop();
    liveRedis = undefined;
  }
}

const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

/** Its own small table: the `gateway` row and the Redis row, per mode, then the ratios. */
export function printRedisNodes(result: RedisNodesResult): void {
  if ('skipped' in result) {
    console.log(`${REDIS_TARGET}: skipped (${result.skipped})`);
    return;
  }
  const first = result.rows[0];
  console.log(
    `${REDIS_TARGET}: ${NODES} Node gateways on one redis-server (same ROUTERLY_SECRET, prefix ${result.prefix}), ${first?.concurrency ?? 0} connections split ${first?.connections.join(' + ') ?? '-'}, against the gateway row's process (files) at ${first?.concurrency ?? 0}, measured in turn (${fixed(result.seconds, 0)} s)`,
  );
  const header = ['mode', 'target', 'req/s', 'p50 ms', 'p99 ms', 'nodes µs/call', 'redis µs/call', 'cpu µs/call', 'requests', 'errors'];
  const cells = (mode: ModeName, target: string, row: RedisNodesFigures) => [
    mode,
    target,
    fixed(row.rps, 0),
    fixed(row.p50Ms),
    fixed(row.p99Ms),
    fixed(row.nodesCpuUsPerCall, 1),
    Number.isFinite(row.redisCpuUsPerCall) ? fixed(row.redisCpuUsPerCall, 1) : '',
    fixed(row.cpuUsPerCall, 1),
    String(row.requests),
    String(row.errors),
  ];
  const lines = result.rows.flatMap((row) => [cells(row.mode, 'gateway', row.gateway), cells(row.mode, REDIS_TARGET, row)]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  const format = (line: string[]) => line.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  console.log(format(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const line of lines) console.log(format(line));
  for (const row of result.rows) {
    for (const sample of row.gateway.errorSamples) console.log(`  ${row.mode}/gateway (in turn) error: ${sample}`);
    for (const sample of row.errorSamples) console.log(`  ${row.mode}/${REDIS_TARGET} error: ${sample}`);
  }
  for (const row of result.rows) {
    console.log(
      `${row.mode.padEnd(10)}  throughput ${REDIS_TARGET}/gateway = ${fixed(row.throughputRatio)}, cpu µs/call (nodes + redis)/gateway = ${fixed(row.cpuRatio)} (reported)`,
    );
  }
}

/** The final JSON's `redis` key. */
export function redisNodesJson(result: RedisNodesResult): object {
  if ('skipped' in result) return result;
  const round = (value: number) => (Number.isFinite(value) ? Math.round(value * 1000) / 1000 : null);
  const rounded = (numbers: object) => Object.fromEntries(Object.entries(numbers).map(([key, value]) => [key, round(value as number)]));
  return {
    nodes: NODES,
    prefix: result.prefix,
    seconds: round(result.seconds),
    rows: result.rows.map(({ errorSamples: _samples, gateway: { errorSamples: _gatewaySamples, redisCpuUsPerCall: _none, ...gateway }, connections, mode, ...figures }) => ({
      mode,
      target: REDIS_TARGET,
      connections,
      ...rounded(figures),
      gateway: rounded(gateway),
    })),
  };
}
