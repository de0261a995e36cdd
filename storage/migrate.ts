/**
 * Copies one Store into another, whole and verified: how `routerly migrate` moves a ROUTERLY_HOME
 * (the file store) into Redis and back (issue 13). Only the Store interface is used, so any two
 * drivers work, on any runtime (Web APIs only here, like kv.ts).
 *
 * Documents and logs. The interface does not say which kind a key is (`get` and `readLines` read
 * both), so the key's name does: the gateway's append-only logs are exactly its `.jsonl` keys (the
 * usage log `data/usage/<day>.jsonl` and the audit log `data/audit/<day>.jsonl`, only ever grown
 * with `append`), and every other key (`config/*.json`, the rollups under `data/rollups/`, the
 * backfill marker) is a document, only ever written whole with `put`. Kept by kind in the target,
 * a log stays a log there (on Redis: pieces that `readLines` skips through by line counts), and a
 * document stays one string that `put` replaces atomically. The rule only decides how a key is
 * copied, never what it holds: a key taken for the wrong kind still arrives with the same text.
 *
 * - A document is read with `get` and written with `put`: documents are small.
 * - A log is streamed with `readLines` and written with `append` in batches of about
 *   `appendBatchChars` (1 Mi UTF-16 units by default), so a usage log of gigabytes never sits in
 *   memory whole: a copy holds one batch and the line being read. Each line is written back with
 *   its `\n`. A log's last line that a crash tore (no `\n` at its end) is the one thing not copied
 *   byte for byte: it gains its `\n`, so the next record appended lands on a line of its own
 *   instead of being glued to the torn one (readers skip the torn line either way).
 *
 * Never merged. A target that already holds keys is refused (`TargetNotEmptyError`), since copying
 * over it would mix two deployments' config and append the usage a second time. With `force`, the
 * target is emptied first (every key it holds goes, logs included), so it ends as an exact copy.
 *
 * Never copied: `config/secret`, the master secret a file-backed server generates under its home
 * (adapters/shared/secret.ts). The file store lists it like any file, but it is no data of the
 * gateway's: a node on Redis takes the secret from ROUTERLY_SECRET, and it must not sit in a shared
 * database next to the provider keys it decrypts. It is neither copied, nor removed by `force`,
 * nor compared. Provider keys themselves are copied as stored, encrypted with that secret: every
 * node that serves the copy needs the same secret.
 *
 * Verified. After the copy, both stores are read again: the same keys on both sides; each document
 * equal; each log with as many lines and bytes as were copied, on both sides. A source that changed
 * during the copy (a gateway still running on it) fails the verification instead of leaving a
 * silently partial copy.
 */
import { utf8Length } from '../src/ir/token-estimate.js';
import type { Store } from '../src/store.js';

/** Keys a copy leaves alone on both sides (see above): the secret file of a file-backed home. */
export const NEVER_COPIED: readonly string[] = ['config/secret'];

/** Units of text (UTF-16) one `append` of a copied log carries, about: the copy's memory bound. */
export const DEFAULT_APPEND_BATCH_CHARS = 1 << 20;

/** Documents read and written at once: enough to hide a remote Redis's round trips, few enough to stay gentle. */
const DOCUMENTS_IN_FLIGHT = 8;

export type KeyKind = 'document' | 'log';

/** How `copyStore` copies `key`: the gateway's logs are its `.jsonl` keys, everything else is a document. */
export function kindOfKey(key: string): KeyKind {
  return key.endsWith('.jsonl') ? 'log' : 'document';
}

export interface CopyOptions {
  /** Empty a non-empty target first instead of refusing it (its keys are deleted, not merged). */
  force?: boolean;
  /** About how much text one append carries (default DEFAULT_APPEND_BATCH_CHARS); tests make it small. */
  appendBatchChars?: number;
  /** Called as each key starts to be copied (the CLI shows progress on a terminal). */
  onKey?: (progress: { key: string; kind: KeyKind; index: number; total: number }) => void;
}

export interface CopyReport {
  documents: number;
  logs: number;
  /** Lines of all logs copied. */
  lines: number;
  /** UTF-8 bytes written: documents whole, logs' lines with their `\n`. */
  bytes: number;
  /** Keys the target held that `force` deleted before the copy. */
  removed: number;
  /** Keys of the source deliberately not copied (NEVER_COPIED that were there). */
  skipped: string[];
}

/** The target holds keys already, and `force` was not given. */
export class TargetNotEmptyError extends Error {
  constructor(readonly keys: number) {
    super(`the target already holds ${keys} key${keys === 1 ? '' : 's'}: refusing to merge into it`);
    this.name = 'TargetNotEmptyError';
  }
}

/** The source holds nothing to copy: a wrong home or prefix, most likely (and with force, the target would be emptied for nothing). */
export class SourceEmptyError extends Error {
  constructor() {
    super('the source holds nothing to copy');
    this.name = 'SourceEmptyError';
  }
}

/** The copy does not read back as the source: `problems` says where (the first few). */
export class CopyVerificationError extends Error {
  constructor(readonly problems: string[]) {
    super(`the copy does not match its source: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`);
    this.name = 'CopyVerificationError';
  }
}

/** Every key of `store` a copy deals with: all but NEVER_COPIED, sorted. */
async function copiedKeys(store: Store): Promise<string[]> {
  return (await store.list('')).filter((key) => !NEVER_COPIED.includes(key));
}

/**
 * Copies every key of `from` (but NEVER_COPIED) into `to`, then verifies the copy (see the top of
 * this file). Throws SourceEmptyError, TargetNotEmptyError (nothing written), or
 * CopyVerificationError (the copy is there but does not match: run again with force once the source
 * is quiet).
 */
export async function copyStore(from: Store, to: Store, options: CopyOptions = {}): Promise<CopyReport> {
  const batchChars = options.appendBatchChars ?? DEFAULT_APPEND_BATCH_CHARS;
  if (!Number.isSafeInteger(batchChars) || batchChars < 1) throw new RangeError(`appendBatchChars must be a positive integer, not ${batchChars}`);

  const all = await from.list('');
  const keys = all.filter((key) => !NEVER_COPIED.includes(key));
  if (keys.length === 0) throw new SourceEmptyError();
  const existing = await copiedKeys(to);
  if (existing.length > 0 && !options.force) throw new TargetNotEmptyError(existing.length);
  // Emptied first, logs included: appending to a log the target already holds would count its usage twice.
  await inParallel(existing, DOCUMENTS_IN_FLIGHT, (key) => to.delete(key));

  const report: CopyReport = { documents: 0, logs: 0, lines: 0, bytes: 0, removed: existing.length, skipped: all.filter((key) => NEVER_COPIED.includes(key)) };
  /** Each log's lines and bytes as copied, for the verification. */
  const copiedLogs = new Map<string, LogSize>();
  const documents = keys.filter((key) => kindOfKey(key) === 'document');
  const logs = keys.filter((key) => kindOfKey(key) === 'log');
  let index = 0;
  const started = (key: string, kind: KeyKind) => options.onKey?.({ key, kind, index: index++, total: keys.length });

  await inParallel(documents, DOCUMENTS_IN_FLIGHT, async (key) => {
    started(key, 'document');
    const text = await from.get(key);
    if (text === null) throw new CopyVerificationError([`${key} disappeared from the source during the copy (is a gateway still running on it?)`]);
    await to.put(key, text);
    report.documents++;
    report.bytes += utf8Length(text);
  });
  // One log at a time, each in order: a log's batches must land in the order they were read.
  for (const key of logs) {
    started(key, 'log');
    const size = await copyLog(from, to, key, batchChars);
    copiedLogs.set(key, size);
    report.logs++;
    report.lines += size.lines;
    report.bytes += size.bytes;
  }

  const problems = await verifyCopy(from, to, copiedLogs);
  if (problems.length > 0) throw new CopyVerificationError(problems);
  return report;
}

/** How much of a log a copy carried, or a store holds. */
export interface LogSize {
  lines: number;
  /** UTF-8 bytes of the lines, each with its `\n`. */
  bytes: number;
}

/** Streams one log into `to` in batches of about `batchChars`. */
async function copyLog(from: Store, to: Store, key: string, batchChars: number): Promise<LogSize> {
  const size: LogSize = { lines: 0, bytes: 0 };
  let batch: string[] = [];
  let batchLength = 0;
  let appended = false;
  const flush = async () => {
    await to.append(key, batch.join(''));
    appended = true;
    batch = [];
    batchLength = 0;
  };
  for await (const line of from.readLines(key)) {
    const text = `${line}\n`;
    batch.push(text);
    batchLength += text.length;
    size.lines++;
    size.bytes += utf8Length(text);
    if (batchLength >= batchChars) await flush();
  }
  // An empty log is still a key: appending '' creates it empty (every driver does).
  if (batch.length > 0 || !appended) await flush();
  return size;
}

/** The lines and UTF-8 bytes (each line with its `\n`) `readLines` yields for `key`. */
async function measureLog(store: Store, key: string): Promise<LogSize> {
  const size: LogSize = { lines: 0, bytes: 0 };
  for await (const line of store.readLines(key)) {
    size.lines++;
    size.bytes += utf8Length(line) + 1;
  }
  return size;
}

/**
 * Reads both stores again and says where they differ: key lists, documents' texts, logs' line and
 * byte counts (measured on both sides, and against what was copied). Empty when the copy is exact.
 */
export async function verifyCopy(from: Store, to: Store, copiedLogs: ReadonlyMap<string, LogSize>): Promise<string[]> {
  const problems: string[] = [];
  const [sourceKeys, targetKeys] = await Promise.all([copiedKeys(from), copiedKeys(to)]);
  const inTarget = new Set(targetKeys);
  const inSource = new Set(sourceKeys);
  for (const key of sourceKeys) if (!inTarget.has(key)) problems.push(`${key} is missing from the target`);
  for (const key of targetKeys) if (!inSource.has(key)) problems.push(`${key} is in the target but not in the source`);
  const common = sourceKeys.filter((key) => inTarget.has(key));

  await inParallel(
    common.filter((key) => kindOfKey(key) === 'document'),
    DOCUMENTS_IN_FLIGHT,
    async (key) => {
      const [source, target] = await Promise.all([from.get(key), to.get(key)]);
      if (source !== target) problems.push(`${key} differs between source and target`);
    },
  );
  for (const key of common.filter((name) => kindOfKey(name) === 'log')) {
    const [source, target] = await Promise.all([measureLog(from, key), measureLog(to, key)]);
    const copied = copiedLogs.get(key);
    if (copied && (source.lines !== copied.lines || source.bytes !== copied.bytes)) {
      problems.push(`${key} changed in the source during the copy (${copied.lines} lines copied, ${source.lines} now): is a gateway still running on it?`);
    } else if (source.lines !== target.lines || source.bytes !== target.bytes) {
      problems.push(`${key} has ${source.lines} lines (${source.bytes} bytes) in the source but ${target.lines} (${target.bytes} bytes) in the target`);
    }
  }
  return problems;
}

/** Runs `task` over `items`, at most `limit` at once; the first failure starts no more and rejects once those in flight settle. */
async function inParallel<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failing = false;
  const worker = async () => {
    while (next < items.length && !failing) {
      try {
        await task(items[next++]!);
      } catch (error) {
        failing = true;
        throw error;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
}
