/**
 * Store on Cloudflare Workers KV. Runs inside workerd, so only Web APIs here (no node:*, Buffer, process).
 *
 * KV cannot append, and rewriting a whole log per append would make each append cost the log's size
 * (and lose writes between isolates). So each appended piece is its own KV entry under
 * `<key>~<sortable suffix>`; `get` concatenates the document (if any) and the pieces in key order.
 * `~` can never occur in a valid store key, so piece entries cannot collide with keys.
 *
 * KV is eventually consistent across locations: the atomicity `Store.put` promises holds per KV
 * entry (last write wins), and a log read right after an append elsewhere may miss the newest pieces.
 *
 * `readLines` reads the pieces one list page at a time (KV lists keys in order), a few pieces at
 * once. Each piece is written with metadata `{newlines, endsWithNewline}` (its count of `\n`, and
 * whether it ends with one), so `fromLine` skips whole pieces from the listing alone, unread.
 * Pieces without it (written before this, or by another writer) are read to be counted.
 */
import { randomBytes, toHex } from '../src/crypto/encoding.js';
import { assertValidKey, assertValidPrefix, fromLineOption, isValidKey, LineSplitter, type Store } from '../src/store.js';

/** The part of a Workers `KVNamespace` binding this driver uses (structural, no workers-types). */
export interface KVNamespaceLike {
  get(key: string, type: 'text'): Promise<string | null>;
  put(key: string, value: string, options?: { metadata?: unknown }): Promise<void>;
  delete(key: string): Promise<void>;
  list(options: { prefix: string; cursor?: string; limit?: number }): Promise<{
    keys: { name: string; metadata?: unknown }[];
    list_complete: boolean;
    cursor?: string;
  }>;
}

const PIECE_SEPARATOR = '~';
/** Workers KV refuses longer keys. */
const MAX_KV_KEY_LENGTH = 512;
/** Tick digits + random hex digits, see nextPieceSuffix. */
const PIECE_SUFFIX_LENGTH = 16 + 8;
/** Valid store keys may be 512 characters, but a log's pieces need room for their suffix. */
const MAX_LOG_KEY_LENGTH = MAX_KV_KEY_LENGTH - PIECE_SEPARATOR.length - PIECE_SUFFIX_LENGTH;
/** The most entries one `list` call may return. */
const LIST_PAGE_SIZE = 1000;
/** Reads/deletes in flight at once, to stay well inside the per-request subrequest limits. */
const BATCH_SIZE = 50;
/** Pieces `readLines` reads at once: its memory is about this many pieces and one list page. */
const READ_LINES_BATCH_SIZE = 16;

export function createKvStore(kv: KVNamespaceLike): Store {
  const pieceNames = async (key: string) => (await listNames(kv, key + PIECE_SEPARATOR)).sort();

  return {
    async get(key) {
      assertValidKey(key);
      const [document, names] = await Promise.all([kv.get(key, 'text'), pieceNames(key)]);
      if (names.length === 0) return document;
      const pieces = await inBatches(names, (name) => kv.get(name, 'text'));
      // A piece deleted between list and get (a concurrent delete) simply drops out.
      if (document === null && pieces.every((piece) => piece === null)) return null;
      return (document ?? '') + pieces.map((piece) => piece ?? '').join('');
    },

    async put(key, value) {
      assertValidKey(key);
      // Only pieces that existed before this put are dropped, so an append racing with the put is
      // kept (after the new document) rather than lost.
      const stale = await pieceNames(key);
      await kv.put(key, value);
      await inBatches(stale, (name) => kv.delete(name));
    },

    async append(key, text) {
      assertValidKey(key);
      if (key.length > MAX_LOG_KEY_LENGTH) {
        throw new Error(`store key too long for a KV log (max ${MAX_LOG_KEY_LENGTH} characters): ${key}`);
      }
      const metadata: PieceShape = { newlines: countNewlines(text), endsWithNewline: text.endsWith('\n') };
      await kv.put(key + PIECE_SEPARATOR + nextPieceSuffix(), text, { metadata });
    },

    async delete(key) {
      assertValidKey(key);
      const names = await pieceNames(key);
      await inBatches([key, ...names], (name) => kv.delete(name));
    },

    async list(prefix) {
      assertValidPrefix(prefix);
      const keys = new Set<string>();
      for (const name of await listNames(kv, prefix)) {
        const separator = name.indexOf(PIECE_SEPARATOR);
        const key = separator === -1 ? name : name.slice(0, separator);
        // Entries not written by this driver (foreign data in a shared namespace) are not keys.
        if (isValidKey(key)) keys.add(key);
      }
      return [...keys].sort();
    },

    async *readLines(key, options) {
      assertValidKey(key);
      const lines = new LineSplitter(fromLineOption(options));
      const document = await kv.get(key, 'text');
      if (document !== null) yield* lines.push(document);
      for await (const entries of listPages(kv, key + PIECE_SEPARATOR)) {
        let next = 0;
        while (next < entries.length) {
          if (lines.skipping > 0) {
            // One piece at a time while skipping: whether the next one can be skipped unread
            // depends on how many lines this one held.
            const entry = entries[next++]!;
            const shape = pieceShape(entry.metadata);
            if (shape !== undefined && lines.skipPiece(shape.newlines, shape.endsWithNewline)) continue;
            const text = await kv.get(entry.name, 'text');
            if (text !== null) yield* lines.push(text);
            continue;
          }
          const batch = entries.slice(next, next + READ_LINES_BATCH_SIZE);
          next += batch.length;
          // A piece deleted between list and get (a concurrent delete or put) simply drops out.
          const texts = await Promise.all(batch.map(({ name }) => kv.get(name, 'text')));
          for (const text of texts) if (text !== null) yield* lines.push(text);
        }
      }
      yield* lines.end();
    },
  };
}

/** The entries starting with `prefix`, one list page at a time, in key order. */
async function* listPages(kv: KVNamespaceLike, prefix: string): AsyncGenerator<{ name: string; metadata?: unknown }[]> {
  let cursor: string | undefined;
  do {
    const page = await kv.list({ prefix, limit: LIST_PAGE_SIZE, ...(cursor ? { cursor } : {}) });
    // KV lists keys in UTF-8 byte order, which for piece names (ASCII) is their suffix order.
    yield page.keys;
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
}

function countNewlines(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

/** What a piece's metadata says of its text, so that `readLines` can skip it unread. */
interface PieceShape {
  newlines: number;
  endsWithNewline: boolean;
}

/** A piece's shape from its metadata, or undefined when it has none we can trust. */
function pieceShape(metadata: unknown): PieceShape | undefined {
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const { newlines, endsWithNewline } = metadata as { newlines?: unknown; endsWithNewline?: unknown };
  if (typeof newlines !== 'number' || !Number.isSafeInteger(newlines) || newlines < 0 || typeof endsWithNewline !== 'boolean') return undefined;
  return { newlines, endsWithNewline };
}

/** Every entry name starting with `prefix`, following the cursor across all pages. */
async function listNames(kv: KVNamespaceLike, prefix: string): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await kv.list({ prefix, limit: LIST_PAGE_SIZE, ...(cursor ? { cursor } : {}) });
    for (const { name } of page.keys) names.push(name);
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return names;
}

async function inBatches<T, R>(items: T[], task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += BATCH_SIZE) {
    results.push(...(await Promise.all(items.slice(start, start + BATCH_SIZE).map(task))));
  }
  return results;
}

/**
 * A fixed-width, lexicographically increasing suffix: 16 decimal digits of a tick, then 8 random hex
 * digits. The tick is the wall clock in microsecond units but never repeats or goes back within an
 * isolate (workerd freezes Date.now() between I/O, so many appends share one millisecond), so key
 * order equals append order within one isolate. Across isolates, order is by wall-clock time, and the
 * random tail keeps two isolates that pick the same tick from overwriting each other's piece.
 * 16 digits suffice until the year 2255.
 */
let lastTick = 0;
function nextPieceSuffix(): string {
  lastTick = Math.max(Date.now() * 1000, lastTick + 1);
  return String(lastTick).padStart(16, '0') + toHex(randomBytes(4));
}


