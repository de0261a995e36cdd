import type { Logger } from '../deps.js';
import type { Store } from '../store.js';
import type { UsageRecord } from './record.js';
import { parseRollupKey, ROLLUP_ROOT } from './rollup.js';
import { RollupWriter } from './rollup-writer.js';

/** Written once the records from before rollups existed are in them: the backfill never runs twice. */
export const BACKFILL_MARKER = `${ROLLUP_ROOT}backfill.json`;
/** The writer name of the backfilled documents (gateway instances are named `gw_…` or by their adapter). */
export const BACKFILL_WRITER = 'backfill';

const SEGMENT = /^data\/usage\/(\d{4}-\d{2}-\d{2})\.jsonl$/;
/** Records added to the rollups at a time: memory stays bounded by this and the documents held. */
const BATCH = 5000;

export interface BackfillResult {
  /** Day segments read, and records added from them. */
  segments: number;
  records: number;
  /** Days left alone because a gateway instance already keeps rollups for them. */
  skippedDays: string[];
}

/**
 * Builds the rollups of the usage recorded before rollups existed (a home upgraded from an
 * earlier version), once: budgets warm their spend, and summaries answer, from rollups only, so
 * without this they would start from zero. Run it before the gateway serves, so that no record
 * is being added meanwhile; it streams each day segment line by line.
 *
 * A day that any gateway instance already keeps rollups for is left alone (its records are
 * counted, or would be twice). A backfill cut short (a crash) left documents of its own writer
 * but no marker: they are deleted and the backfill starts over. Returns undefined once done before.
 */
export async function backfillRollups(store: Store, logger: Logger): Promise<BackfillResult | undefined> {
  if ((await store.get(BACKFILL_MARKER)) !== null) return undefined;
  const coveredDays = new Set<string>();
  for (const key of await store.list(ROLLUP_ROOT)) {
    const parts = parseRollupKey(key);
    if (!parts) continue;
    if (parts.writer === BACKFILL_WRITER) await store.delete(key);
    else if (parts.granularity === 'day') coveredDays.add(parts.period);
    else if (parts.granularity === 'hour') coveredDays.add(parts.period.slice(0, 10));
  }
  const writer = new RollupWriter(store, logger, BACKFILL_WRITER, 0);
  const result: BackfillResult = { segments: 0, records: 0, skippedDays: [] };
  const segments = (await store.list('data/usage/')).filter((key) => SEGMENT.test(key)).sort();
  for (const key of segments) {
    const day = SEGMENT.exec(key)![1]!;
    if (coveredDays.has(day)) {
      result.skippedDays.push(day);
      continue;
    }
    result.segments++;
    let batch: UsageRecord[] = [];
    for await (const line of store.readLines(key)) {
      const record = parseRecord(line);
      if (!record) continue;
      batch.push(record);
      if (batch.length >= BATCH) {
        await writer.add(batch);
        result.records += batch.length;
        batch = [];
      }
    }
    await writer.add(batch);
    result.records += batch.length;
    // Written day by day: what is held in memory stays one day's (and month's) documents.
    await writer.write({ now: true });
  }
  await writer.write({ now: true });
  if (writer.unwritten > 0) {
    // Not marked done: the next start deletes what was written and builds it all again.
    logger.error('usage rollups from earlier records could not all be stored; the next start tries again', { unwritten: writer.unwritten });
    return result;
  }
  await store.put(BACKFILL_MARKER, `${JSON.stringify({ doneAt: new Date().toISOString(), ...result })}\n`);
  if (result.records > 0) logger.info('usage rollups built from earlier records', { segments: result.segments, records: result.records });
  return result;
}

/** A stored record, or undefined for a line that is not one (a line torn by a crash). */
function parseRecord(line: string): UsageRecord | undefined {
  try {
    const value = JSON.parse(line) as Partial<UsageRecord> | null;
    return value && typeof value === 'object' && typeof value.ts === 'string' && typeof value.projectId === 'string' ? (value as UsageRecord) : undefined;
  } catch {
    return undefined;
  }
}
