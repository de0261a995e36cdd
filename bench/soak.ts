// Soak: does the gateway's memory stay flat over a long run? A gateway process of its own
// serves a bounded number of calls (BENCH_SOAK_CALLS, default 200,000, or as many as fit in
// BENCH_SOAK_SECONDS, default 120), after a warm-up. Its resident set (VmRSS, as the operator's
// tools see it) is read before and after, each time after a quiet pause and a full GC in the
// gateway, and sampled during the run for the peak. The verdict: flat when RSS grows by less
// than SOAK_MAX_GROWTH_PCT. The retained JS heap (heapUsed after the GC) is reported beside it,
// since that is where a leak of objects shows first.

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { LoadSession, type LoadTarget } from './load.js';
import type { ServerProcess } from './processes.js';
import { percentile } from './report.js';

/** RSS may grow by less than this over the soak (after / before - 1). */
export const SOAK_MAX_GROWTH_PCT = 20;
/** Idle time before each reading: requests and their sockets settle, timers drain. */
const QUIET_MS = 2_000;
const SAMPLE_EVERY_MS = 1_000;

export interface SoakOptions {
  /** Each target is sent an equal share of the calls over an equal share of the connections. */
  targets: LoadTarget[];
  concurrency: number;
  maxCalls: number;
  maxMs: number;
  warmupMs: number;
}

export interface MemoryReading {
  rssKiB: number;
  heapUsedKiB: number;
}

export interface SoakResult {
  calls: number;
  errors: number;
  errorSamples: string[];
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** `calls`: every call was sent; `time`: BENCH_SOAK_SECONDS ran out first. */
  stoppedBy: 'calls' | 'time';
  before: MemoryReading;
  after: MemoryReading;
  /** The largest RSS sampled during the run (no GC forced then). */
  peakRssKiB: number;
  rssGrowthPct: number;
  heapGrowthPct: number;
  maxGrowthPct: number;
  flat: boolean;
}

/** Resident set of a process in KiB: /proc/<pid>/status on Linux, `ps` elsewhere. */
export async function residentKiB(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    if (match) return Number(match[1]);
  } catch {
    // No procfs (macOS): ask ps.
  }
  const { stdout } = await promisify(execFile)('ps', ['-o', 'rss=', '-p', String(pid)]);
  const kib = Number(stdout.trim());
  if (!Number.isFinite(kib) || kib <= 0) throw new Error(`cannot read the resident set of pid ${pid}`);
  return kib;
}

async function reading(server: ServerProcess): Promise<MemoryReading> {
  await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
  const usage = await server.memory();
  return { rssKiB: await residentKiB(server.pid), heapUsedKiB: Math.round(usage.heapUsed / 1024) };
}

export async function runSoak(server: ServerProcess, options: SoakOptions): Promise<SoakResult> {
  const { targets } = options;
  const perTarget = Math.max(1, Math.floor(options.concurrency / targets.length));
  const sessions = targets.map((target) => new LoadSession(target, perTarget));
  try {
    await Promise.all(sessions.map((session) => session.run(options.warmupMs, false)));
    const before = await reading(server);

    let peakRssKiB = before.rssKiB;
    const sampler = setInterval(() => {
      residentKiB(server.pid).then(
        (kib) => (peakRssKiB = Math.max(peakRssKiB, kib)),
        () => undefined,
      );
    }, SAMPLE_EVERY_MS);
    const share = Math.ceil(options.maxCalls / targets.length);
    const started = performance.now();
    try {
      await Promise.all(sessions.map((session) => session.runBounded(share, options.maxMs)));
    } finally {
      clearInterval(sampler);
    }
    const elapsedMs = performance.now() - started;
    const after = await reading(server);

    const results = sessions.map((session) => session.result());
    const calls = results.reduce((sum, result) => sum + result.requests, 0);
    const errors = results.reduce((sum, result) => sum + result.errors, 0);
    const latencies = results.flatMap((result) => result.latencies).sort((a, b) => a - b);
    const rssGrowthPct = (after.rssKiB / before.rssKiB - 1) * 100;
    return {
      calls,
      errors,
      errorSamples: results.flatMap((result) => result.errorSamples).slice(0, 5),
      seconds: elapsedMs / 1000,
      rps: (calls - errors) / (elapsedMs / 1000),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      stoppedBy: calls >= share * targets.length ? 'calls' : 'time',
      before,
      after,
      peakRssKiB,
      rssGrowthPct,
      heapGrowthPct: (after.heapUsedKiB / before.heapUsedKiB - 1) * 100,
      maxGrowthPct: SOAK_MAX_GROWTH_PCT,
      flat: rssGrowthPct < SOAK_MAX_GROWTH_PCT,
    };
  } finally {
    for (const session of sessions) session.close();
  }
}

const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;
const signed = (pct: number) => `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;

export function printSoak(result: SoakResult, requestedCalls: number, maxSeconds: number): void {
  const bound = result.stoppedBy === 'calls' ? `all ${requestedCalls} calls sent` : `stopped by the ${maxSeconds} s bound before ${requestedCalls} calls`;
  console.log(
    `soak: ${result.calls} calls (${result.errors} errors) in ${result.seconds.toFixed(1)} s, ${result.rps.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms (${bound})`,
  );
  console.log(
    `soak: RSS ${mib(result.before.rssKiB)} before, ${mib(result.after.rssKiB)} after (${signed(result.rssGrowthPct)}), peak ${mib(result.peakRssKiB)}; ` +
      `JS heap after GC ${mib(result.before.heapUsedKiB)} before, ${mib(result.after.heapUsedKiB)} after (${signed(result.heapGrowthPct)})`,
  );
  console.log(`soak: RSS growth ${signed(result.rssGrowthPct)} (flat: below +${result.maxGrowthPct}%) ${result.flat ? 'FLAT' : 'GROWING'}`);
  for (const sample of result.errorSamples) console.log(`  soak error: ${sample}`);
}
