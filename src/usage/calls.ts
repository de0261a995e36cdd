import type { Store } from '../store.js';
import { decodeUsageCursor, encodeUsageCursor, type SegmentPosition } from './query.js';
import { isCallRecord, type UsageRecord } from './record.js';

/**
 * The call log: one row per call, newest first, for the dashboard's log page. A row is the call's
 * last record (isCallRecord): the one that says how the call ended, with the call's whole latency
 * and time to first byte (both are measured from the call's start) and how many attempts it took.
 * A routing judge's call is a row of its own (`endpoint: "routing"`), under the request id of the
 * call it judged, as it counts in the usage totals. Opening a row is GET /api/usage/:requestId.
 */
export interface CallRow {
  requestId: string;
  /** When the call started (the record's `ts`). */
  time: string;
  projectId: string;
  tokenId: string;
  /** The model that served it, or the last one tried. */
  model: string;
  endpoint: string;
  status: number;
  outcome: string;
  /** Of the last attempt; failed attempts before it are usually $0 and tokenless (open the call to see them). */
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  latencyMs: number;
  ttftMs: number | null;
  attempts: number;
  stream: boolean;
}

export interface CallFilter {
  projectId?: string;
  /** Only calls of these projects (those the caller may see); undefined: every project. */
  projectIds?: ReadonlySet<string>;
  model?: string;
  outcome?: string;
}

export interface CallPageRequest extends CallFilter {
  /** Rows per page: default DEFAULT_CALL_PAGE_SIZE, at most MAX_CALL_PAGE_SIZE. */
  limit?: number;
  /** The previous page's `nextCursor`; absent for the newest page. */
  cursor?: string;
}

export interface CallPage {
  calls: CallRow[];
  /** Pass it back as `cursor` for older calls; null when none are left (it may also lead to an empty page when filters match nothing older). */
  nextCursor: string | null;
}

export const DEFAULT_CALL_PAGE_SIZE = 50;
export const MAX_CALL_PAGE_SIZE = 500;

const SEGMENT = /^data\/usage\/\d{4}-\d{2}-\d{2}\.jsonl$/;
/** Rows before a line of a day segment, in cursors tagged `calls:`, so a /api/usage cursor is no log cursor. */
const CURSOR_TAG = 'calls';

export function encodeCallCursor(position: SegmentPosition): string {
  return encodeUsageCursor(position, CURSOR_TAG);
}

/** The position a cursor names; anything this API did not make is a 400. The key is only compared with listed keys, never read as given. */
export function decodeCallCursor(cursor: string): SegmentPosition {
  return decodeUsageCursor(cursor, CURSOR_TAG);
}

/**
 * Whether a line can be a call record that matches: a cheap test on the text, so that only
 * candidates are parsed. It never turns down a record the exact test (`matches`) would take, as
 * long as the record was written by JSON.stringify (the recorder): a value test looks for the
 * value's JSON text, and a record that is not a call's last has `"attempt":` and no `"routing":`.
 */
function candidate(line: string, needles: readonly string[]): boolean {
  if (!line.includes('"routing":') && line.includes('"attempt":')) return false;
  return needles.every((needle) => line.includes(needle));
}

function parse(line: string): UsageRecord | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && typeof (value as UsageRecord).ts === 'string' ? (value as UsageRecord) : undefined;
  } catch {
    return undefined; // a torn line
  }
}

function matches(record: UsageRecord, filter: CallFilter): boolean {
  if (!isCallRecord(record)) return false;
  if (filter.projectId !== undefined && record.projectId !== filter.projectId) return false;
  if (filter.projectIds !== undefined && !filter.projectIds.has(record.projectId)) return false;
  if (filter.model !== undefined && record.model !== filter.model) return false;
  if (filter.outcome !== undefined && record.outcome !== filter.outcome) return false;
  return true;
}

const number = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

export function callRow(record: UsageRecord): CallRow {
  return {
    requestId: record.requestId,
    time: record.ts,
    projectId: record.projectId,
    tokenId: record.tokenId,
    model: record.model,
    endpoint: record.endpoint,
    status: record.status,
    outcome: record.outcome,
    inputTokens: number(record.inputTokens),
    outputTokens: number(record.outputTokens),
    costUsd: number(record.costUsd),
    latencyMs: number(record.latencyMs),
    ttftMs: typeof record.ttftMs === 'number' ? record.ttftMs : null,
    attempts: record.attempt ?? 1,
    stream: record.stream === true,
  };
}

/** The last `size` items pushed, oldest first, and whether more were pushed before them. */
class Tail<T> {
  private readonly items: T[] = [];
  overflowed = false;

  constructor(private readonly size: number) {}

  push(item: T): void {
    this.items.push(item);
    // Trimmed in batches, so a long segment costs amortized O(1) a push, not a shift each.
    if (this.items.length >= this.size * 2 + 16) {
      this.items.splice(0, this.items.length - this.size);
      this.overflowed = true;
    }
  }

  values(): T[] {
    if (this.items.length > this.size) {
      this.overflowed = true;
      return this.items.slice(this.items.length - this.size);
    }
    return this.items;
  }
}

/**
 * One page of the call log, newest first. Day segments are listed and read newest first, and
 * only as many as the page needs: the newest page of a busy gateway reads today's segment (up to
 * the cursor, on later pages) and stops. The store reads a segment forward only, so within one it
 * keeps just the last `limit` matching rows as it goes (memory holds a page, never a day), and a
 * page costs reading its segment from the start to the cursor: cheap for the recent calls a log
 * page shows, and never the whole history.
 */
export async function queryCalls(store: Store, request: CallPageRequest): Promise<CallPage> {
  const limit = Math.min(Math.max(Math.trunc(request.limit ?? DEFAULT_CALL_PAGE_SIZE), 1), MAX_CALL_PAGE_SIZE);
  const before = request.cursor === undefined ? undefined : decodeCallCursor(request.cursor);
  const needles = [request.projectId, request.model, request.outcome].filter((value): value is string => value !== undefined).map((value) => JSON.stringify(value));
  const segments = (await store.list('data/usage/'))
    .filter((key) => SEGMENT.test(key) && (before === undefined || key <= before.key))
    .sort()
    .reverse();
  const calls: CallRow[] = [];
  for (const [index, key] of segments.entries()) {
    const upTo = before !== undefined && key === before.key ? before.line : Number.POSITIVE_INFINITY;
    const tail = new Tail<{ line: number; row: CallRow }>(limit - calls.length);
    let line = -1;
    for await (const text of store.readLines(key)) {
      line++;
      if (line >= upTo) break;
      if (!candidate(text, needles)) continue;
      const record = parse(text);
      if (record !== undefined && matches(record, request)) tail.push({ line, row: callRow(record) });
    }
    const found = tail.values();
    for (let i = found.length - 1; i >= 0; i--) calls.push(found[i]!.row);
    if (calls.length === limit) {
      const oldest = found[0]!;
      // Rows are left before the oldest one shown in this segment, or maybe in an older one.
      const more = tail.overflowed || index < segments.length - 1;
      return { calls, nextCursor: more ? encodeCallCursor({ key, line: oldest.line }) : null };
    }
  }
  return { calls, nextCursor: null };
}
