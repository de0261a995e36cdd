import type { Logger } from '../deps.js';
import type { Store } from '../store.js';
import { openRollupDocument } from './rollup-document.js';
import {
  HOUR_MS,
  MONTH_FOLDER,
  nextMonthStart,
  parseRollupKey,
  partPeriod,
  periodStart,
  rollupFolder,
  type Granularity,
  type RollupKeyParts,
  type RollupSums,
} from './rollup.js';

/** Whole UTC hours, both inclusive, as hour numbers since the epoch (ms / HOUR_MS). */
export interface HourRange {
  firstHour: number;
  lastHour: number;
}

/** A listed rollup document to read: its key and what the key says it holds. */
export interface RollupSource extends RollupKeyParts {
  key: string;
}

/**
 * One document to read, and which of its sections: its rows (per project, token and model), or
 * the parts of its split (per project) that the range covers.
 */
export interface RollupRead {
  source: RollupSource;
  section: 'rows' | 'split';
  /** With `split`: the days of the month, or hours of the day, in the range. */
  parts?: ReadonlySet<number>;
}

/** What a reader is handed for each row: a split row has no token or model. */
export interface RollupEntry {
  projectId: string;
  tokenId?: string;
  model?: string;
  sums: RollupSums;
}

/** Documents read at once: enough to hide the store's latency, few enough to keep memory flat. */
const READ_CONCURRENCY = 16;

const DAY_HOURS = 24;
const hourOf = (ms: number) => Math.floor(ms / HOUR_MS);
const isoHour = (hour: number) => new Date(hour * HOUR_MS).toISOString();

/**
 * Which periods cover a range of hours: whole months as month documents, whole days as day
 * documents and the hours at its edges as hour documents, none coarser than `coarsest` (a summary
 * by day cannot take a month's rows; a summary by hour takes hours only).
 */
export function periodsCovering(range: HourRange, coarsest: Granularity): Record<Granularity, string[]> {
  const periods: Record<Granularity, string[]> = { hour: [], day: [], month: [] };
  let hour = range.firstHour;
  while (hour <= range.lastHour) {
    const iso = isoHour(hour);
    if (coarsest === 'month' && iso.slice(8, 13) === '01T00') {
      const month = iso.slice(0, 7);
      const end = hourOf(nextMonthStart(month));
      if (end - 1 <= range.lastHour) {
        periods.month.push(month);
        hour = end;
        continue;
      }
    }
    if (coarsest !== 'hour' && hour % DAY_HOURS === 0 && hour + DAY_HOURS - 1 <= range.lastHour) {
      periods.day.push(iso.slice(0, 10));
      hour += DAY_HOURS;
      continue;
    }
    periods.hour.push(iso.slice(0, 13));
    hour++;
  }
  return periods;
}

/**
 * The range cut to the months that hold any rollup (every record is in its month's documents):
 * an open range (`from` = 0, or a `to` far ahead) then costs no more than the data it spans.
 * Undefined when nothing at all lies in the range.
 */
async function clampToData(store: Store, range: HourRange): Promise<{ range: HourRange; monthSources: RollupSource[] } | undefined> {
  const monthSources = sourcesIn(await store.list(MONTH_FOLDER), 'month');
  if (monthSources.length === 0) return undefined;
  const months = monthSources.map((source) => source.period).sort();
  const firstHour = Math.max(range.firstHour, hourOf(periodStart('month', months[0]!)));
  const lastHour = Math.min(range.lastHour, hourOf(nextMonthStart(months.at(-1)!)) - 1);
  return firstHour > lastHour ? undefined : { range: { firstHour, lastHour }, monthSources };
}

function sourcesIn(keys: string[], granularity: Granularity): RollupSource[] {
  const sources: RollupSource[] = [];
  for (const key of keys) {
    const parts = parseRollupKey(key);
    if (parts?.granularity === granularity) sources.push({ key, ...parts });
  }
  return sources;
}

/** Every writer's documents of the given periods, listed folder by folder. */
async function sourcesOf(store: Store, granularity: Granularity, periods: string[]): Promise<RollupSource[]> {
  if (periods.length === 0) return [];
  const wanted = new Set(periods);
  const folders = [...new Set(periods.map((period) => rollupFolder(granularity, period)))];
  const listed = await Promise.all(folders.map((folder) => store.list(folder)));
  return sourcesIn(listed.flat(), granularity).filter((source) => wanted.has(source.period));
}

/**
 * The documents, of every writer, whose rows together hold each record of the range exactly
 * once: month, day and hour documents as periodsCovering splits it, none coarser than `coarsest`.
 * For what needs tokens or models.
 */
export async function rowReadsFor(store: Store, range: HourRange, coarsest: Granularity): Promise<RollupRead[]> {
  const clamped = await clampToData(store, range);
  if (clamped === undefined) return [];
  const periods = periodsCovering(clamped.range, coarsest);
  const months = new Set(periods.month);
  const [days, hours] = await Promise.all([sourcesOf(store, 'day', periods.day), sourcesOf(store, 'hour', periods.hour)]);
  const sources = [...clamped.monthSources.filter((source) => months.has(source.period)), ...days, ...hours];
  return sources.map((source) => ({ source, section: 'rows' }));
}

/** The parts of month splits (days) and day splits (hours) that cover a range, by document period. */
export interface SplitParts {
  daysOfMonth: Map<string, Set<number>>;
  hoursOfDay: Map<string, Set<number>>;
}

/**
 * How month and day splits cover a range: its whole days as days of month splits (unless `unit`
 * is `hour`), every other hour as an hour of its day's split.
 */
export function splitPartsCovering(range: HourRange, unit: 'day' | 'hour'): SplitParts {
  const parts: SplitParts = { daysOfMonth: new Map(), hoursOfDay: new Map() };
  const add = (map: Map<string, Set<number>>, period: string, part: number) => {
    const set = map.get(period);
    if (set) set.add(part);
    else map.set(period, new Set([part]));
  };
  let hour = range.firstHour;
  while (hour <= range.lastHour) {
    const iso = isoHour(hour);
    if (unit === 'day' && hour % DAY_HOURS === 0 && hour + DAY_HOURS - 1 <= range.lastHour) {
      add(parts.daysOfMonth, iso.slice(0, 7), Number(iso.slice(8, 10)));
      hour += DAY_HOURS;
    } else {
      add(parts.hoursOfDay, iso.slice(0, 10), Number(iso.slice(11, 13)));
      hour++;
    }
  }
  return parts;
}

/**
 * The documents, of every writer, whose splits together hold each record of the range exactly
 * once, per project: month documents for whole days (unless `unit` is `hour`), day documents for
 * the other hours. For summaries by project, day or hour, and a project's budgets: a month by day
 * is one document per writer.
 */
export async function splitReadsFor(store: Store, range: HourRange, unit: 'day' | 'hour'): Promise<RollupRead[]> {
  const clamped = await clampToData(store, range);
  if (clamped === undefined) return [];
  const { daysOfMonth, hoursOfDay } = splitPartsCovering(clamped.range, unit);
  const reads: RollupRead[] = [];
  for (const source of clamped.monthSources) {
    const parts = daysOfMonth.get(source.period);
    if (parts) reads.push({ source, section: 'split', parts });
  }
  for (const source of await sourcesOf(store, 'day', [...hoursOfDay.keys()])) {
    reads.push({ source, section: 'split', parts: hoursOfDay.get(source.period)! });
  }
  return reads;
}

/**
 * Reads each document and hands each entry of the section asked for to `visit`, with the period
 * it covers (the document's for a row, the day or hour for a split row), a few documents at a
 * time; nothing is kept after `visit` returns. A document that is gone (deleted since it was
 * listed) is skipped; one that is corrupt or foreign is skipped whole with a warning, never
 * failing the read.
 */
export async function visitRollups(
  store: Store,
  reads: readonly RollupRead[],
  logger: Logger,
  visit: (entry: RollupEntry, period: string) => void,
): Promise<void> {
  let next = 0;
  const skip = (read: RollupRead, reason: string) => logger.warn('usage rollup skipped: not a valid document', { key: read.source.key, reason });
  const reader = async () => {
    while (next < reads.length) {
      const read = reads[next++]!;
      const { source } = read;
      const text = await store.get(source.key);
      if (text === null) continue;
      const document = openRollupDocument(text, source);
      if (typeof document === 'string') {
        skip(read, document);
        continue;
      }
      if (read.section === 'rows') {
        const rows = document.rows();
        if (typeof rows === 'string') skip(read, rows);
        else for (const row of rows) visit(row, source.period);
        continue;
      }
      const split = document.split();
      if (typeof split === 'string') {
        skip(read, split);
        continue;
      }
      for (const row of split) {
        if (read.parts === undefined || read.parts.has(row.part)) visit(row, partPeriod(source.granularity, source.period, row.part));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, reads.length) }, reader));
}
