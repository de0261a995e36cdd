import type { Logger } from '../deps.js';
import type { Store } from '../store.js';
import { rowReadsFor, splitReadsFor, visitRollups, type HourRange, type RollupEntry, type RollupRead } from './rollup-reader.js';
import { NANO_PER_USD } from './cost.js';
import { estimatePercentile } from './latency-histogram.js';
import type { UsageTotals } from './record.js';
import { addSums, emptySums, HOUR_MS, type RollupSums } from './rollup.js';

/**
 * Usage summaries and budget warm-up, answered from the rollups alone (src/usage/rollup.ts),
 * never from raw records. By project or day, a range of whole days costs one month document
 * per writer and month (their splits by day), plus a day document per writer for each partial
 * day at its edges; by hour, a day document per writer and day. By model or token, whole months
 * are month documents, other whole days day documents, other hours hour documents.
 */

export const SUMMARY_GROUP_BY = ['project', 'model', 'token', 'day', 'hour'] as const;
export type SummaryGroupBy = (typeof SUMMARY_GROUP_BY)[number];

export interface SummaryRequest {
  /** Epoch ms, truncated to the start of its UTC hour. Absent: from the first month recorded. */
  from?: number;
  /** Epoch ms, inclusive, truncated to its hour: the whole hour that holds it is counted. Absent: all recorded. */
  to?: number;
  projectId?: string;
  /** Only these projects (those the caller may see); undefined: every project. */
  projectIds?: ReadonlySet<string>;
  groupBy: SummaryGroupBy;
}

/** The sums of a group, in the units of the API (USD, not nano-dollars): GET /api/usage's totals and more. */
export interface SummaryFigures extends UsageTotals {
  /** What budgets were charged: the cost, or the reservation of a call whose usage went unreported. */
  chargedUsd: number;
  chargedTokens: number;
  latencyMsSum: number;
  ttftMsSum: number;
  ttftCount: number;
  /** latencyMsSum / attempts; null without attempts. */
  avgLatencyMs: number | null;
  /** ttftMsSum / ttftCount; null when no attempt had a first byte. */
  avgTtftMs: number | null;
  /** Calls served after at least one failed attempt (a retry or a fallback to another model). */
  fallbacks: number;
  /**
   * Percentiles of the calls' whole latency and time to first byte (each call once, by its last
   * record; not per attempt like the averages), estimated from the rollups' log-scale histograms:
   * within a factor of 1.59 of the true value at worst, usually a few percent
   * (usage/latency-histogram.ts). null when no call in the group has one, and for calls
   * summed only by rollups written before the histograms existed.
   */
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  p50TtftMs: number | null;
  p95TtftMs: number | null;
}

export interface SummaryGroup extends SummaryFigures {
  /** What the group is: a project id, a model id, a token id, a day (`2026-11-23`) or an hour (`2026-11-23T10:00:00.000Z`). */
  key: string;
  projectId?: string;
  tokenId?: string;
  model?: string;
  day?: string;
  hour?: string;
}

export interface UsageSummary {
  /** The start of the first hour counted; null when the range was open. */
  from: string | null;
  /** The last millisecond of the last hour counted; null when the range was open. */
  to: string | null;
  groupBy: SummaryGroupBy;
  /** Only groups with records; by key (so days and hours in time order). */
  groups: SummaryGroup[];
  totals: SummaryFigures;
}

const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** The last hour any date can hold (ECMAScript dates end at 8.64e15 ms). */
const LAST_HOUR = Math.floor(8.64e15 / HOUR_MS) - 1;

function hourRange(from: number | undefined, to: number | undefined): HourRange {
  return {
    firstHour: from === undefined ? 0 : Math.max(0, Math.floor(from / HOUR_MS)),
    lastHour: to === undefined ? LAST_HOUR : Math.min(LAST_HOUR, Math.floor(to / HOUR_MS)),
  };
}

/** The documents a grouping reads: per project (splits) when it needs no token or model, else rows. */
function readsFor(store: Store, range: HourRange, groupBy: SummaryGroupBy): Promise<RollupRead[]> {
  switch (groupBy) {
    case 'project':
    case 'day':
      return splitReadsFor(store, range, 'day');
    case 'hour':
      return splitReadsFor(store, range, 'hour');
    case 'model':
    case 'token':
      return rowReadsFor(store, range, 'month');
  }
}

interface Accumulated {
  group: Omit<SummaryGroup, keyof SummaryFigures>;
  sums: RollupSums;
}

/**
 * A group's identity for an entry covering `period`; the map key keeps two tokens of different
 * projects apart. Entries come from documents no coarser than the grouping needs (readsFor).
 */
function groupOf(groupBy: SummaryGroupBy, entry: RollupEntry, period: string): { mapKey: string; group: Accumulated['group'] } {
  switch (groupBy) {
    case 'project':
      return { mapKey: entry.projectId, group: { key: entry.projectId, projectId: entry.projectId } };
    case 'model':
      return { mapKey: entry.model!, group: { key: entry.model!, model: entry.model! } };
    case 'token':
      return { mapKey: `${entry.projectId}\n${entry.tokenId!}`, group: { key: entry.tokenId!, projectId: entry.projectId, tokenId: entry.tokenId! } };
    case 'day': {
      const day = period.slice(0, 10);
      return { mapKey: day, group: { key: day, day } };
    }
    case 'hour': {
      const hour = `${period}:00:00.000Z`;
      return { mapKey: hour, group: { key: hour, hour } };
    }
  }
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;

export function summaryFigures(sums: RollupSums): SummaryFigures {
  return {
    requests: sums.calls,
    errors: sums.errors,
    attempts: sums.attempts,
    inputTokens: sums.inputTokens,
    outputTokens: sums.outputTokens,
    cachedInputTokens: sums.cachedInputTokens,
    cacheWriteTokens: sums.cacheWriteTokens,
    costUsd: sums.costNanoUsd / NANO_PER_USD,
    chargedUsd: sums.chargedNanoUsd / NANO_PER_USD,
    chargedTokens: sums.chargedTokens,
    latencyMsSum: sums.latencyMs,
    ttftMsSum: sums.ttftMs,
    ttftCount: sums.ttftCount,
    avgLatencyMs: sums.attempts > 0 ? round3(sums.latencyMs / sums.attempts) : null,
    avgTtftMs: sums.ttftCount > 0 ? round3(sums.ttftMs / sums.ttftCount) : null,
    fallbacks: sums.fallbacks,
    p50LatencyMs: estimatePercentile(sums.latencyHistogram, 0.5),
    p95LatencyMs: estimatePercentile(sums.latencyHistogram, 0.95),
    p50TtftMs: estimatePercentile(sums.ttftHistogram, 0.5),
    p95TtftMs: estimatePercentile(sums.ttftHistogram, 0.95),
  };
}

/**
 * Usage over a range of whole hours, grouped, from the rollups. Reads only the rollup documents
 * the range needs (rollup-reader.ts); a document that cannot be read as one is skipped with a
 * warning. Callers that want the calls that just finished flush the recorder first.
 */
export async function summarizeUsage(store: Store, request: SummaryRequest, logger: Logger = silentLogger): Promise<UsageSummary> {
  const range = hourRange(request.from, request.to);
  const groups = new Map<string, Accumulated>();
  const totals = emptySums();
  const { projectId, projectIds, groupBy } = request;
  await visitRollups(store, await readsFor(store, range, groupBy), logger, (entry, period) => {
    if (projectId !== undefined && entry.projectId !== projectId) return;
    if (projectIds !== undefined && !projectIds.has(entry.projectId)) return;
    const { mapKey, group } = groupOf(groupBy, entry, period);
    let accumulated = groups.get(mapKey);
    if (!accumulated) groups.set(mapKey, (accumulated = { group, sums: emptySums() }));
    addSums(accumulated.sums, entry.sums);
    addSums(totals, entry.sums);
  });
  const sorted = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    from: request.from === undefined ? null : new Date(range.firstHour * HOUR_MS).toISOString(),
    to: request.to === undefined ? null : new Date((range.lastHour + 1) * HOUR_MS - 1).toISOString(),
    groupBy,
    groups: sorted.map(([, { group, sums }]) => ({ ...group, ...summaryFigures(sums) })),
    totals: summaryFigures(totals),
  };
}

export interface ChargeQuery {
  projectId?: string;
  tokenId?: string;
  /** Epoch ms, truncated to its hour (budget windows start on hours). 0 for a `total` budget. */
  from: number;
  /** Epoch ms, inclusive, truncated to its hour. Absent (cheapest): everything recorded from `from` on. */
  to?: number;
}

export interface Charged {
  usd: number;
  /** The same, exact: budgets count nano-dollars. */
  nanoUsd: number;
  tokens: number;
}

/**
 * What budgets were charged (chargeOf) over a range, for a project, a token, or both: what a
 * budget's counter starts from when it is warmed up, read from the rollups only.
 *
 * Whole months are read from month documents, one per writer per month; so a `total` budget
 * (`from` = 0) reads the month documents of all history, and never a raw record. Without a
 * `tokenId`, whole days also come from month documents (their splits by day) and other hours from
 * day documents; with one, whole days inside a partial month come from day documents and other
 * hours from hour documents. Leave `to` absent when the window runs to now: the current period is
 * then read whole, from the coarsest documents.
 */
export async function chargedSince(store: Store, query: ChargeQuery, logger: Logger = silentLogger): Promise<Charged> {
  const range = hourRange(query.from, query.to);
  const reads = query.tokenId === undefined ? await splitReadsFor(store, range, 'day') : await rowReadsFor(store, range, 'month');
  let nanoUsd = 0;
  let tokens = 0;
  await visitRollups(store, reads, logger, (entry) => {
    if (query.projectId !== undefined && entry.projectId !== query.projectId) return;
    if (query.tokenId !== undefined && entry.tokenId !== query.tokenId) return;
    nanoUsd += entry.sums.chargedNanoUsd;
    tokens += entry.sums.chargedTokens;
  });
  return { usd: nanoUsd / NANO_PER_USD, nanoUsd, tokens };
}
