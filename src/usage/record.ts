/** One proxied call, as appended to `data/usage/<YYYY-MM-DD>.jsonl`. */
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
  /** The HTTP status the client received (for streams, the status the stream started with). */
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
  latencyMs: number;
  /** Time to the first byte of the upstream's body; null when none arrived. */
  ttftMs: number | null;
}

export interface UsageTotals {
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
}

export function emptyTotals(): UsageTotals {
  return { requests: 0, errors: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, costUsd: 0 };
}

export function addToTotals(totals: UsageTotals, record: UsageRecord): void {
  totals.requests++;
  if (record.outcome !== 'ok') totals.errors++;
  totals.inputTokens += record.inputTokens;
  totals.outputTokens += record.outputTokens;
  totals.cachedInputTokens += record.cachedInputTokens;
  totals.cacheWriteTokens += record.cacheWriteTokens;
  totals.costUsd = Math.round((totals.costUsd + record.costUsd) * 1e9) / 1e9;
}

/** The log segment a record belongs to: one per UTC day. */
export function segmentKey(ts: string): string {
  return `data/usage/${ts.slice(0, 10)}.jsonl`;
}
