import { errorRate, type SummaryGroup, type UsageSummary } from './usage-api';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** More buckets than any range the pages ask for (31 days by hour is 744): a guard, not a limit. */
const MAX_BUCKETS = 5000;

/** A summary by hour or day as chart columns, one per bucket in the range, empty ones included. */
export interface TimeSeries {
  times: number[];
  calls: number[];
  /** Calls in the bucket over the minutes of it inside the range (the current hour or day so far). */
  callsPerMinute: (number | null)[];
  /** As a percentage. */
  errorRate: (number | null)[];
  p50LatencyMs: (number | null)[];
  p95LatencyMs: (number | null)[];
  costUsd: number[];
}

const keyOf = (time: number, unit: number) => (unit === HOUR_MS ? new Date(time).toISOString() : new Date(time).toISOString().slice(0, 10));
const timeOf = (group: SummaryGroup) => Date.parse(group.hour ?? `${group.day ?? group.key}T00:00:00.000Z`);

/**
 * The API lists only the buckets that had calls; a chart must show the quiet ones as zero (and
 * latency as a gap), so every bucket from the range's start to its end (or now) is filled in.
 */
export function timeSeries(summary: UsageSummary, now = Date.now()): TimeSeries {
  const unit = summary.groupBy === 'hour' ? HOUR_MS : DAY_MS;
  const byKey = new Map(summary.groups.map((group) => [group.key, group]));
  const firstGroup = summary.groups[0];
  const start = summary.from ? Date.parse(summary.from) : firstGroup ? timeOf(firstGroup) : now;
  const end = Math.min(summary.to ? Date.parse(summary.to) + 1 : now, Math.max(now, start + 1));
  const series: TimeSeries = { times: [], calls: [], callsPerMinute: [], errorRate: [], p50LatencyMs: [], p95LatencyMs: [], costUsd: [] };
  for (let time = Math.floor(start / unit) * unit; time < end && series.times.length < MAX_BUCKETS; time += unit) {
    const group = byKey.get(keyOf(time, unit));
    const minutes = (Math.min(time + unit, end) - Math.max(time, start)) / 60_000;
    const calls = group?.requests ?? 0;
    series.times.push(time);
    series.calls.push(calls);
    series.callsPerMinute.push(minutes > 0 ? calls / minutes : null);
    const rate = group ? errorRate(group) : null;
    series.errorRate.push(rate === null ? null : rate * 100);
    series.p50LatencyMs.push(group?.p50LatencyMs ?? null);
    series.p95LatencyMs.push(group?.p95LatencyMs ?? null);
    series.costUsd.push(group?.costUsd ?? 0);
  }
  return series;
}

/** The finest grouping the API allows for a range: by hour up to a few days, else by day. */
export function chartGrouping(fromMs: number, toMs: number): 'hour' | 'day' {
  return toMs - fromMs <= 3 * DAY_MS ? 'hour' : 'day';
}
