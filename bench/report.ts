// Turning load results into the numbers the benchmark is judged on, and printing them.

import type { LoadResult } from './load.js';

/**
 * `translated`: the gateway serving the same Chat Completions request from a Claude model, through the IR.
 * `routed`: the same request as `gateway`, with model `auto`, to a project ranking a pool of three with every policy but `llm`.
 * `durable`: the same request as `gateway`, to a second gateway process run with durable usage
 * (ROUTERLY_DURABLE_USAGE=true): each call's record is stored before the client gets its last byte.
 */
export type TargetName = 'direct' | 'bare' | 'gateway' | 'translated' | 'routed' | 'durable';
export type ModeName = 'non-stream' | 'stream';

export interface Measurement {
  mode: ModeName;
  target: TargetName;
  requests: number;
  errors: number;
  errorSamples: string[];
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** p50/p99 minus direct's, in the same mode: what the hop in between costs. */
  addedP50Ms: number;
  addedP99Ms: number;
}

export interface Verdict {
  mode: ModeName;
  /** gateway rps / bare rps */
  throughputRatio: number;
  /** gateway added p50 / bare added p50 */
  addedLatencyRatio: number;
  throughputPass: boolean;
  latencyPass: boolean;
  /** translated rps / gateway rps: what translation costs over same-format forwarding (reported, no target). */
  translatedThroughputRatio: number;
  /** routed rps / gateway rps: what ranking with a full routing configuration costs. */
  routedThroughputRatio: number;
  routedPass: boolean;
  /** durable rps / gateway rps: what storing each record before the last byte costs in throughput (reported, no target). */
  durableThroughputRatio: number;
  /** durable p50 - gateway p50 (and p99): the latency the wait for the stored record adds to each call. */
  durableAddedP50Ms: number;
  durableAddedP99Ms: number;
}

/** Targets the gateway is held to (reported as PASS/MISS, never failing the run). */
export const TARGETS = { minThroughputRatio: 0.5, maxAddedLatencyRatio: 2, minRoutedThroughputRatio: 0.95 } as const;

/**
 * The bare proxy's added p50 can be a few hundredths of a millisecond (or negative, by noise);
 * dividing by it would make the ratio meaningless, so the denominator is at least this.
 */
const MIN_ADDED_LATENCY_MS = 0.1;

/** Nearest-rank percentile. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function measure(mode: ModeName, target: TargetName, load: LoadResult): Omit<Measurement, 'addedP50Ms' | 'addedP99Ms'> {
  const sorted = [...load.latencies].sort((a, b) => a - b);
  return {
    mode,
    target,
    requests: load.requests,
    errors: load.errors,
    errorSamples: load.errorSamples,
    rps: (load.requests - load.errors) / (load.elapsedMs / 1000),
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
  };
}

export function withAddedLatency(rows: Array<Omit<Measurement, 'addedP50Ms' | 'addedP99Ms'>>): Measurement[] {
  return rows.map((row) => {
    const direct = rows.find((other) => other.mode === row.mode && other.target === 'direct');
    return { ...row, addedP50Ms: direct ? row.p50Ms - direct.p50Ms : Number.NaN, addedP99Ms: direct ? row.p99Ms - direct.p99Ms : Number.NaN };
  });
}

export function verdicts(rows: Measurement[]): Verdict[] {
  const result: Verdict[] = [];
  for (const mode of ['non-stream', 'stream'] as const) {
    const bare = rows.find((row) => row.mode === mode && row.target === 'bare');
    const gateway = rows.find((row) => row.mode === mode && row.target === 'gateway');
    if (!bare || !gateway) continue;
    const translated = rows.find((row) => row.mode === mode && row.target === 'translated');
    const routed = rows.find((row) => row.mode === mode && row.target === 'routed');
    const durable = rows.find((row) => row.mode === mode && row.target === 'durable');
    const routedThroughputRatio = routed ? routed.rps / gateway.rps : Number.NaN;
    const throughputRatio = gateway.rps / bare.rps;
    const addedLatencyRatio = gateway.addedP50Ms / Math.max(bare.addedP50Ms, MIN_ADDED_LATENCY_MS);
    result.push({
      mode,
      throughputRatio,
      addedLatencyRatio,
      throughputPass: throughputRatio >= TARGETS.minThroughputRatio,
      latencyPass: addedLatencyRatio <= TARGETS.maxAddedLatencyRatio,
      translatedThroughputRatio: translated ? translated.rps / gateway.rps : Number.NaN,
      routedThroughputRatio,
      routedPass: routedThroughputRatio >= TARGETS.minRoutedThroughputRatio,
      durableThroughputRatio: durable ? durable.rps / gateway.rps : Number.NaN,
      durableAddedP50Ms: durable ? durable.p50Ms - gateway.p50Ms : Number.NaN,
      durableAddedP99Ms: durable ? durable.p99Ms - gateway.p99Ms : Number.NaN,
    });
  }
  return result;
}

const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const signedFixed = (value: number) => (Number.isFinite(value) && value >= 0 ? `+${fixed(value)}` : fixed(value));

export function printTable(rows: Measurement[], results: Verdict[]): void {
  const header = ['mode', 'target', 'req/s', 'p50 ms', 'p99 ms', '+p50 ms', '+p99 ms', 'requests', 'errors'];
  const lines = rows.map((row) => [
    row.mode,
    row.target,
    fixed(row.rps, 0),
    fixed(row.p50Ms),
    fixed(row.p99Ms),
    row.target === 'direct' ? '' : fixed(row.addedP50Ms),
    row.target === 'direct' ? '' : fixed(row.addedP99Ms),
    String(row.requests),
    String(row.errors),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  const format = (cells: string[]) => cells.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  console.log(format(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const line of lines) console.log(format(line));
  for (const row of rows) {
    for (const sample of row.errorSamples) console.log(`  ${row.mode}/${row.target} error: ${sample}`);
  }
  console.log('');
  for (const verdict of results) {
    const throughput = `throughput gateway/bare = ${fixed(verdict.throughputRatio)} (target >= ${TARGETS.minThroughputRatio}) ${verdict.throughputPass ? 'PASS' : 'MISS'}`;
    const latency = `added p50 gateway/bare = ${fixed(verdict.addedLatencyRatio)} (target <= ${TARGETS.maxAddedLatencyRatio}) ${verdict.latencyPass ? 'PASS' : 'MISS'}`;
    console.log(`${verdict.mode.padEnd(10)}  ${throughput}; ${latency}; translated/gateway throughput = ${fixed(verdict.translatedThroughputRatio)}`);
  }
  for (const verdict of results) {
    if (!Number.isFinite(verdict.routedThroughputRatio)) continue;
    const routed = `throughput routed/gateway = ${fixed(verdict.routedThroughputRatio)} (target >= ${TARGETS.minRoutedThroughputRatio}) ${verdict.routedPass ? 'PASS' : 'MISS'}`;
    console.log(`${verdict.mode.padEnd(10)}  ${routed}`);
  }
  for (const verdict of results) {
    if (!Number.isFinite(verdict.durableThroughputRatio)) continue;
    const cost = `durable usage: throughput durable/gateway = ${fixed(verdict.durableThroughputRatio)}, p50 ${signedFixed(verdict.durableAddedP50Ms)} ms, p99 ${signedFixed(verdict.durableAddedP99Ms)} ms vs gateway (reported, no target)`;
    console.log(`${verdict.mode.padEnd(10)}  ${cost}`);
  }
}
