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
  append(key: string, text: string): Promise<void>;
  /** Removes `key` (document or log); a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Every key that starts with `prefix`, sorted. */
  list(prefix: string): Promise<string[]>;
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
