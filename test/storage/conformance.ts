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

/** Every line `readLines` yields. */
export async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

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

      it('reads non-durable appends at once, in order with durable ones, through put and delete', async () => {
        await store.append('log.txt', 'a;', { durable: false });
        await store.append('log.txt', 'b;');
        await store.append('log.txt', 'c;', { durable: false });
        expect(await store.get('log.txt')).toBe('a;b;c;');
        expect(await collect(store.readLines('log.txt'))).toEqual(['a;b;c;']);
        await store.put('log.txt', 'doc;');
        await store.append('log.txt', 'd;', { durable: false });
        expect(await store.get('log.txt')).toBe('doc;d;');
        await store.delete('log.txt');
        await store.append('log.txt', 'e;', { durable: false });
        expect(await store.get('log.txt')).toBe('e;');
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

    describe('readLines', () => {
      it('yields nothing for a missing key or a folder', async () => {
        expect(await collect(store.readLines('data/usage/missing.jsonl'))).toEqual([]);
        await store.put('folder/inner.json', 'x\n');
        expect(await collect(store.readLines('folder'))).toEqual([]);
        expect(await collect(store.readLines('folder/inner.json'))).toEqual(['x']);
      });

      it.each([
        ['', []],
        ['\n', ['']],
        ['a', ['a']],
        ['a\nb', ['a', 'b']],
        ['a\nb\n', ['a', 'b']],
        ['a\n\nb\n\n', ['a', '', 'b', '']],
        ['crlf\r\nkept\r\n', ['crlf\r', 'kept\r']],
      ])('splits %j into lines at \\n only', async (text, lines) => {
        await store.put('doc.txt', text);
        expect(await collect(store.readLines('doc.txt'))).toEqual(lines);
        await store.append('log.txt', text);
        expect(await collect(store.readLines('log.txt'))).toEqual(lines);
      });

      it('joins lines that span appends, after a document the log grew from', async () => {
        await store.put('log.txt', 'head\npart');
        for (const piece of ['ial\none\ntw', 'o', '', '\nthr', 'ee\n', '\nlast']) await store.append('log.txt', piece);
        expect(await collect(store.readLines('log.txt'))).toEqual(['head', 'partial', 'one', 'two', 'three', '', 'last']);
      });

      it('yields a final line torn by a crash, for the reader to skip', async () => {
        await store.append('data/usage/day.jsonl', '{"n":1}\n{"n":2}\n');
        await store.append('data/usage/day.jsonl', '{"n":3,"to');
        expect(await collect(store.readLines('data/usage/day.jsonl'))).toEqual(['{"n":1}', '{"n":2}', '{"n":3,"to']);
      });

      it('skips fromLine lines, wherever lines and appends begin', async () => {
        // Pieces that end inside lines, hold several, or none, plus empty lines.
        const pieces = ['l0\nl1\nl', '2', '\n', '\nl4\n', 'l5\nl6\nl7\n', 'l8', '\nl9'];
        for (const piece of pieces) await store.append('log.txt', piece);
        const all = pieces.join('').split('\n');
        expect(await collect(store.readLines('log.txt'))).toEqual(all);
        for (let fromLine = 0; fromLine <= all.length + 2; fromLine++) {
          expect(await collect(store.readLines('log.txt', { fromLine })), `fromLine ${fromLine}`).toEqual(all.slice(fromLine));
        }
      });

      it('reads multi-byte characters whole, on lines long enough to span read chunks', async () => {
        // 2-, 3- and 4-byte UTF-8 (a surrogate pair in JS) in a repeating pattern of odd length, so
        // that chunk boundaries of any size fall inside characters somewhere.
        const line = (seed: number) => `${seed}:` + 'é€🌍a'.repeat(30_000) + 'ü'.repeat(seed);
        const lines = [line(1), line(2), 'short ✓', line(3)];
        await store.append('data/usage/unicode.jsonl', `${lines[0]}\n${lines[1]}\n`);
        await store.append('data/usage/unicode.jsonl', `${lines[2]}\n${lines[3]}`);
        const read = await collect(store.readLines('data/usage/unicode.jsonl'));
        expect(read.length).toBe(lines.length);
        read.forEach((got, i) => expect(got === lines[i], `line ${i}`).toBe(true));
        expect(await collect(store.readLines('data/usage/unicode.jsonl', { fromLine: 2 }))).toEqual(lines.slice(2));
      });

      it('reads a log of tens of MB line by line, and skips into it', async () => {
        const pieces = 20;
        const linesPerPiece = 10_000;
        const body = 'x'.repeat(90);
        for (let p = 0; p < pieces; p++) {
          let text = '';
          for (let i = 0; i < linesPerPiece; i++) text += `${String(p * linesPerPiece + i).padStart(8, '0')} ${body}\n`;
          await store.append('data/usage/big.jsonl', text);
        }
        const total = pieces * linesPerPiece; // 20 MB
        let count = 0;
        let ordered = true;
        for await (const line of store.readLines('data/usage/big.jsonl')) {
          if (!line.startsWith(String(count).padStart(8, '0'))) ordered = false;
          count++;
        }
        expect(ordered).toBe(true);
        expect(count).toBe(total);
        const tail = await collect(store.readLines('data/usage/big.jsonl', { fromLine: total - 3 }));
        expect(tail.map((line) => Number(line.slice(0, 8)))).toEqual([total - 3, total - 2, total - 1]);
      });

      it('stops reading when the reader stops, and a log can be read again', async () => {
        for (let i = 0; i < 5; i++) await store.append('log.txt', `${i}\n`);
        const first: string[] = [];
        for await (const line of store.readLines('log.txt')) {
          first.push(line);
          if (first.length === 2) break;
        }
        expect(first).toEqual(['0', '1']);
        await store.append('log.txt', '5\n');
        expect(await collect(store.readLines('log.txt', { fromLine: 4 }))).toEqual(['4', '5']);
        await store.delete('log.txt');
        expect(await collect(store.readLines('log.txt'))).toEqual([]);
      });

      it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '2' as unknown as number])('refuses fromLine %j when iterated', async (fromLine) => {
        await store.append('log.txt', 'a\n');
        await expect(collect(store.readLines('log.txt', { fromLine }))).rejects.toBeInstanceOf(RangeError);
      });
    });

    describe('invalid keys', () => {
      it.each(INVALID_KEYS.map((key) => [JSON.stringify(key), key]))('refuses %s for get/put/append/delete/readLines', async (_, key) => {
        await expect(store.get(key)).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.put(key, 'x')).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.append(key, 'x')).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(collect(store.readLines(key))).rejects.toBeInstanceOf(InvalidKeyError);
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
