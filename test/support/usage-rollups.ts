/** Records, rollups and expected figures shared by the usage rollup and summary tests. */
import type { Store } from '../../src/store.js';
import { countLatency, estimatePercentile } from '../../src/usage/latency-histogram.js';
import { addToTotals, chargeOf, emptyTotals, isCallRecord, type UsageRecord } from '../../src/usage/record.js';
import { toNanoUsd } from '../../src/usage/rollup.js';
import { RollupWriter } from '../../src/usage/rollup-writer.js';
import type { SummaryGroupBy } from '../../src/usage/summary.js';

export const H = 3_600_000;
export const silent = { info() {}, warn() {}, error() {} };

/** A small seeded generator (mulberry32): the same records every run. */
export function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let counter = 0;
export function record(ts: string | number, fields: Partial<UsageRecord> = {}): UsageRecord {
  counter++;
  return {
    ts: typeof ts === 'number' ? new Date(ts).toISOString() : ts,
    requestId: `req_${counter}`,
    projectId: 'prj_a',
    tokenId: 'tok_a1',
    model: 'gpt',
    provider: 'openai',
    upstreamModel: 'gpt',
    endpoint: '/v1/chat/completions',
    stream: false,
    status: 200,
    outcome: 'ok',
    inputTokens: 10,
    outputTokens: 5,
    cachedInputTokens: 2,
    cacheWriteTokens: 1,
    usageReported: true,
    costUsd: 0.000012345,
    latencyMs: 100,
    ttftMs: 40,
    ...fields,
  };
}

/** Records over 40 days from 2026-01-20 (across a month's end), of 3 projects, their tokens and 3 models, with failed attempts. */
export function syntheticRecords(count: number, seed = 7): UsageRecord[] {
  const next = random(seed);
  const start = Date.parse('2026-01-20T00:00:00.000Z');
  const records: UsageRecord[] = [];
  for (let n = 0; n < count; n++) {
    const project = `prj_${Math.floor(next() * 3)}`;
    const at = start + Math.floor(next() * 40 * 24 * H);
    const failedFirst = next() < 0.15;
    const base = {
      projectId: project,
      tokenId: `${project}_tok${Math.floor(next() * 2)}`,
      inputTokens: Math.floor(next() * 5000),
      outputTokens: Math.floor(next() * 800),
      cachedInputTokens: Math.floor(next() * 100),
      costUsd: Math.round(next() * 0.05 * 1e9) / 1e9,
      latencyMs: Math.floor(next() * 3000),
      ttftMs: next() < 0.2 ? null : Math.floor(next() * 500),
      stream: next() < 0.5,
    };
    if (failedFirst) records.push(record(at, { ...base, model: 'claude', attempt: 1, status: 529, outcome: 'upstream_error', costUsd: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 }));
    const unreported = next() < 0.05;
    records.push(
      record(at, {
        ...base,
        model: `m${Math.floor(next() * 3)}`,
        attempt: failedFirst ? 2 : 1,
        routing: {} as never,
        outcome: next() < 0.1 ? 'truncated_stream' : 'ok',
        ...(unreported ? { usageReported: false, inputTokens: 0, outputTokens: 0, costUsd: 0, chargedUsd: 0.0123, chargedTokens: 4096 } : {}),
      }),
    );
    // A routing judge's call: no attempt, a call of its own.
    if (next() < 0.03) records.push(record(at, { ...base, endpoint: 'routing', model: 'judge' }));
  }
  return records;
}

/** Writes the records as `writers` instances would, each taking every writers-th record. */
export async function writeRollups(store: Store, records: UsageRecord[], writers = 3): Promise<RollupWriter[]> {
  const instances = Array.from({ length: writers }, (_, w) => new RollupWriter(store, silent, `gw_${w}`, 0));
  for (let w = 0; w < writers; w++) {
    const mine = records.filter((_, n) => n % writers === w);
    // In batches, as the recorder does, with a write after each.
    for (let at = 0; at < mine.length; at += 50) {
      await instances[w]!.add(mine.slice(at, at + 50));
      await instances[w]!.write();
    }
  }
  return instances;
}

/** What a summary must say, computed from the raw records of the hours [from, to]. */
export function expectedFrom(records: UsageRecord[], from: number, to: number, groupBy: SummaryGroupBy, projectId?: string) {
  const firstHour = Math.floor(from / H);
  const lastHour = Math.floor(to / H);
  const groups = new Map<string, UsageRecord[]>();
  for (const r of records) {
    const hour = Math.floor(Date.parse(r.ts) / H);
    if (hour < firstHour || hour > lastHour) continue;
    if (projectId !== undefined && r.projectId !== projectId) continue;
    const key = { project: r.projectId, model: r.model, token: r.tokenId, day: r.ts.slice(0, 10), hour: `${r.ts.slice(0, 13)}:00:00.000Z` }[groupBy];
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return new Map([...groups].map(([key, rs]) => [key, figuresOf(rs)]));
}

/**
 * The figures a summary must report for these records. Fallbacks and percentiles are computed
 * from the calls (each call's last record) directly: the rollups must merge their histograms
 * without losing a count, whatever documents a summary reads.
 */
export function figuresOf(records: UsageRecord[]) {
  const totals = emptyTotals();
  let chargedNano = 0;
  let chargedTokens = 0;
  let latency = 0;
  let fallbacks = 0;
  const latencies: number[] = [];
  const ttfts: number[] = [];
  for (const r of records) {
    addToTotals(totals, r);
    chargedNano += toNanoUsd(chargeOf(r).usd);
    chargedTokens += chargeOf(r).tokens;
    latency += r.latencyMs;
    if (!isCallRecord(r)) continue;
    if (r.outcome === 'ok' && (r.attempt ?? 1) > 1) fallbacks++;
    countLatency(latencies, r.latencyMs);
    countLatency(ttfts, r.ttftMs);
  }
  return {
    ...totals,
    chargedUsd: chargedNano / 1e9,
    chargedTokens,
    latencyMsSum: latency,
    fallbacks,
    p50LatencyMs: estimatePercentile(latencies, 0.5),
    p95LatencyMs: estimatePercentile(latencies, 0.95),
    p50TtftMs: estimatePercentile(ttfts, 0.5),
    p95TtftMs: estimatePercentile(ttfts, 0.95),
  };
}

