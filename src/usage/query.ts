import type { Store } from '../store.js';
import { addToTotals, emptyTotals, type UsageRecord, type UsageTotals } from './record.js';

export interface UsageFilter {
  projectId?: string;
  /** Inclusive lower bound, epoch ms. */
  from?: number;
  /** Inclusive upper bound, epoch ms. */
  to?: number;
  /** At most this many records are returned (the newest); totals still cover all that match. */
  limit?: number;
}

/**
 * Reads usage for the management API. Only the day segments that overlap the range are
 * read; this is never on the proxy's request path.
 */
export async function queryUsage(store: Store, filter: UsageFilter): Promise<{ records: UsageRecord[]; totals: UsageTotals }> {
  const fromDay = filter.from === undefined ? '' : new Date(filter.from).toISOString().slice(0, 10);
  const toDay = filter.to === undefined ? '\uffff' : new Date(filter.to).toISOString().slice(0, 10);
  const segments = (await store.list('data/usage/')).filter((key) => {
    const day = /^data\/usage\/(\d{4}-\d{2}-\d{2})\.jsonl$/.exec(key)?.[1];
    return day !== undefined && day >= fromDay && day <= toDay;
  });
  const records: UsageRecord[] = [];
  const totals = emptyTotals();
  for (const key of segments) {
    const text = (await store.get(key)) ?? '';
    for (const line of text.split('\n')) {
      if (!line) continue;
      let record: UsageRecord;
      try {
        record = JSON.parse(line) as UsageRecord;
      } catch {
        continue; // A line torn by a crash mid-append is skipped, not fatal.
      }
      const at = Date.parse(record.ts);
      if (filter.projectId !== undefined && record.projectId !== filter.projectId) continue;
      if (filter.from !== undefined && at < filter.from) continue;
      if (filter.to !== undefined && at > filter.to) continue;
      records.push(record);
      addToTotals(totals, record);
    }
  }
  records.sort((a, b) => a.ts.localeCompare(b.ts));
  const limit = filter.limit ?? 10_000;
  return { records: records.length > limit ? records.slice(-limit) : records, totals };
}

/**
 * Every record of one call (its attempts, and a routing judge's call). Segments are read
 * newest first and the search stops at the first day that has the call, plus the day
 * before it (a call that began just before midnight UTC writes into the day it began).
 */
export async function usageOfRequest(store: Store, requestId: string): Promise<UsageRecord[]> {
  const segments = (await store.list('data/usage/')).filter((key) => /^data\/usage\/\d{4}-\d{2}-\d{2}\.jsonl$/.test(key)).sort().reverse();
  const found: UsageRecord[] = [];
  let extra = -1;
  for (const key of segments) {
    if (extra === 0) break;
    const text = (await store.get(key)) ?? '';
    // Cheap test first: most segments do not hold the id at all.
    if (text.includes(requestId)) {
      for (const line of text.split('\n')) {
        if (!line.includes(requestId)) continue;
        try {
          const record = JSON.parse(line) as UsageRecord;
          if (record.requestId === requestId) found.push(record);
        } catch {
          // A torn line is skipped, as in queryUsage.
        }
      }
    }
    if (found.length > 0) extra = extra === -1 ? 1 : extra - 1;
  }
  return found.sort((a, b) => (a.attempt ?? 0) - (b.attempt ?? 0));
}
