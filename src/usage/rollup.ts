import { chargeOf, isCallRecord, type UsageRecord } from './record.js';
import { NANO_PER_USD } from './cost.js';
import { addHistogram, countLatency } from './latency-histogram.js';

/**
 * Usage rollups: sums of the raw records per (period, project, token, model), so that summaries
 * and budget warm-up never read raw records. Three granularities, each in documents of its own:
 *
 *   data/rollups/hour/<YYYY-MM-DD>/<YYYY-MM-DDTHH>.<writer>.json   one hour's rows
 *   data/rollups/day/<YYYY-MM>/<YYYY-MM-DD>.<writer>.json          one day's rows, and its hours per project
 *   data/rollups/month/<YYYY-MM>.<writer>.json                     one month's rows, and its days per project
 *
 * Each document holds the rows of one period as one writer (one gateway instance) saw them: no two
 * writers ever write the same document, because KV has no atomic read-modify-write and many
 * isolates write at once. Readers add up every writer's documents. A document holds at most one
 * row per (project, token, model), so the one a writer rewrites after each batch stays small
 * however many records its period has; a month's summary reads one document per writer.
 *
 * Day and month documents also split their period one level down, per project only (the
 * `split`): a month's days, a day's hours. Summaries by project, day or hour, and budgets of a
 * project, read those instead of the finer documents: a month by day is one document per writer,
 * not one per writer and day.
 */

export type Granularity = 'hour' | 'day' | 'month';
export const GRANULARITIES: readonly Granularity[] = ['hour', 'day', 'month'];

export const HOUR_MS = 3_600_000;

/** What a rollup row sums over its records. */
export interface RollupSums {
  /** Calls (isCallRecord: a call's last attempt, or a record without attempts), as `requests` in UsageTotals. */
  calls: number;
  /** Calls whose outcome was not `ok`. */
  errors: number;
  /** Every record: each upstream attempt. */
  attempts: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  costNanoUsd: number;
  /** What budgets were charged (chargeOf), in nano-dollars and tokens. */
  chargedNanoUsd: number;
  chargedTokens: number;
  /** Sum of every record's latencyMs (so divided by `attempts` for the mean). */
  latencyMs: number;
  /** Sum of ttftMs over the records that have one, and how many do. */
  ttftMs: number;
  ttftCount: number;
  /**
   * Calls served after at least one failed attempt (a retry of the same model, or a fallback to
   * another): a call whose last record is a success with an attempt number above 1.
   */
  fallbacks: number;
  /**
   * Counts of the calls' latencies (a call's last record: from the call's start to its end) and
   * times to first byte, by bucket of latency-histogram.ts, for percentiles. Absent in rollups
   * written before them (version 1 documents): empty.
   */
  latencyHistogram: number[];
  ttftHistogram: number[];
}

/** The sums that are plain numbers, added one by one; the histograms are added bucket by bucket. */
const NUMBER_SUMS = [
  'calls',
  'errors',
  'attempts',
  'inputTokens',
  'outputTokens',
  'cachedInputTokens',
  'cacheWriteTokens',
  'costNanoUsd',
  'chargedNanoUsd',
  'chargedTokens',
  'latencyMs',
  'ttftMs',
  'ttftCount',
  'fallbacks',
] as const satisfies ReadonlyArray<keyof RollupSums>;

export function emptySums(): RollupSums {
  return {
    calls: 0,
    errors: 0,
    attempts: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    costNanoUsd: 0,
    chargedNanoUsd: 0,
    chargedTokens: 0,
    latencyMs: 0,
    ttftMs: 0,
    ttftCount: 0,
    fallbacks: 0,
    latencyHistogram: [],
    ttftHistogram: [],
  };
}

/** A number a record carries, or 0: one malformed field must not turn a whole document's sums into NaN. */
function finite(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** USD as whole nano-dollars: record costs are already rounded to a nano-dollar (cost.ts), so this is exact. */
export function toNanoUsd(usd: number): number {
  return Math.round(finite(usd) * NANO_PER_USD);
}

export function addRecordToSums(sums: RollupSums, record: UsageRecord): void {
  sums.attempts++;
  if (isCallRecord(record)) {
    sums.calls++;
    if (record.outcome !== 'ok') sums.errors++;
    else if (typeof record.attempt === 'number' && record.attempt > 1) sums.fallbacks++;
    countLatency(sums.latencyHistogram, record.latencyMs);
    countLatency(sums.ttftHistogram, record.ttftMs);
  }
  sums.inputTokens += finite(record.inputTokens);
  sums.outputTokens += finite(record.outputTokens);
  sums.cachedInputTokens += finite(record.cachedInputTokens);
  sums.cacheWriteTokens += finite(record.cacheWriteTokens);
  sums.costNanoUsd += toNanoUsd(record.costUsd);
  const charge = chargeOf(record);
  sums.chargedNanoUsd += toNanoUsd(charge.usd);
  sums.chargedTokens += finite(charge.tokens);
  sums.latencyMs += finite(record.latencyMs);
  if (typeof record.ttftMs === 'number' && Number.isFinite(record.ttftMs)) {
    sums.ttftMs += record.ttftMs;
    sums.ttftCount++;
  }
}

export function addSums(into: RollupSums, from: RollupSums): void {
  for (const key of NUMBER_SUMS) into[key] += from[key];
  addHistogram(into.latencyHistogram, from.latencyHistogram);
  addHistogram(into.ttftHistogram, from.ttftHistogram);
}

/** What a row of a rollup document is for. */
export type RowDimensions = Pick<UsageRecord, 'projectId' | 'tokenId' | 'model'>;

/** One row of a rollup document: the sums of one (project, token, model) over the document's period. */
export interface RollupRow {
  projectId: string;
  tokenId: string;
  model: string;
  sums: RollupSums;
}

/**
 * One row of a document's split: the sums of one project over one part of the period, the day of
 * the month (1–31) in a month document, the hour of the day (0–23) in a day document.
 */
export interface RollupSplitRow {
  part: number;
  projectId: string;
  sums: RollupSums;
}

/** The rows of one period, and its split: records are added one by one. */
export class RollupTable {
  /** project → token → model → row: exact for any ids, and no key string to build per record. */
  private readonly byDimensions = new Map<string, Map<string, Map<string, RollupRow>>>();
  /** part → project → split row. */
  private readonly byPart = new Map<number, Map<string, RollupSplitRow>>();
  private rowCount = 0;

  get size(): number {
    return this.rowCount;
  }

  *rows(): IterableIterator<RollupRow> {
    for (const byToken of this.byDimensions.values()) for (const byModel of byToken.values()) yield* byModel.values();
  }

  *splitRows(): IterableIterator<RollupSplitRow> {
    for (const byProject of this.byPart.values()) yield* byProject.values();
  }

  /** `part`: where the record falls in the period's split (partOf); undefined in an hour document, which has none. */
  add(record: UsageRecord, part: number | undefined): void {
    const sums = emptySums();
    addRecordToSums(sums, record);
    this.addGroupSums(record, sums, part);
  }

  /**
   * The same with the sums already made (addRecordToSums): a writer sums its batch per group of
   * records and adds each group's sums to its three documents.
   */
  addGroupSums(dimensions: RowDimensions, sums: RollupSums, part: number | undefined): void {
    addSums(this.rowFor(dimensions.projectId, dimensions.tokenId, dimensions.model).sums, sums);
    if (part !== undefined) addSums(this.splitRowFor(part, dimensions.projectId).sums, sums);
  }

  /** Adds rows read back from a document (this writer's own, when it resumes a period). */
  addRow(row: RollupRow): void {
    addSums(this.rowFor(row.projectId, row.tokenId, row.model).sums, row.sums);
  }

  addSplitRow(row: RollupSplitRow): void {
    addSums(this.splitRowFor(row.part, row.projectId).sums, row.sums);
  }

  private rowFor(projectId: string, tokenId: string, model: string): RollupRow {
    let byToken = this.byDimensions.get(projectId);
    if (!byToken) this.byDimensions.set(projectId, (byToken = new Map()));
    let byModel = byToken.get(tokenId);
    if (!byModel) byToken.set(tokenId, (byModel = new Map()));
    let row = byModel.get(model);
    if (!row) {
      row = { projectId, tokenId, model, sums: emptySums() };
      byModel.set(model, row);
      this.rowCount++;
    }
    return row;
  }

  private splitRowFor(part: number, projectId: string): RollupSplitRow {
    let byProject = this.byPart.get(part);
    if (!byProject) this.byPart.set(part, (byProject = new Map()));
    let row = byProject.get(projectId);
    if (!row) {
      row = { part, projectId, sums: emptySums() };
      byProject.set(projectId, row);
    }
    return row;
  }
}

/** The periods a record's timestamp falls in: `2026-11-23T10`, `2026-11-23`, `2026-11` (UTC). */
export type RecordPeriods = Record<Granularity, string>;

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Undefined for a timestamp that is no date: such a record cannot be placed in any period. */
export function periodsOf(ts: string): RecordPeriods | undefined {
  let iso = ts;
  // The recorder writes toISOString() (UTC, `Z`): read it as is. Anything else is normalized first.
  if (!ISO_UTC.test(ts)) {
    const ms = Date.parse(ts);
    if (!Number.isFinite(ms)) return undefined;
    iso = new Date(ms).toISOString();
    // Years past 9999 come out as `+010000-…`, which no period key can hold.
    if (!ISO_UTC.test(iso)) return undefined;
  }
  return { hour: iso.slice(0, 13), day: iso.slice(0, 10), month: iso.slice(0, 7) };
}

/** Where a record falls in the split of its document of `granularity`: its day of the month, its hour of the day, or nothing. */
export function partOf(granularity: Granularity, periods: RecordPeriods): number | undefined {
  if (granularity === 'month') return Number(periods.day.slice(8, 10));
  if (granularity === 'day') return Number(periods.hour.slice(11, 13));
  return undefined;
}

/** The period a part of a document's split stands for: `2026-11-23` in month `2026-11`, `2026-11-23T10` in day `2026-11-23`. */
export function partPeriod(granularity: Granularity, period: string, part: number): string {
  return `${period}${granularity === 'month' ? '-' : 'T'}${String(part).padStart(2, '0')}`;
}

/** How many parts the split of a document has: the days of its month, 24 hours, none for an hour. */
export function partCount(granularity: Granularity, period: string): number {
  if (granularity === 'day') return 24;
  if (granularity === 'hour') return 0;
  return Math.round((nextMonthStart(period) - periodStart('month', period)) / (24 * HOUR_MS));
}

/** The writer segment of a document key: the instance id, reduced to the characters a key allows (no `.`: it separates). */
export function rollupWriterName(instanceId: string): string {
  const name = instanceId.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
  return name === '' ? 'gw' : name;
}

export const ROLLUP_ROOT = 'data/rollups/';
export const MONTH_FOLDER = `${ROLLUP_ROOT}month/`;

/** The folder that holds the documents of a period, every writer's: listed by readers. */
export function rollupFolder(granularity: Granularity, period: string): string {
  switch (granularity) {
    case 'hour':
      return `${ROLLUP_ROOT}hour/${period.slice(0, 10)}/`;
    case 'day':
      return `${ROLLUP_ROOT}day/${period.slice(0, 7)}/`;
    case 'month':
      return MONTH_FOLDER;
  }
}

/** The document one writer keeps for one period. */
export function rollupKey(granularity: Granularity, period: string, writer: string): string {
  return `${rollupFolder(granularity, period)}${period}.${writer}.json`;
}

export interface RollupKeyParts {
  granularity: Granularity;
  period: string;
  writer: string;
}

const KEY_FORMS: Array<[Granularity, RegExp]> = [
  ['hour', /^data\/rollups\/hour\/(\d{4}-\d{2}-\d{2})\/(\1T\d{2})\.([A-Za-z0-9_-]+)\.json$/],
  ['day', /^data\/rollups\/day\/(\d{4}-\d{2})\/(\1-\d{2})\.([A-Za-z0-9_-]+)\.json$/],
  ['month', /^data\/rollups\/month\/()(\d{4}-\d{2})\.([A-Za-z0-9_-]+)\.json$/],
];

/** What a listed key names, or undefined for anything that is not a rollup document's key (a stray file). */
export function parseRollupKey(key: string): RollupKeyParts | undefined {
  for (const [granularity, form] of KEY_FORMS) {
    const match = form.exec(key);
    if (match) return { granularity, period: match[2]!, writer: match[3]! };
  }
  return undefined;
}

/** Epoch ms at which a period starts (UTC). */
export function periodStart(granularity: Granularity, period: string): number {
  switch (granularity) {
    case 'hour':
      return Date.parse(`${period}:00:00.000Z`);
    case 'day':
      return Date.parse(`${period}T00:00:00.000Z`);
    case 'month':
      return Date.parse(`${period}-01T00:00:00.000Z`);
  }
}

/** Epoch ms at which the month after `month` (`YYYY-MM`) starts. */
export function nextMonthStart(month: string): number {
  const start = new Date(periodStart('month', month));
  return Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1);
}
