import type { RoutingTrace } from '../routing/trace.js';

/** One attempt of a proxied call, as appended to `data/usage/<YYYY-MM-DD>.jsonl`. */
export interface UsageRecord {
  ts: string;
  requestId: string;
  projectId: string;
  tokenId: string;
  /** The gateway model id that served (or was tried). */
  model: string;
  provider: string;
  upstreamModel: string;
  endpoint: string;
  stream: boolean;
  /**
   * The HTTP status of this attempt: what the client received for the attempt that answered it
   * (for streams, the status the stream started with), the provider's (or the gateway's error
   * status) for one that failed over to another model.
   */
  status: number;
  /** `ok`, or why the call did not complete: `upstream_error`, `timeout`, `client_aborted`, … */
  outcome: string;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  /** False when the provider's answer carried no usage: the tokens (and cost) are then unknown, not zero. */
  usageReported: boolean;
  costUsd: number;
  /**
   * What the call's budgets were charged, where that differs from `costUsd` and from its
   * input plus output tokens: an answer whose usage was not reported keeps its reservation
   * (the most it could have cost), so spend is never undercounted. Rollups sum these.
   */
  chargedUsd?: number;
  chargedTokens?: number;
  latencyMs: number;
  /** Time to the first byte of the upstream's body; null when none arrived. */
  ttftMs: number | null;
  /** 1-based attempt within the call (records of one call share `requestId`); absent on records from before routing. */
  attempt?: number;
  /** On the call's last record: why it was routed as it was (candidates, exclusions, scores, attempts). */
  routing?: RoutingTrace;
}

export interface UsageTotals {
  /** Calls (a call's attempts count once), plus routing judge calls. */
  requests: number;
  /** Calls whose final outcome was not `ok`: an attempt that failed over to a success is not one. */
  errors: number;
  /** Every upstream attempt, failed ones included. */
  attempts: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
}

export function emptyTotals(): UsageTotals {
  return { requests: 0, errors: 0, attempts: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, costUsd: 0 };
}

export function addToTotals(totals: UsageTotals, record: UsageRecord): void {
  totals.attempts++;
  if (isCallRecord(record)) {
    totals.requests++;
    if (record.outcome !== 'ok') totals.errors++;
  }
  totals.inputTokens += record.inputTokens;
  totals.outputTokens += record.outputTokens;
  totals.cachedInputTokens += record.cachedInputTokens;
  totals.cacheWriteTokens += record.cacheWriteTokens;
  totals.costUsd = Math.round((totals.costUsd + record.costUsd) * 1e9) / 1e9;
}

/** Whether a record stands for a whole call: its last attempt (it carries the trace), or a record without attempts. */
export function isCallRecord(record: UsageRecord): boolean {
  return record.attempt === undefined || record.routing !== undefined;
}

/** What a record charged its budgets: its reservation when its usage went unreported, else its cost and tokens. */
export function chargeOf(record: UsageRecord): { usd: number; tokens: number } {
  return { usd: record.chargedUsd ?? record.costUsd, tokens: record.chargedTokens ?? record.inputTokens + record.outputTokens };
}

/** The log segment a record belongs to: one per UTC day. */
export function segmentKey(ts: string): string {
  return `data/usage/${ts.slice(0, 10)}.jsonl`;
}

/** The latest and (negated) earliest time a Date holds, in ms from 1970. */
const MAX_TIME = 8.64e15;

/** The milliseconds part of a timestamp, 000 to 999, made once. */
const MILLIS = Array.from({ length: 1000 }, (_, ms) => String(ms).padStart(3, '0'));

/** The second `recordTimestamp` last wrote, and its text up to the milliseconds (`2026-12-01T10:00:00.`). */
let lastSecond = Number.NaN;
let lastSecondText = '';

/**
 * `new Date(ms).toISOString()`, as every record's `ts` is written: the same text, made from the
 * second's text kept from the last call. toISOString measured 475 ns on Node 20 (a Date, then
 * the calendar), and every call writes one or two; records come in time order, so the second
 * seldom changes from one to the next. An invalid time throws RangeError, as toISOString does.
 */
export function recordTimestamp(time: number): string {
  // Date's range (NaN fails it too), checked first: the millisecond past its end shares a valid second.
  if (!(Math.abs(time) <= MAX_TIME)) throw new RangeError('Invalid time value');
  // A Date drops a fraction of a millisecond toward zero: so does this.
  const ms = Math.trunc(time);
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    const text = new Date(second * 1000).toISOString();
    lastSecondText = text.slice(0, text.length - 4);
    lastSecond = second;
  }
  return `${lastSecondText}${MILLIS[ms - second * 1000]}Z`;
}
