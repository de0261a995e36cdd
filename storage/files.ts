/**
 * Store on the local file system (Node): key `config/models.json` lives at `<root>/config/models.json`.
 *
 * Documents are replaced by write-temp-then-rename, so readers (and a crash) see the old or the new
 * file, never a torn one. Logs are grown with O_APPEND, so an append costs the same however long the
 * log already is and never rewrites earlier bytes.
 *
 * Temp files are named `.<name>.<random>.tmp`. Valid key segments cannot start with `.`, so a temp
 * file can never be addressed by `get` and `list` skips it like any other name that is not a key.
 *
 * `readLines` reads through one reused buffer of `readChunkBytes` (64 KiB), so a reader holds that
 * plus the line it is on, whatever the file's size. It splits at the newline byte before decoding:
 * 0x0A never occurs inside a multi-byte UTF-8 sequence, so a character cut by a chunk boundary is
 * decoded whole, with its line.
 */
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { assertValidKey, assertValidPrefix, fromLineOption, InvalidKeyError, isValidKey, type Store } from '../src/store.js';

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;
/** Bytes `readLines` reads at a time. */
const READ_CHUNK_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

export interface FileStoreOptions {
  /** Bytes `readLines` reads at a time (default 64 KiB); tests make it tiny to cut characters. */
  readChunkBytes?: number;
  /** How long a log's file is held open after an append (default APPEND_HOLD_MS). */
  appendHoldMs?: number;
}

/**
 * How long a log's file stays open once appended to, and so the longest a non-durable append
 * (AppendOptions.durable false) waits for its fsync: when it is closed, it is fsynced first.
 * Opening, fsyncing and closing the file for each append cost about 0.5 ms of CPU (ext4, on the
 * 2-core development machine; 0.15 ms without the fsync), and a busy gateway appends its usage
 * some 40 times a second. Held, an append is one write; a durable one, a write and an fsync.
 */
export const APPEND_HOLD_MS = 1000;

/**
 * The file that holds `key`. Validates the key first, then checks the resolved path lexically as a
 * second line of defence, so a future change to the key rules cannot open a way out of `root`.
 */
export function pathForKey(root: string, key: string): string {
  assertValidKey(key);
  const resolvedRoot = path.resolve(root);
  const target = path.resolve(resolvedRoot, ...key.split('/'));
  const relative = path.relative(resolvedRoot, target);
  const escapes = relative === '' || relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
  if (escapes) throw new InvalidKeyError(key);
  return target;
}

/** A temp file of writeAtomically: `.<name>.<16 hex>.tmp`. */
const TEMP_FILE = /^\..+\.[0-9a-f]{16}\.tmp$/;

/**
 * Removes temp files a crash left behind (a kill between a temp file's write and its rename).
 * They are never read, but each crash during a write would leave one more. Call it at start,
 * before the store is used: a temp file of a write in progress would be removed too.
 */
export async function removeStaleTempFiles(root: string): Promise<number> {
  let removed = 0;
  const walk = async (folder: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch {
      return; // A folder that does not exist yet holds nothing stale.
    }
    for (const entry of entries) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && TEMP_FILE.test(entry.name)) {
        await unlink(full).catch(() => undefined);
        removed++;
      }
    }
  };
  await walk(path.resolve(root));
  return removed;
}

export function createFileStore(root: string, options: FileStoreOptions = {}): Store {
  const resolvedRoot = path.resolve(root);
  const writes = new KeyedQueue();
  const chunkBytes = options.readChunkBytes ?? READ_CHUNK_BYTES;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1) throw new RangeError(`readChunkBytes must be a positive integer, not ${chunkBytes}`);
  const holdMs = options.appendHoldMs ?? APPEND_HOLD_MS;
  if (!Number.isSafeInteger(holdMs) || holdMs < 0) throw new RangeError(`appendHoldMs must be a non-negative integer, not ${holdMs}`);
  const logs = new OpenLogs(writes, holdMs);

  return {
    async get(key) {
      const file = pathForKey(resolvedRoot, key);
      try {
        return await readFile(file, 'utf8');
      } catch (error) {
        // A folder (EISDIR) or a path through a file (ENOTDIR) is not a key either.
        if (hasCode(error, 'ENOENT', 'EISDIR', 'ENOTDIR')) return null;
        throw error;
      }
    },

    async put(key, value) {
      const file = pathForKey(resolvedRoot, key);
      // Serialized with appends to the same key, and the log's held file closed first: an append
      // to the old inode after the rename would land in an unlinked file and be lost.
      await writes.run(key, async () => {
        await logs.forget(key);
        await writeAtomically(file, value);
      });
    },

    async append(key, text, appendOptions) {
      const file = pathForKey(resolvedRoot, key);
      // O_APPEND keeps each write() at the end, but a long text may take several write() calls;
      // serializing per key keeps one call's text contiguous within this process.
      await writes.run(key, () => logs.append(key, file, text, appendOptions?.durable ?? true));
    },

    async delete(key) {
      const file = pathForKey(resolvedRoot, key);
      await writes.run(key, async () => {
        await logs.forget(key);
        try {
          await unlink(file);
        } catch (error) {
          // EISDIR/EPERM: the key names a folder, which holds no value of its own.
          if (!hasCode(error, 'ENOENT', 'ENOTDIR', 'EISDIR', 'EPERM')) throw error;
        }
      });
    },

    async list(prefix) {
      assertValidPrefix(prefix);
      // Only the folder that contains the prefix can hold matches: `data/usage/2026` walks
      // `<root>/data/usage` and, inside it, only entries whose names start with `2026`.
      const slash = prefix.lastIndexOf('/');
      const folderKey = prefix.slice(0, slash + 1);
      const namePrefix = prefix.slice(slash + 1);
      const folder = folderKey === '' ? resolvedRoot : pathForKey(resolvedRoot, folderKey.slice(0, -1));
      const keys = await walk(folder, folderKey, (name) => name.startsWith(namePrefix));
      return keys.sort();
    },

    async *readLines(key, readOptions) {
      const file = pathForKey(resolvedRoot, key);
      const fromLine = fromLineOption(readOptions);
      let handle;
      try {
        handle = await open(file, 'r');
      } catch (error) {
        if (hasCode(error, 'ENOENT', 'EISDIR', 'ENOTDIR')) return;
        throw error;
      }
      try {
        yield* linesOfFile(handle, chunkBytes, fromLine);
      } finally {
        await handle.close();
      }
    },
  };
}

/**
 * The lines of an open file (see `Store.readLines`), read `chunkBytes` at a time into one buffer.
 * A line that spans chunks is kept as copies of its parts until its newline arrives.
 */
async function* linesOfFile(handle: FileHandle, chunkBytes: number, fromLine: number): AsyncGenerator<string> {
  const chunk = Buffer.allocUnsafe(chunkBytes);
  let skip = fromLine;
  /** The current line's bytes from earlier chunks. */
  let parts: Buffer[] = [];
  let position = 0;
  for (;;) {
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(chunk, 0, chunkBytes, position));
    } catch (error) {
      // A folder opens fine on some systems and only fails here: it is no key, so it has no lines.
      if (position === 0 && hasCode(error, 'EISDIR')) return;
      throw error;
    }
    if (bytesRead === 0) break;
    position += bytesRead;
    const view = chunk.subarray(0, bytesRead);
    let start = 0;
    // Skipped lines are only counted: no copy, no decoding.
    while (skip > 0 && start < bytesRead) {
      const newline = view.indexOf(NEWLINE, start);
      if (newline === -1) {
        start = bytesRead;
        break;
      }
      skip--;
      start = newline + 1;
    }
    for (;;) {
      const newline = start < bytesRead ? view.indexOf(NEWLINE, start) : -1;
      if (newline === -1) break;
      let line: string;
      if (parts.length === 0) {
        line = view.toString('utf8', start, newline);
      } else {
        line = Buffer.concat([...parts, view.subarray(start, newline)]).toString('utf8');
        parts = [];
      }
      start = newline + 1;
      // `chunk` is not refilled until the consumer asks for the next line.
      yield line;
    }
    // The buffer is reused for the next read, so the unfinished line's bytes are copied out.
    if (skip === 0 && start < bytesRead) parts.push(Buffer.from(view.subarray(start)));
  }
  if (parts.length > 0) yield Buffer.concat(parts).toString('utf8');
}

/**
 * Opens `file`, making its folder first only when the open finds it missing: the folder of a log
 * or a document almost always exists, and a mkdir before every write was one more trip to the
 * thread pool (and a wake-up of the event loop) per usage append.
 */
async function openMakingFolder(file: string, flags: string): Promise<FileHandle> {
  try {
    return await open(file, flags, FILE_MODE);
  } catch (error) {
    if (!hasCode(error, 'ENOENT')) throw error;
    await mkdir(path.dirname(file), { recursive: true, mode: DIR_MODE });
    return await open(file, flags, FILE_MODE);
  }
}

async function writeAtomically(file: string, value: string): Promise<void> {
  const folder = path.dirname(file);
  const temp = path.join(folder, `.${path.basename(file)}.${randomBytes(8).toString('hex')}.tmp`);
  try {
    const handle = await openMakingFolder(temp, 'wx');
    try {
      await handle.writeFile(value, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncFolder(folder);
}

/** A log's file held open between appends, and whether it holds appends not yet fsynced. */
interface OpenLog {
  handle: FileHandle;
  unsynced: boolean;
}

/**
 * The logs' files held open between appends (see APPEND_HOLD_MS). Each is used only in the
 * store's queue for its key, so an append, the closing pass, and a put or delete of the same
 * key never overlap. A file is held for at most about APPEND_HOLD_MS: a log removed by another
 * process is recreated by the next append after that, as it was when every append opened it.
 */
class OpenLogs {
  private readonly held = new Map<string, OpenLog>();
  /** A deferred fsync that failed, by key: the next append to that log fails with it, so its writer hears of it. */
  private readonly failures = new Map<string, unknown>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly writes: KeyedQueue,
    private readonly holdMs: number,
  ) {}

  /** Runs in the key's queue. */
  async append(key: string, file: string, text: string, durable: boolean): Promise<void> {
    const failure = this.failures.get(key);
    if (failure !== undefined) {
      this.failures.delete(key);
      throw failure;
    }
    let log = this.held.get(key);
    if (!log) {
      log = { handle: await openMakingFolder(file, 'a'), unsynced: false };
      this.held.set(key, log);
      this.closeLater();
    }
    try {
      await log.handle.appendFile(text, 'utf8');
      if (durable) await log.handle.sync();
    } catch (error) {
      // A file that failed a write is not trusted with the next one: it is opened afresh.
      await this.close(key);
      throw error;
    }
    log.unsynced = !durable;
  }

  /** Closes the key's file before a put or delete replaces it; runs in the key's queue. */
  async forget(key: string): Promise<void> {
    await this.close(key);
    this.failures.delete(key);
  }

  private closeLater(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const key of this.held.keys()) void this.writes.run(key, () => this.close(key));
    }, this.holdMs);
    // Held files must not keep a process that is otherwise done alive; its exit closes them.
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Fsyncs what is not yet, then closes. A failed fsync is kept for the key's next append. */
  private async close(key: string): Promise<void> {
    const log = this.held.get(key);
    if (!log) return;
    this.held.delete(key);
    try {
      if (log.unsynced) await log.handle.sync();
    } catch (error) {
      this.failures.set(key, error);
    } finally {
      await log.handle.close().catch(() => undefined);
    }
  }
}

/** Makes a rename or a new entry durable. Best effort: some platforms cannot open a folder. */
async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // The data itself is already fsynced; only the directory entry's durability is at stake.
  }
}

/**
 * Keys of the regular files under `folder` (recursively), as `keyPrefix + relative/path`.
 * `accept` filters the top level only. Names that are not valid key segments (temp files,
 * dotfiles, stray files) and symlinks are skipped: `get` could not address them anyway.
 */
async function walk(folder: string, keyPrefix: string, accept: (name: string) => boolean): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    if (hasCode(error, 'ENOENT', 'ENOTDIR')) return [];
    throw error;
  }
  const nested = await Promise.all(
    entries.map(async (entry) => {
      if (!accept(entry.name) || !isValidKey(entry.name)) return [];
      const key = keyPrefix + entry.name;
      if (entry.isFile()) return [key];
      if (entry.isDirectory()) return walk(path.join(folder, entry.name), `${key}/`, () => true);
      return [];
    }),
  );
  return nested.flat();
}


function hasCode(error: unknown, ...codes: string[]): boolean {
  return typeof error === 'object' && error !== null && codes.includes((error as { code?: string }).code ?? '');
}

/** Runs tasks for the same key one after another; different keys run concurrently. */
class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  run(key: string, task: () => Promise<void>): Promise<void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    // The chain must survive a failed task, and the map must not keep idle keys forever.
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
