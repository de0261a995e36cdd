/**
 * The file driver: the shared conformance suite, plus what only a file system can get wrong
 * (permissions, temp files, failed writes, paths escaping the root).
 */
import * as fs from 'node:fs/promises';
import { mkdtemp, readdir, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvalidKeyError, type Store } from '../../src/store.js';
import { createFileStore, pathForKey, removeStaleTempFiles } from '../../storage/files.js';
import { collect, describeStoreConformance } from './conformance.js';

// Pass-through spies, so single tests can make one file-system call fail.
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return { ...real, open: vi.fn(real.open), readdir: vi.fn(real.readdir), rename: vi.fn(real.rename) };
});

async function makeTempRoot(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'routerly-files-'));
}

describeStoreConformance('files', async () => {
  const root = await makeTempRoot();
  return { store: createFileStore(path.join(root, 'store')), cleanup: () => rm(root, { recursive: true, force: true }) };
});

/** Every path under `dir`, relative, including dotfiles. */
async function allEntries(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

describe('file driver specifics', () => {
  let base: string;
  let root: string;
  let store: Store;

  beforeEach(async () => {
    base = await makeTempRoot();
    root = path.join(base, 'store');
    store = createFileStore(root);
  });
  afterEach(async () => {
    // Back to the pass-through implementation, even if a test left a one-off failure unused.
    vi.mocked(fs.rename).mockReset();
    vi.mocked(fs.open).mockReset();
    await rm(base, { recursive: true, force: true });
  });

  it('lays keys out as paths under the root', async () => {
    await store.put('config/models.json', '{}');
    expect(await readFile(path.join(root, 'config', 'models.json'), 'utf8')).toBe('{}');
  });

  it('creates files 0600 and folders 0700, for puts and appends', async () => {
    await store.put('config/models.json', '{}');
    await store.append('data/usage/day.jsonl', 'x\n');
    for (const file of ['config/models.json', 'data/usage/day.jsonl']) {
      expect((await stat(path.join(root, file))).mode & 0o777).toBe(0o600);
    }
    for (const folder of ['.', 'config', 'data', 'data/usage']) {
      expect((await stat(path.join(root, folder))).mode & 0o777).toBe(0o700);
    }
  });

  it('leaves no temp files behind after many puts', async () => {
    await Promise.all(Array.from({ length: 30 }, (_, i) => store.put('config/models.json', `v${i}`)));
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.put(`config/m${i}.json`, `v${i}`)));
    const entries = await allEntries(root);
    expect(entries.filter((entry) => entry.includes('.tmp'))).toEqual([]);
    expect(entries).toHaveLength(1 + 11);
  });

  it('never lists or reads temp files and other non-key names', async () => {
    await store.put('config/models.json', 'real');
    await writeFile(path.join(root, 'config', '.models.json.abcdef.tmp'), 'half-written');
    await writeFile(path.join(root, 'config', 'has space.json'), 'stray');
    await mkdir(path.join(root, '.hidden'));
    await writeFile(path.join(root, '.hidden', 'x.json'), 'stray');
    expect(await store.list('')).toEqual(['config/models.json']);
    expect(await store.get('config/models.json')).toBe('real');
  });

  it('keeps the old content when the rename fails, and cleans up the temp file', async () => {
    await store.put('config/models.json', 'old');
    vi.mocked(fs.rename).mockRejectedValueOnce(Object.assign(new Error('disk full'), { code: 'ENOSPC' }));
    await expect(store.put('config/models.json', 'new')).rejects.toThrow('disk full');
    expect(await store.get('config/models.json')).toBe('old');
    expect(await allEntries(path.join(root, 'config'))).toEqual(['models.json']);
  });

  it('keeps the old content when writing the temp file fails midway', async () => {
    await store.put('config/models.json', 'old');
    const realOpen = (await vi.importActual<typeof import('node:fs/promises')>('node:fs/promises')).open;
    vi.mocked(fs.open).mockImplementationOnce(async (...args: Parameters<typeof realOpen>) => {
      const handle = await realOpen(...args);
      // Write part of the value, then fail as a full disk would.
      handle.writeFile = async () => {
        await handle.write('ne');
        throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
      };
      return handle;
    });
    await expect(store.put('config/models.json', 'new')).rejects.toThrow('disk full');
    expect(await store.get('config/models.json')).toBe('old');
    expect(await allEntries(path.join(root, 'config'))).toEqual(['models.json']);
    await store.put('config/models.json', 'new');
    expect(await store.get('config/models.json')).toBe('new');
  });

  it('keeps the per-key queue working after a failed write', async () => {
    vi.mocked(fs.open).mockRejectedValueOnce(Object.assign(new Error('EIO'), { code: 'EIO' }));
    await expect(store.append('log.txt', 'lost')).rejects.toThrow('EIO');
    await store.append('log.txt', 'kept');
    expect(await store.get('log.txt')).toBe('kept');
  });

  it('appends without rewriting earlier bytes', async () => {
    await store.append('log.txt', 'one\n');
    const before = await stat(path.join(root, 'log.txt'));
    await store.append('log.txt', 'two\n');
    const after = await stat(path.join(root, 'log.txt'));
    expect(after.ino).toBe(before.ino);
    expect(await readFile(path.join(root, 'log.txt'), 'utf8')).toBe('one\ntwo\n');
  });

  it('resolves every valid key strictly inside the root', () => {
    for (const key of ['a', 'config/models.json', 'a/b/c/d.e', '-x/_y', 'a..b', `${'z/'.repeat(100)}z`]) {
      const relative = path.relative(path.resolve(root), pathForKey(root, key));
      expect(relative.split(path.sep)).toEqual(key.split('/'));
    }
    expect(pathForKey('relative/root/', 'k')).toBe(path.resolve('relative/root', 'k'));
  });

  it('never touches anything outside the root for escaping keys', async () => {
    await writeFile(path.join(base, 'secret'), 'secret');
    for (const key of ['../secret', 'a/../../secret', path.join(base, 'secret'), '..\\secret']) {
      expect(() => pathForKey(root, key)).toThrow(InvalidKeyError);
      await expect(store.get(key)).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(store.put(key, 'pwned')).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(store.append(key, 'pwned')).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidKeyError);
    }
    await expect(store.list('../')).rejects.toBeInstanceOf(InvalidKeyError);
    expect(await readFile(path.join(base, 'secret'), 'utf8')).toBe('secret');
    expect(await allEntries(base)).toEqual(['secret']);
  });

  describe('readLines', () => {
    const text = 'é\n€uro\n\n🌍 and more 🌍\nascii only\nü€🌍é\ntorn tail 🌍';
    const lines = text.split('\n');

    it.each([1, 2, 3, 4, 5, 7, 64])('decodes UTF-8 cut at every boundary of %i-byte chunks, and skips inside them', async (readChunkBytes) => {
      const small = createFileStore(root, { readChunkBytes });
      await small.append('data/usage/u.jsonl', text);
      expect(await collect(small.readLines('data/usage/u.jsonl'))).toEqual(lines);
      for (let fromLine = 0; fromLine <= lines.length; fromLine++) {
        expect(await collect(small.readLines('data/usage/u.jsonl', { fromLine }))).toEqual(lines.slice(fromLine));
      }
    });

    it('refuses a chunk size that is not a positive integer', () => {
      expect(() => createFileStore(root, { readChunkBytes: 0 })).toThrow(RangeError);
      expect(() => createFileStore(root, { readChunkBytes: 1.5 })).toThrow(RangeError);
    });

    /** Wraps the next `open` so its handle's reads and close are recorded. */
    async function watchNextOpen() {
      const realOpen = (await vi.importActual<typeof import('node:fs/promises')>('node:fs/promises')).open;
      const seen = { reads: [] as number[], closed: false };
      vi.mocked(fs.open).mockImplementationOnce(async (...args: Parameters<typeof realOpen>) => {
        const handle = await realOpen(...args);
        const read = handle.read.bind(handle) as (...a: unknown[]) => Promise<{ bytesRead: number }>;
        const close = handle.close.bind(handle);
        Object.assign(handle, {
          read: async (...a: unknown[]) => {
            const result = await read(...a);
            seen.reads.push(result.bytesRead);
            return result;
          },
          close: async () => {
            seen.closed = true;
            await close();
          },
        });
        return handle;
      });
      return seen;
    }

    it('reads in bounded chunks, only as far as the reader goes, and closes the file', async () => {
      const line = `${'x'.repeat(999)}\n`;
      await store.append('data/usage/big.jsonl', line.repeat(4096)); // 4 MiB
      const seen = await watchNextOpen();
      const first: string[] = [];
      for await (const got of store.readLines('data/usage/big.jsonl')) {
        first.push(got);
        if (first.length === 3) break;
      }
      expect(first).toEqual([line.slice(0, -1), line.slice(0, -1), line.slice(0, -1)]);
      expect(seen.reads).toEqual([64 * 1024]);
      expect(seen.closed).toBe(true);

      const all = await watchNextOpen();
      expect((await collect(store.readLines('data/usage/big.jsonl'))).length).toBe(4096);
      expect(Math.max(...all.reads)).toBe(64 * 1024);
      expect(all.reads.reduce((a, b) => a + b, 0)).toBe(4096 * 1000);
      expect(all.closed).toBe(true);
    });

    it('closes the file when reading fails', async () => {
      await store.append('log.txt', 'a\nb\n');
      const realOpen = (await vi.importActual<typeof import('node:fs/promises')>('node:fs/promises')).open;
      let closed = false;
      vi.mocked(fs.open).mockImplementationOnce(async (...args: Parameters<typeof realOpen>) => {
        const handle = await realOpen(...args);
        const close = handle.close.bind(handle);
        Object.assign(handle, {
          read: async () => {
            throw Object.assign(new Error('EIO'), { code: 'EIO' });
          },
          close: async () => {
            closed = true;
            await close();
          },
        });
        return handle;
      });
      await expect(collect(store.readLines('log.txt'))).rejects.toThrow('EIO');
      expect(closed).toBe(true);
    });
  });

  it('walks only the folder that holds the prefix', async () => {
    await store.put('data/usage/2026-11-23.jsonl', '1');
    await store.put('data/other/x.json', '1');
    await store.put('config/models.json', '1');
    vi.mocked(fs.readdir).mockClear();
    expect(await store.list('data/usage/')).toEqual(['data/usage/2026-11-23.jsonl']);
    expect(vi.mocked(fs.readdir).mock.calls.map(([dir]) => String(dir))).toEqual([path.join(root, 'data', 'usage')]);

    vi.mocked(fs.readdir).mockClear();
    expect(await store.list('data/us')).toEqual(['data/usage/2026-11-23.jsonl']);
    expect(vi.mocked(fs.readdir).mock.calls.map(([dir]) => String(dir))).toEqual([
      path.join(root, 'data'),
      path.join(root, 'data', 'usage'),
    ]);
  });
});

describe('held log files', () => {
  let base: string;
  let root: string;
  let store: Store;
  /** What happened to each file the store opened since the last `watchOpens`, in order. */
  let opened: Array<{ flags: string; events: string[] }>;

  beforeEach(async () => {
    base = await makeTempRoot();
    root = path.join(base, 'store');
    store = createFileStore(root, { appendHoldMs: 50 });
    // The root exists, so that each append opens its file once (a missing folder costs a second open).
    await mkdir(root);
    opened = [];
    const realOpen = (await vi.importActual<typeof import('node:fs/promises')>('node:fs/promises')).open;
    vi.mocked(fs.open).mockImplementation(async (...args: Parameters<typeof realOpen>) => {
      const handle = await realOpen(...args);
      const seen = { flags: String(args[1]), events: [] as string[] };
      opened.push(seen);
      for (const method of ['appendFile', 'sync', 'close'] as const) {
        const real = handle[method].bind(handle) as (...a: unknown[]) => Promise<void>;
        Object.assign(handle, {
          [method]: async (...a: unknown[]) => {
            seen.events.push(method);
            await real(...a);
          },
        });
      }
      return handle;
    });
  });
  afterEach(async () => {
    vi.mocked(fs.open).mockReset();
    await rm(base, { recursive: true, force: true });
  });

  const appends = () => opened.filter((o) => o.flags === 'a');

  /** The next file the store opens fails every call of `method` with `error`. */
  async function failNextOpened(method: 'sync' | 'appendFile', error: Error): Promise<void> {
    const realOpen = (await vi.importActual<typeof import('node:fs/promises')>('node:fs/promises')).open;
    vi.mocked(fs.open).mockImplementationOnce(async (...args: Parameters<typeof realOpen>) => {
      const handle = await realOpen(...args);
      handle[method] = async () => Promise.reject(error);
      return handle;
    });
  }

  it('refuses a hold that is not a non-negative integer', () => {
    for (const appendHoldMs of [-1, 0.5, Number.NaN]) expect(() => createFileStore(root, { appendHoldMs })).toThrow(RangeError);
  });

  it('keeps a log open between appends, and fsyncs and closes it within the hold', async () => {
    for (const text of ['a\n', 'b\n', 'c\n']) await store.append('data/usage/day.jsonl', text, { durable: false });
    // Readers see the text at once, fsynced or not.
    expect(await store.get('data/usage/day.jsonl')).toBe('a\nb\nc\n');
    expect(appends()).toEqual([{ flags: 'a', events: ['appendFile', 'appendFile', 'appendFile'] }]);
    await vi.waitFor(() => expect(appends()[0]!.events.slice(3)).toEqual(['sync', 'close']));
    // The next append opens it again.
    await store.append('data/usage/day.jsonl', 'd\n', { durable: false });
    expect(appends()).toHaveLength(2);
    expect(await store.get('data/usage/day.jsonl')).toBe('a\nb\nc\nd\n');
  });

  it('fsyncs a durable append before it resolves, and does not fsync it again at close', async () => {
    await store.append('log.txt', 'one\n');
    expect(appends()[0]!.events).toEqual(['appendFile', 'sync']);
    await store.append('log.txt', 'two\n', { durable: false });
    await store.append('log.txt', 'three\n', { durable: true });
    await vi.waitFor(() => expect(appends()[0]!.events.at(-1)).toBe('close'));
    expect(appends()[0]!.events).toEqual(['appendFile', 'sync', 'appendFile', 'appendFile', 'sync', 'close']);
  });

  it('closes a held log before a put or a delete replaces it, so later appends land in the new file', async () => {
    await store.append('log.txt', 'old\n', { durable: false });
    await store.put('log.txt', 'doc\n');
    expect(appends()[0]!.events).toEqual(['appendFile', 'sync', 'close']);
    await store.append('log.txt', 'after put\n', { durable: false });
    expect(await readFile(path.join(root, 'log.txt'), 'utf8')).toBe('doc\nafter put\n');

    await store.delete('log.txt');
    await store.append('log.txt', 'after delete\n', { durable: false });
    expect(await readFile(path.join(root, 'log.txt'), 'utf8')).toBe('after delete\n');
  });

  it('fails the next append to a log whose deferred fsync failed, once, and keeps the text of both', async () => {
    await failNextOpened('sync', Object.assign(new Error('EIO on fsync'), { code: 'EIO' }));
    await store.append('log.txt', 'written\n', { durable: false });
    // The hold ends: its fsync fails, and the writer hears of it at its next append, which is not made.
    await new Promise((resolve) => setTimeout(resolve, 120));
    await expect(store.append('log.txt', 'refused\n', { durable: false })).rejects.toThrow('EIO on fsync');
    await store.append('log.txt', 'again\n', { durable: false });
    expect(await store.get('log.txt')).toBe('written\nagain\n');
  });

  it('opens a log afresh after a write to it failed', async () => {
    await failNextOpened('appendFile', Object.assign(new Error('disk full'), { code: 'ENOSPC' }));
    await expect(store.append('log.txt', 'lost\n', { durable: false })).rejects.toThrow('disk full');
    await store.append('log.txt', 'kept\n', { durable: false });
    expect(await store.get('log.txt')).toBe('kept\n');
  });
});

describe('stale temp files', () => {
  it('removes what a crash mid-write left behind, and nothing else', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'routerly-stale-'));
    try {
      const store = createFileStore(root);
      await store.put('config/models.json', '[]\n');
      await store.append('data/usage/2026-12-01.jsonl', '{"a":1}\n');
      // What writeAtomically leaves when killed between its write and its rename.
      await writeFile(path.join(root, 'config', '.models.json.0123456789abcdef.tmp'), '[{"torn"');
      await writeFile(path.join(root, 'config', '.notes.txt'), 'not a temp file of ours');
      expect(await removeStaleTempFiles(root)).toBe(1);
      expect((await readdir(path.join(root, 'config'))).sort()).toEqual(['.notes.txt', 'models.json']);
      expect(await store.get('config/models.json')).toBe('[]\n');
      expect(await removeStaleTempFiles(path.join(root, 'missing'))).toBe(0);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
