/**
 * The append-only logs of the Redis store (storage/redis/store.ts): how a log is laid out in Redis,
 * the two server-side scripts that write and open one, and the batched reader of its pieces.
 *
 * A log is not one Redis string: a string caps at 512 MB and GETRANGE from the start costs the
 * offset, while a day of usage records can reach gigabytes. Each `append` is one piece instead:
 * - `pieces`, a LIST of the appended texts, in append order (RPUSH);
 * - `lines`, a parallel LIST with one shape per piece: `2 * newlines + endsWithNewline`, where
 *   `newlines` counts the `\n` of that piece *and every piece before it*. Cumulative, so `fromLine`
 *   finds the first piece to read by binary search (O(log pieces) LINDEX in one script) instead of
 *   reading every count, and a paged listing that resumes deep into a day stays cheap;
 * - `id`, a STRING naming this incarnation of the log, so a reader notices when `put` or `delete`
 *   replaced the log under it and stops (it yields a prefix of the old log, never a mix of two).
 * One Lua script writes all three, so no reader sees a piece without its shape, and appends from
 * any number of connections interleave whole pieces.
 */
import { randomUUID } from 'node:crypto';
import type { RedisClient } from './client.js';
import { LuaScript } from './lua-script.js';

/** The Redis keys behind one store key (see store.ts for the names). */
export interface KeyNames {
  /** STRING: the document. */
  doc: string;
  /** LIST: the log's pieces. */
  pieces: string;
  /** LIST: each piece's cumulative shape (see the top of this file). */
  lines: string;
  /** STRING: the log's incarnation. */
  id: string;
  /** ZSET: every store key, for `list`. */
  index: string;
}

/**
 * KEYS: doc, pieces, lines, id, index. ARGV: text, its count of `\n`, 1 when it ends with `\n`
 * (else 0), the store key, an id for a log this append creates.
 *
 * Appending to a document turns it into a log whose first piece is the document (a key is one or
 * the other): a one-time cost of the document's size, after which appends cost the same however
 * long the log is. Appending '' to a log adds no piece; to a missing key it creates an empty log.
 */
const APPEND_LUA = `
local text = ARGV[1]
local doc = redis.call('GET', KEYS[1])
if doc then
  if text == '' then return 0 end
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[4], ARGV[5])
  if doc ~= '' then
    local newlines, at = 0, 1
    while true do
      local found = string.find(doc, '\\n', at, true)
      if not found then break end
      newlines = newlines + 1
      at = found + 1
    end
    local ends = 0
    if string.sub(doc, -1) == '\\n' then ends = 1 end
    redis.call('RPUSH', KEYS[2], doc)
    redis.call('RPUSH', KEYS[3], string.format('%.0f', 2 * newlines + ends))
  end
end
local last = redis.call('LINDEX', KEYS[3], -1)
if last and text == '' then return 0 end
if not last and not doc then redis.call('SET', KEYS[4], ARGV[5]) end
local before = 0
if last then before = math.floor(tonumber(last) / 2) end
redis.call('RPUSH', KEYS[2], text)
redis.call('RPUSH', KEYS[3], string.format('%.0f', 2 * (before + tonumber(ARGV[2])) + tonumber(ARGV[3])))
redis.call('ZADD', KEYS[5], 0, ARGV[4])
return 1
`;

/**
 * KEYS: doc, pieces, lines, id. ARGV: fromLine.
 * Returns {'doc', text}, {'none'}, or {'log', id, pieceCount, firstPiece, linesSkipped}: the pieces
 * before `firstPiece` hold only lines before `fromLine` (LineSplitter.skipPiece's rule, applied to a
 * whole run of pieces at once), and `linesSkipped` is how many line breaks they hold.
 * One script, so the kind, the length and the skip are read from one state of the key.
 */
const OPEN_LUA = `
local doc = redis.call('GET', KEYS[1])
if doc then return {'doc', doc} end
local count = redis.call('LLEN', KEYS[2])
if count == 0 then return {'none'} end
local id = redis.call('GET', KEYS[4]) or ''
local skip = tonumber(ARGV[1])
local first, skipped = 0, 0
if skip > 0 then
  local function shape(i) return tonumber(redis.call('LINDEX', KEYS[3], i)) end
  local lo, hi = 0, count
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if math.floor(shape(mid) / 2) < skip then lo = mid + 1 else hi = mid end
  end
  first = lo
  if first > 0 then skipped = math.floor(shape(first - 1) / 2) end
  if first < count then
    local s = shape(first)
    local total = math.floor(s / 2)
    if total == skip and s % 2 == 1 and total > skipped then
      first = first + 1
      skipped = total
    end
  end
end
return {'log', id, count, first, skipped}
`;

const appendScript = new LuaScript(APPEND_LUA);
const openScript = new LuaScript(OPEN_LUA);

export function countNewlines(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

export async function appendPiece(client: RedisClient, names: KeyNames, key: string, text: string): Promise<void> {
  const keys = [names.doc, names.pieces, names.lines, names.id, names.index];
  await appendScript.run(client, keys, [text, countNewlines(text), text.endsWith('\n') ? 1 : 0, key, randomUUID()]);
}

/** What a key holds when a read starts. */
export type Opened =
  | { kind: 'none' }
  | { kind: 'doc'; text: string }
  /** Pieces `firstPiece` to `pieceCount - 1` are to be read; the ones before hold `linesSkipped` lines. */
  | { kind: 'log'; id: string; pieceCount: number; firstPiece: number; linesSkipped: number };

export async function openKey(client: RedisClient, names: KeyNames, fromLine: number): Promise<Opened> {
  const reply = (await openScript.run(client, [names.doc, names.pieces, names.lines, names.id], [fromLine])) as unknown[];
  if (reply[0] === 'doc') return { kind: 'doc', text: String(reply[1]) };
  if (reply[0] !== 'log') return { kind: 'none' };
  return { kind: 'log', id: String(reply[1]), pieceCount: Number(reply[2]), firstPiece: Number(reply[3]), linesSkipped: Number(reply[4]) };
}

/** Pieces per LRANGE at first; later batches are sized from the pieces seen so far. */
const FIRST_BATCH_PIECES = 16;
/** What one batch aims to hold (UTF-16 code units): a reader's memory is about this much. */
const BATCH_TARGET_CHARS = 1 << 20;
/** Many tiny pieces (one record per append) still come in few round trips, but not unboundedly many. */
const MAX_BATCH_PIECES = 1024;

/**
 * The pieces of an opened log from `firstPiece` to the length it had when opened (appends made
 * later are left for a later read, so a busy log cannot keep a reader going forever), in LRANGE
 * batches of about BATCH_TARGET_CHARS. Stops early when the log was deleted or replaced meanwhile.
 */
export async function* readPieces(client: RedisClient, names: KeyNames, log: Extract<Opened, { kind: 'log' }>): AsyncGenerator<string> {
  let next = log.firstPiece;
  let batchSize = FIRST_BATCH_PIECES;
  let piecesRead = 0;
  let charsRead = 0;
  while (next < log.pieceCount) {
    const last = Math.min(next + batchSize, log.pieceCount) - 1;
    // One transaction, so the id checked is the one of the log these pieces come from.
    const replies = await client.multi().get(names.id).lrange(names.pieces, next, last).exec();
    if (replies === null) throw new Error('redis store: a read transaction was aborted');
    const [[idError, id], [rangeError, pieces]] = replies as [[Error | null, unknown], [Error | null, unknown]];
    if (idError) throw idError;
    if (rangeError) throw rangeError;
    if (id !== log.id) return;
    const texts = pieces as string[];
    for (const text of texts) {
      charsRead += text.length;
      yield text;
    }
    if (texts.length < last - next + 1) return; // trimmed under us: cannot happen through the store
    next = last + 1;
    piecesRead += texts.length;
    const average = Math.max(1, charsRead / piecesRead);
    batchSize = Math.max(1, Math.min(MAX_BATCH_PIECES, Math.floor(BATCH_TARGET_CHARS / average)));
  }
}
