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
