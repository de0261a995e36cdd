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
