import { fromBase64Url, toBase64Url, utf8 } from '../crypto/encoding.js';
import { GatewayError } from '../errors.js';
import type { Store } from '../store.js';
import { addToTotals, emptyTotals, type UsageRecord, type UsageTotals } from './record.js';

export interface UsageFilter {
  projectId?: string;
  /** Only records of these projects (those the caller may see); undefined: every project. */
  projectIds?: ReadonlySet<string>;
  /** Inclusive lower bound, epoch ms. */
  from?: number;
  /** Inclusive upper bound, epoch ms. */
  to?: number;
}

export interface UsagePageRequest extends UsageFilter {
  /** At most this many records per page: default DEFAULT_USAGE_PAGE_SIZE, at most MAX_USAGE_PAGE_SIZE. */
  limit?: number;
  /** The previous page's `nextCursor`; absent for the first page. */
  cursor?: string;
}

export interface UsagePage {
  /** In the order they were recorded: day segments oldest first, file order within a day. */
  records: UsageRecord[];
  /**
   * Over every record that matches the filter, not just this page: on the first page (no cursor)
   * only, null on the pages after it (counting them again would read the whole range per page).
   */
  totals: UsageTotals | null;
  /** Pass it back as `cursor` for the next page; null when no more records match. */
  nextCursor: string | null;
}

export const DEFAULT_USAGE_PAGE_SIZE = 1000;
export const MAX_USAGE_PAGE_SIZE = 10_000;

const SEGMENT = /^data\/usage\/(\d{4}-\d{2}-\d{2})\.jsonl$/;
/** A cursor's content: a day segment's key and a line number in it. */
/** `<tag:><segment key>:<line>`: a tag tells one API's cursors from another's (the call log's are `calls:`). */
const CURSOR = /^(?:([a-z]+):)?(data\/usage\/\d{4}-\d{2}-\d{2}\.jsonl):(0|[1-9]\d{0,14})$/;
/** Longer than any cursor this API makes (about 60 characters). */
export const MAX_CURSOR_LENGTH = 200;

/** Where a page starts (or, for the call log, ends): the line of a day segment. */
export interface SegmentPosition {
  key: string;
  line: number;
}

/** The opaque cursor for a position: base64url of `[<tag>:]<segment key>:<line>`. */
export function encodeUsageCursor(position: SegmentPosition, tag?: string): string {
  return toBase64Url(utf8.encode(`${tag === undefined ? '' : tag + ':'}${position.key}:${position.line}`));
}

/**
 * The position a cursor names. A cursor is client input: anything but a well-formed day segment
 * key and line number is a 400. Its key is only ever compared with the keys listed under
 * `data/usage/`, never read as given, so no cursor can reach anything else.
 */
export function decodeUsageCursor(cursor: string, tag?: string): SegmentPosition {
  let text = '';
  if (cursor.length <= MAX_CURSOR_LENGTH) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(fromBase64Url(cursor));
    } catch {
      // Not base64url, or not UTF-8: refused below like any other garbage.
    }
  }
  const match = CURSOR.exec(text);
  // A cursor of another API (another tag, or none where one is due) is refused like garbage.
  if (!match || match[1] !== tag) throw new GatewayError('invalid_request', 'cursor: not a cursor this API returned', { param: 'cursor' });
  return { key: match[2]!, line: Number(match[3]) };
}

/**
 * The day segments that can hold records in [from, to], oldest first. Only keys of the segment
 * form are taken, so nothing but `data/usage/<day>.jsonl` is ever read.
 */
async function daySegments(store: Store, filter: UsageFilter): Promise<string[]> {
  const fromDay = filter.from === undefined ? '' : new Date(filter.from).toISOString().slice(0, 10);
  const toDay = filter.to === undefined ? '\uffff' : new Date(filter.to).toISOString().slice(0, 10);
  return (await store.list('data/usage/'))
    .filter((key) => {
      const day = SEGMENT.exec(key)?.[1];
      return day !== undefined && day >= fromDay && day <= toDay;
    })
    .sort();
}

/** A line's record, or undefined when it is torn or not a record (a crash mid-append, a stray edit). */
function parseRecord(line: string): UsageRecord | undefined {
  if (!line) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || typeof (value as UsageRecord).ts !== 'string') return undefined;
  return value as UsageRecord;
}

function matches(record: UsageRecord, filter: UsageFilter): boolean {
  if (filter.projectId !== undefined && record.projectId !== filter.projectId) return false;
  if (filter.projectIds !== undefined && !filter.projectIds.has(record.projectId)) return false;
  if (filter.from === undefined && filter.to === undefined) return true;
  const at = Date.parse(record.ts);
  if (filter.from !== undefined && !(at >= filter.from)) return false;
  if (filter.to !== undefined && !(at <= filter.to)) return false;
  return true;
}

/**
 * One page of usage for the management API, read line by line: memory holds the page, never a
 * whole day segment, however large. Only the day segments that overlap the range are read; this
 * is never on the proxy's request path.
 *
 * The first page (no cursor) reads every matching record, for the totals; a later page reads
 * from its cursor until it has `limit` records and knows whether one more follows. A cursor is a
 * position, not a snapshot: records appended after the first page show up on later pages.
 */
export async function queryUsage(store: Store, request: UsagePageRequest): Promise<UsagePage> {
  const limit = Math.min(Math.max(Math.trunc(request.limit ?? DEFAULT_USAGE_PAGE_SIZE), 1), MAX_USAGE_PAGE_SIZE);
  const start = request.cursor === undefined ? undefined : decodeUsageCursor(request.cursor);
  const totals = start === undefined ? emptyTotals() : null;
  const records: UsageRecord[] = [];
  let nextCursor: string | null = null;

  for (const key of await daySegments(store, request)) {
    // A cursor's segment may be gone (deleted): the page goes on from the next one after it.
    if (start !== undefined && key < start.key) continue;
    const fromLine = start !== undefined && key === start.key ? start.line : 0;
    let line = fromLine - 1;
    for await (const text of store.readLines(key, { fromLine })) {
      line++;
      const record = parseRecord(text);
      if (record === undefined || !matches(record, request)) continue;
      if (totals !== null) addToTotals(totals, record);
      if (records.length < limit) {
        records.push(record);
      } else if (nextCursor === null) {
        nextCursor = encodeUsageCursor({ key, line });
        // Past the page: only the totals need the rest.
        if (totals === null) return { records, totals, nextCursor };
      }
    }
  }
  return { records, totals, nextCursor };
}

/**
 * Every record of one call (its attempts, and a routing judge's call). Segments are read
 * newest first, line by line, and the search stops at the first day that has the call, plus the
 * day before it (a call that began just before midnight UTC writes into the day it began).
 */
export async function usageOfRequest(store: Store, requestId: string): Promise<UsageRecord[]> {
  const segments = (await store.list('data/usage/')).filter((key) => SEGMENT.test(key)).sort().reverse();
  const found: UsageRecord[] = [];
  let extra = -1;
  for (const key of segments) {
    if (extra === 0) break;
    for await (const line of store.readLines(key)) {
      // Cheap test first: most lines do not hold the id at all.
      if (!line.includes(requestId)) continue;
      const record = parseRecord(line); // a torn line is skipped, as in queryUsage
      if (record?.requestId === requestId) found.push(record);
    }
    if (found.length > 0) extra = extra === -1 ? 1 : extra - 1;
  }
  return found.sort((a, b) => (a.attempt ?? 0) - (b.attempt ?? 0));
}
