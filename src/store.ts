/**
 * The one storage interface every driver implements (memory, JSON files, Cloudflare KV).
 *
 * Keys are relative, slash-separated paths such as `config/models.json` or
 * `data/usage/2026-11-23.jsonl`. Each segment must be non-empty, must not be `.` or `..`,
 * and may only use `[A-Za-z0-9._-]`; drivers refuse anything else with `InvalidKeyError`,
 * so nothing a client sends can name a file outside the store.
 *
 * Two kinds of value live side by side:
 * - documents, written whole with `put` (atomic: a reader sees the old or the new text, never a mix);
 * - append-only logs, grown with `append` (earlier bytes are never rewritten, and the cost of an
 *   append does not depend on how much the log already holds).
 */
export interface Store {
  /** The text stored at `key` (a document, or a log's whole content), or null when absent. */
  get(key: string): Promise<string | null>;
  /** Replaces the document at `key` atomically. */
  put(key: string, value: string): Promise<void>;
  /** Adds `text` to the end of the log at `key`, creating it when absent. */
  append(key: string, text: string, options?: AppendOptions): Promise<void>;
  /** Removes `key` (document or log); a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Every key that starts with `prefix`, sorted. */
  list(prefix: string): Promise<string[]>;
  /**
   * The lines of the text at `key` (a log or a document), in order, read incrementally: memory
   * stays bounded by a chunk (files), a batch of log pieces (KV) or the line itself, however big
   * the log. A missing key, or a folder, yields nothing.
   *
   * Lines are split at `\n` only, which is not part of the line (a `\r` before it stays). A final
   * line without `\n` (one torn by a crash mid-append, or still being written) is yielded too; the
   * caller skips what it cannot parse. So `a\nb` and `a\nb\n` are both `a`, `b`; `\n` is one empty
   * line; the empty text is none.
   *
   * `fromLine` (default 0) skips that many lines first, without decoding them where the driver can
   * (files count newline bytes; KV skips whole pieces by the line count each was written with).
   * Line numbers are stable under appends, so `fromLine` can resume a read later.
   *
   * Errors (an invalid key, a bad `fromLine`, I/O) surface when iteration starts, not at the call.
   * A log appended to while it is read yields some prefix of what it holds by the end.
   */
  readLines(key: string, options?: ReadLinesOptions): AsyncIterable<string>;
}

export interface AppendOptions {
  /**
   * Whether the text must be durable (fsynced, where the driver writes files) before the append
   * resolves. Default true. False lets the driver make it durable a little later, with the
   * appends around it (files: within FileStore's APPEND_HOLD_MS): readers see the text at once
   * either way, and a crash of the process loses none of it; only a crash of the machine can lose
   * that last moment. Drivers without a sync of their own (memory, KV, Redis) ignore it.
   */
  durable?: boolean;
}

export interface ReadLinesOptions {
  /** How many lines to skip first: a non-negative safe integer. */
  fromLine?: number;
}

export class InvalidKeyError extends Error {
  constructor(key: string) {
    super(`invalid store key: ${JSON.stringify(key)}`);
    this.name = 'InvalidKeyError';
  }
}

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** Throws InvalidKeyError unless `key` is a safe relative path (see the Store doc). */
export function assertValidKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > 512) throw new InvalidKeyError(key);
  for (const segment of key.split('/')) {
    if (!SEGMENT.test(segment) || segment === '..' || segment === '.') throw new InvalidKeyError(key);
  }
}

/** Whether `key` passes assertValidKey: for skipping names (temp files, strays) that are not keys. */
export function isValidKey(key: string): boolean {
  try {
    assertValidKey(key);
    return true;
  } catch {
    return false;
  }
}

/** A prefix may end with `/` (a folder) or be empty; otherwise it follows the key rules. */
export function assertValidPrefix(prefix: string): void {
  if (prefix === '') return;
  assertValidKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}

/** `options.fromLine` checked: a non-negative safe integer (default 0), else a RangeError. */
export function fromLineOption(options: ReadLinesOptions | undefined): number {
  const fromLine = options?.fromLine ?? 0;
  if (!Number.isSafeInteger(fromLine) || fromLine < 0) throw new RangeError(`fromLine must be a non-negative integer, not ${String(fromLine)}`);
  return fromLine;
}

/**
 * Cuts text that arrives in pieces into lines, as `Store.readLines` defines them: a line may span
 * pieces, and the first `skip` lines are only counted (no substring is made of them).
 */
export class LineSplitter {
  private carry = '';

  constructor(private skip = 0) {}

  /** Lines still to skip. */
  get skipping(): number {
    return this.skip;
  }

  /**
   * Accounts for the next piece without reading it, from how many line breaks it holds and whether
   * it ends with one, when every character of it belongs to skipped lines. Returns false (and
   * changes nothing) when the piece must be read and pushed instead.
   */
  skipPiece(newlines: number, endsWithNewline: boolean): boolean {
    if (!(newlines < this.skip || (newlines === this.skip && endsWithNewline && newlines > 0))) return false;
    this.skip -= newlines;
    return true;
  }

  /** The complete lines that `text` ends; its tail waits for the next piece or `end`. */
  *push(text: string): Generator<string> {
    let start = 0;
    while (this.skip > 0) {
      const newline = text.indexOf('\n', start);
      if (newline === -1) return; // the whole rest belongs to a skipped line
      this.skip--;
      start = newline + 1;
    }
    for (;;) {
      const newline = text.indexOf('\n', start);
      if (newline === -1) break;
      const line = this.carry + text.slice(start, newline);
      this.carry = '';
      start = newline + 1;
      yield line;
    }
    if (start < text.length) this.carry += text.slice(start);
  }

  /** The final line, when the text did not end with `\n` (never empty: an empty tail is no line). */
  *end(): Generator<string> {
    const last = this.carry;
    this.carry = '';
    if (last.length > 0) yield last;
  }
}
