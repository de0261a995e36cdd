/**
 * The behaviour every Store driver must share. Each driver's test file calls
 * `describeStoreConformance` once; a driver passes only if it agrees with all the others.
 *
 * Not covered on purpose: a key that is both a document and a folder (`a` and `a/b`). Memory and KV
 * allow it, the file system cannot, so callers must not rely on it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidKeyError, type Store } from '../../src/store.js';

export interface StoreUnderTest {
  store: Store;
  cleanup?: () => Promise<void>;
}

/** Keys that must be refused by every operation. */
const INVALID_KEYS = [
  '../x', 'a/../b', '/abs', 'a//b', 'a/', '.', '..', 'a\\b', 'a/./b', '', 'a b', 'a\0b',
  '.hidden', // leading dots are reserved (the file driver's temp files)
  'a~1', // `~` is reserved (the KV driver's log pieces)
  'C:\\x', 'a/\n',
];
/** As list prefixes, a trailing slash (a folder) and the empty prefix (everything) are fine. */
const INVALID_PREFIXES = INVALID_KEYS.filter((key) => key !== '' && key !== 'a/');

export function describeStoreConformance(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  describe(`Store conformance: ${name}`, () => {
    let store: Store;
    let cleanup: (() => Promise<void>) | undefined;

    beforeEach(async () => {
      ({ store, cleanup } = await makeStore());
    });
    afterEach(async () => {
      await cleanup?.();
    });

    describe('documents', () => {
      it('returns null for a missing key', async () => {
        expect(await store.get('config/missing.json')).toBeNull();
      });

      it('round-trips a value', async () => {
        await store.put('config/models.json', '{"models":[]}');
        expect(await store.get('config/models.json')).toBe('{"models":[]}');
      });

      it('round-trips the empty string as a value, not as absence', async () => {
        await store.put('empty', '');
        expect(await store.get('empty')).toBe('');
        expect(await store.list('')).toEqual(['empty']);
      });

      it('round-trips unicode, newlines and control characters exactly', async () => {
        const text = 'héllo wörld 🌍🚀 中文 日本語 עברית\n\r\n\t\u0000\u0001 "quotes" \\ end';
        await store.put('unicode.txt', text);
        expect(await store.get('unicode.txt')).toBe(text);
      });

      it('round-trips a 1 MiB value', async () => {
        const big = Array.from({ length: 1024 * 1024 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
        await store.put('data/big.txt', big);
        const read = await store.get('data/big.txt');
        expect(read?.length).toBe(big.length);
        expect(read === big).toBe(true);
      });

      it('overwrites a value', async () => {
        await store.put('k', 'first, longer value');
        await store.put('k', 'second');
        expect(await store.get('k')).toBe('second');
      });

      it('deletes a value, and deleting a missing key is not an error', async () => {
        await store.put('a/b.json', '1');
        await store.delete('a/b.json');
        expect(await store.get('a/b.json')).toBeNull();
        expect(await store.list('')).toEqual([]);
        await expect(store.delete('a/b.json')).resolves.toBeUndefined();
        await expect(store.delete('never/was.json')).resolves.toBeUndefined();
      });

      it('treats a folder as no key: get is null, delete leaves its contents', async () => {
        await store.put('folder/inner.json', 'x');
        expect(await store.get('folder')).toBeNull();
        await store.delete('folder');
        expect(await store.get('folder/inner.json')).toBe('x');
      });
    });

    describe('list', () => {
      const keys = [
        'top.json',
        'data/usage/2026-11-24.jsonl',
        'config/models.json',
        'data/usage/2026-11-23.jsonl',
        'data/x.json',
        'config/projects.json',
        'data/usage-archive/2025.jsonl',
      ];
      const sorted = [...keys].sort();

      beforeEach(async () => {
        for (const key of keys) await store.put(key, key);
      });

      it('lists everything, sorted, for the empty prefix', async () => {
        expect(await store.list('')).toEqual(sorted);
      });

      it('lists a folder prefix, including nested folders', async () => {
        expect(await store.list('data/')).toEqual([
          'data/usage-archive/2025.jsonl',
          'data/usage/2026-11-23.jsonl',
          'data/usage/2026-11-24.jsonl',
          'data/x.json',
        ]);
        expect(await store.list('data/usage/')).toEqual(['data/usage/2026-11-23.jsonl', 'data/usage/2026-11-24.jsonl']);
      });

      it('matches prefixes that end inside a segment', async () => {
        expect(await store.list('data/usage')).toEqual([
          'data/usage-archive/2025.jsonl',
          'data/usage/2026-11-23.jsonl',
          'data/usage/2026-11-24.jsonl',
        ]);
        expect(await store.list('data/usage/2026-11-2')).toEqual(['data/usage/2026-11-23.jsonl', 'data/usage/2026-11-24.jsonl']);
        expect(await store.list('conf')).toEqual(['config/models.json', 'config/projects.json']);
        expect(await store.list('top.json')).toEqual(['top.json']);
      });

      it('returns [] when nothing matches', async () => {
        expect(await store.list('nothing/')).toEqual([]);
        expect(await store.list('data/usage/1999')).toEqual([]);
        expect(await store.list('top.json/')).toEqual([]);
      });

      it('sorts by code unit across separators and punctuation', async () => {
        const tricky = ['s/a_b', 's/B', 's/a/c', 's/a-b', 's/a0', 's/a.b'];
        for (const key of tricky) await store.put(key, key);
        expect(await store.list('s/')).toEqual([...tricky].sort());
      });

      it('no longer lists deleted keys', async () => {
        await store.delete('data/x.json');
        expect(await store.list('data/x')).toEqual([]);
      });
    });

    describe('logs', () => {
      it('creates a log on first append', async () => {
        await store.append('data/usage/day.jsonl', 'line 1\n');
        expect(await store.get('data/usage/day.jsonl')).toBe('line 1\n');
      });

      it('appends in order and reads back the concatenation', async () => {
        for (let i = 0; i < 20; i++) await store.append('log.txt', `${i},`);
        expect(await store.get('log.txt')).toBe(Array.from({ length: 20 }, (_, i) => `${i},`).join(''));
      });

      it('creates an empty log for an empty append', async () => {
        await store.append('log.txt', '');
        expect(await store.get('log.txt')).toBe('');
      });

      it('lists a log key exactly once', async () => {
        await store.append('logs/a.jsonl', '1\n');
        await store.append('logs/a.jsonl', '2\n');
        await store.append('logs/a.jsonl', '3\n');
        await store.put('logs/b.json', 'doc');
        expect(await store.list('logs/')).toEqual(['logs/a.jsonl', 'logs/b.json']);
        expect(await store.list('')).toEqual(['logs/a.jsonl', 'logs/b.json']);
        expect(await store.list('logs/a')).toEqual(['logs/a.jsonl']);
      });

      it('appending to a document extends it', async () => {
        await store.put('doc.txt', 'head;');
        await store.append('doc.txt', 'tail1;');
        await store.append('doc.txt', 'tail2;');
        expect(await store.get('doc.txt')).toBe('head;tail1;tail2;');
        expect(await store.list('')).toEqual(['doc.txt']);
      });

      it('put replaces a whole log', async () => {
        await store.append('log.txt', 'old 1\n');
        await store.append('log.txt', 'old 2\n');
        await store.put('log.txt', 'fresh\n');
        expect(await store.get('log.txt')).toBe('fresh\n');
        await store.append('log.txt', 'more\n');
        expect(await store.get('log.txt')).toBe('fresh\nmore\n');
      });

      it('delete removes a whole log', async () => {
        await store.put('log.txt', 'doc;');
        await store.append('log.txt', 'a;');
        await store.append('log.txt', 'b;');
        await store.delete('log.txt');
        expect(await store.get('log.txt')).toBeNull();
        expect(await store.list('')).toEqual([]);
        await store.append('log.txt', 'new;');
        expect(await store.get('log.txt')).toBe('new;');
      });
    });

    describe('invalid keys', () => {
      it.each(INVALID_KEYS.map((key) => [JSON.stringify(key), key]))('refuses %s for get/put/append/delete', async (_, key) => {
        await expect(store.get(key)).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.put(key, 'x')).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.append(key, 'x')).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidKeyError);
        expect(await store.list('')).toEqual([]);
      });

      it.each(INVALID_PREFIXES.map((prefix) => [JSON.stringify(prefix), prefix]))('refuses %s as a list prefix', async (_, prefix) => {
        await expect(store.list(prefix)).rejects.toBeInstanceOf(InvalidKeyError);
      });

      it('refuses non-string keys', async () => {
        await expect(store.get(undefined as unknown as string)).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.put(42 as unknown as string, 'x')).rejects.toBeInstanceOf(InvalidKeyError);
      });
    });

    describe('concurrency', () => {
      it('many concurrent puts to one key leave exactly one written value, intact', async () => {
        // Large, distinct values so that a torn or interleaved write could not pass as one of them.
        const values = Array.from({ length: 40 }, (_, i) => `${i}:`.padEnd(64 * 1024, String.fromCharCode(65 + (i % 26))));
        await Promise.all(values.map((value) => store.put('race.json', value)));
        const final = await store.get('race.json');
        expect(values.includes(final ?? '')).toBe(true);
        expect(await store.list('')).toEqual(['race.json']);
      });

      it('many concurrent appends are all present exactly once, never interleaved', async () => {
        const count = 100;
        const lines = Array.from({ length: count }, (_, i) => `${String(i).padStart(3, '0')}:${'x'.repeat(2000)}`);
        await Promise.all(lines.map((line) => store.append('data/usage/race.jsonl', `${line}\n`)));
        const read = (await store.get('data/usage/race.jsonl')) ?? '';
        expect(read.endsWith('\n')).toBe(true);
        const got = read.slice(0, -1).split('\n');
        expect(got).toHaveLength(count);
        expect([...got].sort()).toEqual(lines);
        expect(await store.list('data/')).toEqual(['data/usage/race.jsonl']);
      });
    });
  });
}
