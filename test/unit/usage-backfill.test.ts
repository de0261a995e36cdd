// Rollups built once from the usage an earlier version recorded (no rollups then), so budgets and
// summaries do not start from zero after an upgrade.

import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store.js';
import { BACKFILL_MARKER, backfillRollups } from '../../src/usage/backfill.js';
import { queryUsage } from '../../src/usage/query.js';
import { segmentKey, type UsageRecord } from '../../src/usage/record.js';
import { summarizeUsage } from '../../src/usage/summary.js';
import { createMemoryStore } from '../../storage/memory.js';
import { silent, syntheticRecords, writeRollups } from '../support/usage-rollups.js';

const TOTALS = ['requests', 'errors', 'attempts', 'inputTokens', 'outputTokens', 'cachedInputTokens', 'cacheWriteTokens'] as const;
const pick = (figures: Record<string, number>) => Object.fromEntries([...TOTALS.map((f) => [f, figures[f]]), ['costUsd', Math.round(figures.costUsd! * 1e6)]]);

/** The raw log an earlier version left: day segments of JSON lines, one torn. */
async function rawLog(store: Store, records: UsageRecord[]): Promise<void> {
  const bySegment = new Map<string, string>();
  for (const record of records) bySegment.set(segmentKey(record.ts), `${bySegment.get(segmentKey(record.ts)) ?? ''}${JSON.stringify(record)}\n`);
  for (const [key, text] of bySegment) await store.append(key, text);
  await store.append([...bySegment.keys()].at(-1)!, '{"ts": "2026-0');
}

const rawTotals = async (store: Store) => pick((await queryUsage(store, { limit: 1 })).totals! as unknown as Record<string, number>);
const rolledUp = async (store: Store) => pick((await summarizeUsage(store, { groupBy: 'project' })).totals as unknown as Record<string, number>);

describe('backfillRollups', () => {
  it('builds the rollups of every earlier record once, and marks it done', async () => {
    const store = createMemoryStore();
    const records = syntheticRecords(3000);
    await rawLog(store, records);
    const result = await backfillRollups(store, silent);
    expect(result).toMatchObject({ records: records.length, skippedDays: [] });
    expect(await rolledUp(store)).toEqual(await rawTotals(store));
    expect(await store.get(BACKFILL_MARKER)).not.toBeNull();
    // Never twice.
    expect(await backfillRollups(store, silent)).toBeUndefined();
    expect(await rolledUp(store)).toEqual(await rawTotals(store));
  });

  it('starts over after a backfill cut short, without counting anything twice', async () => {
    const store = createMemoryStore();
    await rawLog(store, syntheticRecords(1000));
    await backfillRollups(store, silent);
    // As if it had crashed before its marker: its documents are there, the marker is not.
    await store.delete(BACKFILL_MARKER);
    await backfillRollups(store, silent);
    expect(await rolledUp(store)).toEqual(await rawTotals(store));
  });

  it('leaves alone a day a gateway instance already keeps rollups for', async () => {
    const store = createMemoryStore();
    const records = syntheticRecords(2000);
    await rawLog(store, records);
    const lastDay = records.at(-1)!.ts.slice(0, 10);
    // An instance rolled up the last day's records itself.
    await writeRollups(store, records.filter((r) => r.ts.startsWith(lastDay)), 1);
    const result = await backfillRollups(store, silent);
    expect(result!.skippedDays).toEqual([lastDay]);
    expect(await rolledUp(store)).toEqual(await rawTotals(store));
  });

  it('on a fresh home, only marks itself done', async () => {
    const store = createMemoryStore();
    expect(await backfillRollups(store, silent)).toEqual({ segments: 0, records: 0, skippedDays: [] });
    expect(await store.list('data/')).toEqual([BACKFILL_MARKER]);
  });
});
