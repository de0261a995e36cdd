import { fromBase64Url, toBase64Url, utf8 } from '../crypto/encoding.js';
import { GatewayError } from '../errors.js';
import type { Store } from '../store.js';

/**
 * Paging through an append-only log kept as one JSON-lines file per UTC day
 * (`<prefix><YYYY-MM-DD>.jsonl`), read line by line with Store.readLines: memory holds one
 * page, never a whole day. The same scheme as the usage query (src/usage/query.ts), for any
 * such log; the audit log uses it.
 */

export interface DayLogPageRequest<T> {
  /** The folder of the day files, ending in `/`: `data/audit/`. */
  prefix: string;
  /** Inclusive bounds, epoch ms; each entry's own time is `timeOf(entry)`. */
  from?: number;
  to?: number;
  limit: number;
  /** The previous page's `nextCursor`. */
  cursor?: string;
  /** An entry from a line, or undefined for a torn or foreign line (skipped). */
  parse(line: string): T | undefined;
  timeOf(entry: T): number;
}

export interface DayLogPage<T> {
  /** In the order they were appended: days oldest first, file order within a day. */
  entries: T[];
  /** Pass it back as `cursor` for the next page; null when no more entries match. */
  nextCursor: string | null;
}

/** Longer than any cursor made here (a key of about 40 characters and a line number). */
const MAX_CURSOR_LENGTH = 200;

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The position a cursor names, or a 400. Its key is only compared with the listed day files, never read as given. */
function decodeCursor(prefix: string, cursor: string): { key: string; line: number } {
  let text = '';
  if (cursor.length <= MAX_CURSOR_LENGTH) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(fromBase64Url(cursor));
    } catch {
      // Not base64url, or not UTF-8: refused below like any other garbage.
    }
  }
  const match = new RegExp(`^(${escapeRegex(prefix)}\\d{4}-\\d{2}-\\d{2}\\.jsonl):(0|[1-9]\\d{0,14})$`).exec(text);
  if (!match) throw new GatewayError('invalid_request', 'cursor: not a cursor this API returned', { param: 'cursor' });
  return { key: match[1]!, line: Number(match[2]) };
}

const encodeCursor = (key: string, line: number) => toBase64Url(utf8.encode(`${key}:${line}`));

/** The day files that can hold entries in [from, to], oldest first; nothing but `<prefix><day>.jsonl` is ever read. */
async function dayFiles(store: Store, prefix: string, from: number | undefined, to: number | undefined): Promise<string[]> {
  const day = new RegExp(`^${escapeRegex(prefix)}(\\d{4}-\\d{2}-\\d{2})\\.jsonl$`);
  const fromDay = from === undefined ? '' : new Date(from).toISOString().slice(0, 10);
  const toDay = to === undefined ? '\uffff' : new Date(to).toISOString().slice(0, 10);
  return (await store.list(prefix))
    .filter((key) => {
      const name = day.exec(key)?.[1];
      return name !== undefined && name >= fromDay && name <= toDay;
    })
    .sort();
}

/**
 * One page of a day log: from the cursor (or the start) until `limit` entries are found and
 * one more is known to follow. A cursor is a position, not a snapshot: entries appended later
 * show up on later pages.
 */
export async function readDayLogPage<T>(store: Store, request: DayLogPageRequest<T>): Promise<DayLogPage<T>> {
  const start = request.cursor === undefined ? undefined : decodeCursor(request.prefix, request.cursor);
  const entries: T[] = [];
  for (const key of await dayFiles(store, request.prefix, request.from, request.to)) {
    // A cursor's day may be gone (deleted): the page goes on from the next one after it.
    if (start !== undefined && key < start.key) continue;
    const fromLine = start !== undefined && key === start.key ? start.line : 0;
    let line = fromLine - 1;
    for await (const text of store.readLines(key, { fromLine })) {
      line++;
      const entry = text ? request.parse(text) : undefined;
      if (entry === undefined) continue;
      const at = request.timeOf(entry);
      if (request.from !== undefined && !(at >= request.from)) continue;
      if (request.to !== undefined && !(at <= request.to)) continue;
      if (entries.length === request.limit) return { entries, nextCursor: encodeCursor(key, line) };
      entries.push(entry);
    }
  }
  return { entries, nextCursor: null };
}
