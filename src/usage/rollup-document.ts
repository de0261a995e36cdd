import { fromSparse, toSparse } from './latency-histogram.js';
import { emptySums, partCount, type RollupKeyParts, type RollupRow, type RollupSplitRow, type RollupSums } from './rollup.js';

/**
 * The stored form of one writer's rollup of one period:
 *
 *   {"format":"routerly-usage-rollup","version":2,"granularity":"day","period":"2026-11-23",
 *    "writer":"gw_…","columns":[…],"splitColumns":[…],"projects":[…],"tokens":[…],"models":[…],
 *    "rows":"[[0,0,1,…],…]","split":"[[10,0,…],…]"}
 *
 * Rows are arrays, not objects, and name their project, token and model by index into the three
 * lists; the charged figures are stored as what they add over the cost and tokens (usually 0).
 * Both keep documents about half the size. `rows` and `split` are JSON text inside the JSON
 * document (numbers only, so nothing in them needs escaping): parsing the document skims over
 * them, and a reader parses only the section it uses. A summary by day reads month documents'
 * splits and never pays for their rows. `split` is absent from hour documents.
 *
 * `columns` and `splitColumns` name each position, so that a reader can tell a document of
 * another layout from a corrupt one; a change of layout is a new `version`. Version 2 added
 * `fallbacks` and the two latency histograms (stored sparse: latency-histogram.ts); version 1
 * documents are still read, as having none of them.
 */
export const ROLLUP_FORMAT = 'routerly-usage-rollup';
export const ROLLUP_VERSION = 2;

/** The sums of a version 1 document. */
const SUM_COLUMNS_V1 = [
  'calls',
  'errors',
  'attempts',
  'inputTokens',
  'outputTokens',
  'cachedInputTokens',
  'cacheWriteTokens',
  'costNanoUsd',
  'chargedNanoUsdOverCost',
  'chargedTokensOverTokens',
  'latencyMsSum',
  'ttftMsSum',
  'ttftCount',
] as const;
const SUM_COLUMNS = [...SUM_COLUMNS_V1, 'fallbacks', 'latencyBuckets', 'ttftBuckets'] as const;

export const ROLLUP_COLUMNS = ['project', 'token', 'model', ...SUM_COLUMNS] as const;
export const ROLLUP_SPLIT_COLUMNS = ['part', 'project', ...SUM_COLUMNS] as const;
const ROLLUP_COLUMNS_V1 = ['project', 'token', 'model', ...SUM_COLUMNS_V1] as const;
const ROLLUP_SPLIT_COLUMNS_V1 = ['part', 'project', ...SUM_COLUMNS_V1] as const;

/** The column lists of each version this code reads. */
const LAYOUTS = {
  1: { columns: ROLLUP_COLUMNS_V1, splitColumns: ROLLUP_SPLIT_COLUMNS_V1 },
  2: { columns: ROLLUP_COLUMNS, splitColumns: ROLLUP_SPLIT_COLUMNS },
} as const;
type Version = keyof typeof LAYOUTS;

interface RollupDocumentJson {
  format: typeof ROLLUP_FORMAT;
  version: Version;
  granularity: RollupKeyParts['granularity'];
  period: string;
  writer: string;
  columns: readonly string[];
  splitColumns?: readonly string[];
  projects: string[];
  tokens: string[];
  models: string[];
  /** JSON text: number[][] */
  rows: string;
  /** JSON text: number[][]; absent in hour documents. */
  split?: string;
}

/** Index of each distinct value, in order of first use. */
class Dictionary {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();

  of(value: string): number {
    let at = this.index.get(value);
    if (at === undefined) {
      at = this.values.length;
      this.values.push(value);
      this.index.set(value, at);
    }
    return at;
  }
}

function encodeSums(s: RollupSums): (number | number[])[] {
  return [
    s.calls,
    s.errors,
    s.attempts,
    s.inputTokens,
    s.outputTokens,
    s.cachedInputTokens,
    s.cacheWriteTokens,
    s.costNanoUsd,
    s.chargedNanoUsd - s.costNanoUsd,
    s.chargedTokens - s.inputTokens - s.outputTokens,
    s.latencyMs,
    s.ttftMs,
    s.ttftCount,
    s.fallbacks,
    toSparse(s.latencyHistogram),
    toSparse(s.ttftHistogram),
  ];
}

/** `split` is left out of hour documents, which have none. */
export function encodeRollupDocument(parts: RollupKeyParts, rows: Iterable<RollupRow>, split: Iterable<RollupSplitRow>): string {
  const projects = new Dictionary();
  const tokens = new Dictionary();
  const models = new Dictionary();
  const encodedRows: (number | number[])[][] = [];
  for (const row of rows) encodedRows.push([projects.of(row.projectId), tokens.of(row.tokenId), models.of(row.model), ...encodeSums(row.sums)]);
  const encodedSplit: (number | number[])[][] = [];
  for (const row of split) encodedSplit.push([row.part, projects.of(row.projectId), ...encodeSums(row.sums)]);
  const hasSplit = parts.granularity !== 'hour';
  const document: RollupDocumentJson & { version: typeof ROLLUP_VERSION } = {
    format: ROLLUP_FORMAT,
    version: ROLLUP_VERSION,
    granularity: parts.granularity,
    period: parts.period,
    writer: parts.writer,
    columns: ROLLUP_COLUMNS,
    ...(hasSplit ? { splitColumns: ROLLUP_SPLIT_COLUMNS } : {}),
    projects: projects.values,
    tokens: tokens.values,
    models: models.values,
    rows: JSON.stringify(encodedRows),
    ...(hasSplit ? { split: JSON.stringify(encodedSplit) } : {}),
  };
  return JSON.stringify(document);
}

/** A document whose header has been checked; its sections are read on demand. */
export interface RollupDocument {
  /** The rows, or a reason they cannot be read (the whole document must then be skipped). */
  rows(): RollupRow[] | string;
  /** The split (empty for an hour document), or a reason it cannot be read. */
  split(): RollupSplitRow[] | string;
}

const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isSum = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;
const isIndex = (value: unknown, length: number): value is number => Number.isInteger(value) && (value as number) >= 0 && (value as number) < length;
const sameList = (value: unknown, expected: readonly string[]) =>
  Array.isArray(value) && value.length === expected.length && value.every((name, at) => name === expected[at]);

/** Why the sums at `offset` of a row are not what this format writes, or undefined when they are. */
function sumsProblem(row: unknown[], offset: number, version: Version): string | undefined {
  for (let column = offset; column < offset + 8; column++) if (!isCount(row[column])) return `${SUM_COLUMNS[column - offset]} is not a count`;
  if (!Number.isSafeInteger(row[offset + 8]) || !Number.isSafeInteger(row[offset + 9])) return 'a charged figure is not an integer';
  if (!isSum(row[offset + 10]) || !isSum(row[offset + 11]) || !isCount(row[offset + 12])) return 'a latency sum is not a number';
  if (version === 1) return undefined;
  if (!isCount(row[offset + 13])) return 'fallbacks is not a count';
  if (fromSparse(row[offset + 14]) === undefined || fromSparse(row[offset + 15]) === undefined) return 'a latency histogram is not one';
  return undefined;
}

/** A row's sums (checked by sumsProblem); a version 1 row has no fallbacks or histograms: 0 and empty. */
function sumsOf(row: unknown[], offset: number, version: Version): RollupSums {
  const sums = baseSumsOf(row as number[], offset);
  if (version === 1) return sums;
  sums.fallbacks = row[offset + 13] as number;
  sums.latencyHistogram = fromSparse(row[offset + 14])!;
  sums.ttftHistogram = fromSparse(row[offset + 15])!;
  return sums;
}

function baseSumsOf(row: number[], offset: number): RollupSums {
  const sums = emptySums();
  sums.calls = row[offset]!;
  sums.errors = row[offset + 1]!;
  sums.attempts = row[offset + 2]!;
  sums.inputTokens = row[offset + 3]!;
  sums.outputTokens = row[offset + 4]!;
  sums.cachedInputTokens = row[offset + 5]!;
  sums.cacheWriteTokens = row[offset + 6]!;
  sums.costNanoUsd = row[offset + 7]!;
  sums.chargedNanoUsd = row[offset + 7]! + row[offset + 8]!;
  sums.chargedTokens = row[offset + 3]! + row[offset + 4]! + row[offset + 9]!;
  sums.latencyMs = row[offset + 10]!;
  sums.ttftMs = row[offset + 11]!;
  sums.ttftCount = row[offset + 12]!;
  return sums;
}

/** The arrays of a section's JSON text, or a reason. */
function parseSection(text: unknown, width: number): unknown[][] | string {
  if (typeof text !== 'string') return 'a section is missing';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'a section is not JSON';
  }
  if (!Array.isArray(value)) return 'a section is not a list';
  for (const row of value) if (!Array.isArray(row) || row.length !== width) return `a row is not an array of ${width}`;
  return value as unknown[][];
}

function readRows(document: RollupDocumentJson): RollupRow[] | string {
  const version = document.version;
  const section = parseSection(document.rows, LAYOUTS[version].columns.length);
  if (typeof section === 'string') return section;
  const { projects, tokens, models } = document;
  const rows: RollupRow[] = [];
  for (const row of section) {
    if (!isIndex(row[0], projects.length) || !isIndex(row[1], tokens.length) || !isIndex(row[2], models.length)) return 'a row names no listed project, token or model';
    const problem = sumsProblem(row, 3, version);
    if (problem !== undefined) return problem;
    rows.push({ projectId: projects[row[0]]!, tokenId: tokens[row[1]]!, model: models[row[2]]!, sums: sumsOf(row, 3, version) });
  }
  return rows;
}

function readSplit(document: RollupDocumentJson): RollupSplitRow[] | string {
  if (document.granularity === 'hour') return [];
  const version = document.version;
  const section = parseSection(document.split, LAYOUTS[version].splitColumns.length);
  if (typeof section === 'string') return section;
  // Days of a month count from 1, hours of a day from 0.
  const first = document.granularity === 'month' ? 1 : 0;
  const parts = partCount(document.granularity, document.period);
  const rows: RollupSplitRow[] = [];
  for (const row of section) {
    if (!Number.isInteger(row[0]) || (row[0] as number) < first || (row[0] as number) >= first + parts) return 'a split row names no part of the period';
    if (!isIndex(row[1], document.projects.length)) return 'a split row names no listed project';
    const problem = sumsProblem(row, 2, version);
    if (problem !== undefined) return problem;
    rows.push({ part: row[0] as number, projectId: document.projects[row[1]]!, sums: sumsOf(row, 2, version) });
  }
  return rows;
}

/**
 * A stored document, its header checked against the key it was read from: one that is corrupt (a
 * torn write, a stray edit), of another format or version, or whose granularity, period or writer
 * differ from its key's is refused (a string: why), so the reader can skip it. Its sections are
 * checked when read.
 */
export function openRollupDocument(text: string, expected: RollupKeyParts): RollupDocument | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const document = value as RollupDocumentJson;
  if (document.format !== ROLLUP_FORMAT || !(document.version === 1 || document.version === ROLLUP_VERSION)) return 'not a rollup document of a version this gateway reads';
  const layout = LAYOUTS[document.version];
  if (document.granularity !== expected.granularity || document.period !== expected.period || document.writer !== expected.writer) {
    return 'its granularity, period or writer differ from its key';
  }
  if (!sameList(document.columns, layout.columns)) return 'unknown columns';
  if (document.granularity !== 'hour' && !sameList(document.splitColumns, layout.splitColumns)) return 'unknown split columns';
  if (!isStringList(document.projects) || !isStringList(document.tokens) || !isStringList(document.models)) return 'missing lists';
  return { rows: () => readRows(document), split: () => readSplit(document) };
}

export type DecodedRollup = { ok: true; rows: RollupRow[]; split: RollupSplitRow[] } | { ok: false; reason: string };

/** The whole of a document, both sections checked: for a writer resuming its own. */
export function decodeRollupDocument(text: string, expected: RollupKeyParts): DecodedRollup {
  const document = openRollupDocument(text, expected);
  if (typeof document === 'string') return { ok: false, reason: document };
  const rows = document.rows();
  if (typeof rows === 'string') return { ok: false, reason: rows };
  const split = document.split();
  if (typeof split === 'string') return { ok: false, reason: split };
  return { ok: true, rows, split };
}
