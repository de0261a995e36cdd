/**
 * The behaviour every Counters driver must share (src/counters/port.ts). Each driver's test
 * file calls `describeCountersConformance` once: the in-process driver directly, the Durable
 * Object through workerd. A driver passes only if it counts exactly as the others do.
 *
 * Time is the caller's (`now` on every call), so expiry is tested by moving it, never by
 * waiting. Every test gets fresh counters from `make`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CounterEntry, Counters } from '../../src/counters/port.js';

export interface CountersUnderTest {
  counters: Counters;
  close(): Promise<void>;
}

/** A fixed epoch ms to count from; any instant would do. */
const T0 = 1_750_000_000_000;
const MINUTE = 60_000;

export function describeCountersConformance(name: string, make: () => Promise<CountersUnderTest>): void {
  describe(`Counters conformance: ${name}`, () => {
    let counters: Counters;
    let close: (() => Promise<void>) | undefined;

    beforeEach(async () => {
      ({ counters, close } = await make());
    });
    afterEach(async () => {
      await close?.();
      close = undefined;
    });

    const entry = (key: string, amount: number, limit?: number, expiresAt = T0 + MINUTE): CounterEntry =>
      limit === undefined ? { key, amount, expiresAt } : { key, amount, limit, expiresAt };

    it('says whether it outlives the process', () => {
      expect(typeof counters.durable).toBe('boolean');
    });

    describe('read, add, initialize', () => {
      it('reads absent counters as 0, and nothing for no keys', async () => {
        expect(await counters.read(['a', 'b'], T0)).toEqual([0, 0]);
        expect(await counters.read([], T0)).toEqual([]);
        expect(await counters.add([], T0)).toEqual([]);
        expect(await counters.initialize([], T0)).toEqual([]);
        expect(await counters.reserve([], T0)).toEqual({ ok: true, values: [] });
      });

      it('adds, takes back, and reports each entry after its own add, in order', async () => {
        expect(await counters.add([entry('a', 5), entry('b', 2)], T0)).toEqual([5, 2]);
        expect(await counters.add([entry('a', -7), entry('a', 3), entry('b', 0)], T0)).toEqual([-2, 1, 2]);
        expect(await counters.read(['b', 'a', 'b'], T0)).toEqual([2, 1, 2]);
      });

      it('ignores a limit on add: settling is never refused', async () => {
        expect(await counters.add([entry('a', 10, 3)], T0)).toEqual([10]);
        expect(await counters.read(['a'], T0)).toEqual([10]);
      });

      it('keeps numbers exactly: large integers and fractions round-trip', async () => {
        const big = Number.MAX_SAFE_INTEGER - 1;
        expect(await counters.add([entry('big', big), entry('big', 1), entry('frac', 0.1), entry('frac', 0.2)], T0)).toEqual([
          big,
          Number.MAX_SAFE_INTEGER,
          0.1,
          0.1 + 0.2,
        ]);
        expect(await counters.read(['big', 'frac'], T0)).toEqual([Number.MAX_SAFE_INTEGER, 0.1 + 0.2]);
      });

      it('initializes only counters that do not exist yet, and reports what each holds', async () => {
        await counters.add([entry('live', 4)], T0);
        expect(await counters.initialize([entry('live', 100), entry('fresh', 7), entry('fresh', 9)], T0)).toEqual([4, 7, 7]);
        expect(await counters.read(['live', 'fresh'], T0)).toEqual([4, 7]);
        // A counter at 0 exists: it is not initialized again.
        await counters.add([entry('zero', 1), entry('zero', -1)], T0);
        expect(await counters.initialize([entry('zero', 50)], T0)).toEqual([0]);
      });

      it('initializes a counter whose window is over as a fresh one', async () => {
        await counters.add([entry('a', 4, undefined, T0 + 1000)], T0);
        expect(await counters.initialize([entry('a', 9, undefined, T0 + 5000)], T0 + 1000)).toEqual([9]);
        expect(await counters.read(['a'], T0 + 4999)).toEqual([9]);
        expect(await counters.read(['a'], T0 + 5000)).toEqual([0]);
      });
    });

    describe('reserve', () => {
      it('adds when every limit holds, up to and including the limit', async () => {
        expect(await counters.reserve([entry('a', 3, 5), entry('b', 1, 1)], T0)).toEqual({ ok: true, values: [3, 1] });
        expect(await counters.reserve([entry('a', 2, 5)], T0)).toEqual({ ok: true, values: [5] });
        expect(await counters.read(['a', 'b'], T0)).toEqual([5, 1]);
      });

      it('is all or nothing across keys: one entry over its limit and nothing is added', async () => {
        await counters.add([entry('project', 90), entry('token', 10)], T0);
        const result = await counters.reserve([entry('project', 5, 100), entry('token', 5, 12), entry('model', 1, 10)], T0);
        expect(result).toEqual({ ok: false, values: [90, 10, 0], refused: 1 });
        expect(await counters.read(['project', 'token', 'model'], T0)).toEqual([90, 10, 0]);
      });

      it('checks each entry against its own limit, and entries without one not at all', async () => {
        await counters.add([entry('a', 10), entry('b', 10)], T0);
        expect(await counters.reserve([entry('a', 1000), entry('b', 1, 11)], T0)).toEqual({ ok: true, values: [1010, 11] });
        // The first entry over its limit is the one reported.
        expect(await counters.reserve([entry('c', 1, 5), entry('a', 1, 1010), entry('b', 1, 11)], T0)).toEqual({
          ok: false,
          values: [0, 1010, 11],
          refused: 1,
        });
      });

      it('refuses an amount larger than its limit on a fresh counter, and a limit of 0', async () => {
        expect(await counters.reserve([entry('a', 6, 5)], T0)).toEqual({ ok: false, values: [0], refused: 0 });
        expect(await counters.reserve([entry('a', 1, 0)], T0)).toEqual({ ok: false, values: [0], refused: 0 });
        expect(await counters.read(['a'], T0)).toEqual([0]);
      });

      it('checks two entries naming one key on their running sum', async () => {
        expect(await counters.reserve([entry('a', 3, 5), entry('a', 3, 10)], T0)).toEqual({ ok: true, values: [3, 6] });
        // Each alone would fit (6 + 3 <= 10, 6 + 3 <= 9), together they do not.
        expect(await counters.reserve([entry('a', 3, 10), entry('a', 3, 9)], T0)).toEqual({ ok: false, values: [6, 6], refused: 1 });
        // A take-back earlier in the same reservation makes room for a later add.
        expect(await counters.reserve([entry('a', -6), entry('a', 4, 4)], T0)).toEqual({ ok: true, values: [0, 4] });
        expect(await counters.read(['a'], T0)).toEqual([4]);
      });

      it('always fits an entry whose amount is not positive, even over its limit', async () => {
        await counters.add([entry('a', 10)], T0);
        // The limit was lowered below the counter: releasing and zero-amount entries still go through.
        expect(await counters.reserve([entry('a', -3, 5), entry('b', 0, -1)], T0)).toEqual({ ok: true, values: [7, 0] });
        expect(await counters.reserve([entry('a', 1, 5)], T0)).toEqual({ ok: false, values: [7], refused: 0 });
      });
    });

    describe('expiry', () => {
      it('forgets a counter at its expiresAt: it reads 0 and starts over', async () => {
        await counters.add([entry('a', 5, undefined, T0 + 1000)], T0);
        expect(await counters.read(['a'], T0 + 999)).toEqual([5]);
        expect(await counters.read(['a'], T0 + 1000)).toEqual([0]);
        expect(await counters.add([entry('a', 2, undefined, T0 + 3000)], T0 + 1000)).toEqual([2]);
        expect(await counters.reserve([entry('a', 3, 5, T0 + 3000)], T0 + 2000)).toEqual({ ok: true, values: [5] });
        expect(await counters.read(['a'], T0 + 3000)).toEqual([0]);
      });

      it('lets a later expiresAt extend a counter, and never an earlier one shorten it', async () => {
        await counters.add([entry('a', 1, undefined, T0 + 1000)], T0);
        await counters.add([entry('a', 1, undefined, T0 + 5000)], T0 + 500);
        await counters.reserve([entry('a', 1, 100, T0 + 2000)], T0 + 600);
        await counters.add([entry('a', 1, undefined, T0 + 10)], T0 + 700);
        expect(await counters.read(['a'], T0 + 4999)).toEqual([4]);
        expect(await counters.read(['a'], T0 + 5000)).toEqual([0]);
      });

      it('does not extend a counter from a refused reservation or an initialize of a live one', async () => {
        await counters.add([entry('a', 5, undefined, T0 + 1000)], T0);
        expect((await counters.reserve([entry('a', 1, 5, T0 + 9000)], T0)).ok).toBe(false);
        expect(await counters.initialize([entry('a', 1, undefined, T0 + 9000)], T0)).toEqual([5]);
        expect(await counters.read(['a'], T0 + 1000)).toEqual([0]);
      });

      it('keeps nothing for a counter created already expired, but reports the amount', async () => {
        expect(await counters.add([entry('a', 4, undefined, T0)], T0)).toEqual([4]);
        expect(await counters.read(['a'], T0)).toEqual([0]);
        // An expiry in the past does not shorten a live counter either.
        await counters.add([entry('b', 1, undefined, T0 + 1000)], T0);
        expect(await counters.add([entry('b', 1, undefined, T0 - 1)], T0)).toEqual([2]);
        expect(await counters.read(['b'], T0 + 999)).toEqual([2]);
      });

      it('keeps windows apart: keys name their window, and each expires on its own', async () => {
        const minute = (start: number) => entry(`req:${start}`, 1, 2, start + MINUTE);
        expect((await counters.reserve([minute(T0)], T0)).ok).toBe(true);
        expect((await counters.reserve([minute(T0)], T0 + 1)).ok).toBe(true);
        expect(await counters.reserve([minute(T0)], T0 + 2)).toEqual({ ok: false, values: [2], refused: 0 });
        expect(await counters.reserve([minute(T0 + MINUTE)], T0 + MINUTE)).toEqual({ ok: true, values: [1] });
        expect(await counters.read([`req:${T0}`, `req:${T0 + MINUTE}`], T0 + MINUTE)).toEqual([0, 1]);
      });
    });

    describe('concurrency', () => {
      it('admits exactly the limit of 200 concurrent reservations, and settles them exactly', async () => {
        const LIMIT = 50;
        const reserve = (i: number) => counters.reserve([entry('slots', 1, LIMIT), entry('spend', 30, 30 * LIMIT), entry(`call:${i}`, 1)], T0);
        const results = await Promise.all(Array.from({ length: 200 }, (_, i) => reserve(i)));
        const admitted = results.flatMap((result, i) => (result.ok ? [i] : []));
        expect(admitted).toHaveLength(LIMIT);
        // Each admitted reservation saw its own place: the checks and adds did not interleave.
        expect(admitted.map((i) => results[i]!.values[0]!).sort((a, b) => a - b)).toEqual(Array.from({ length: LIMIT }, (_, i) => i + 1));
        for (const result of results.filter((r) => !r.ok)) expect(result.values[0]).toBe(LIMIT);
        expect(await counters.read(['slots', 'spend'], T0)).toEqual([LIMIT, 30 * LIMIT]);

        // Every admitted call settles at once: its slot released, its spend down to the 7 it cost.
        await Promise.all(admitted.map((i) => counters.add([entry('slots', -1), entry('spend', 7 - 30), entry(`call:${i}`, -1)], T0 + 1)));
        expect(await counters.read(['slots', 'spend'], T0 + 1)).toEqual([0, 7 * LIMIT]);
        expect((await counters.read(admitted.map((i) => `call:${i}`), T0 + 1)).every((v) => v === 0)).toBe(true);
      });

      it('orders concurrent adds and reserves on one key without losing any', async () => {
        const operations = Array.from({ length: 200 }, (_, i) =>
          i % 2 === 0 ? counters.add([entry('a', 2)], T0) : counters.reserve([entry('a', 1, 1_000_000)], T0),
        );
        await Promise.all(operations);
        expect(await counters.read(['a'], T0)).toEqual([300]);
      });
    });

    describe('many keys', () => {
      it('counts thousands of keys in one call and across calls', async () => {
        const keys = Array.from({ length: 2000 }, (_, i) => `k:${i}`);
        expect(await counters.add(keys.map((key, i) => entry(key, i)), T0)).toEqual(keys.map((_, i) => i));
        await counters.add(keys.filter((_, i) => i % 3 === 0).map((key) => entry(key, 1)), T0);
        expect(await counters.read(keys, T0)).toEqual(keys.map((_, i) => i + (i % 3 === 0 ? 1 : 0)));
        // Half of them expire: the others are untouched.
        await counters.add(keys.map((key, i) => entry(key, 0, undefined, i % 2 === 0 ? T0 + 2 * MINUTE : T0)), T0);
        expect(await counters.read(keys, T0 + MINUTE)).toEqual(keys.map((_, i) => (i % 2 === 0 ? i + (i % 3 === 0 ? 1 : 0) : 0)));
      });

      it('keeps long keys and any characters apart', async () => {
        const long = 'x'.repeat(1024);
        const keys = [long, `${long.slice(1)}y`, 'a|b', 'a:b', 'é/🙂', ' '];
        await counters.add(keys.map((key, i) => entry(key, i + 1)), T0);
        expect(await counters.read(keys, T0)).toEqual([1, 2, 3, 4, 5, 6]);
      });
    });

    describe('malformed arguments', () => {
      const operations = {
        reserve: (entries: CounterEntry[], now = T0) => counters.reserve(entries, now),
        add: (entries: CounterEntry[], now = T0) => counters.add(entries, now),
        initialize: (entries: CounterEntry[], now = T0) => counters.initialize(entries, now),
      };

      for (const [op, call] of Object.entries(operations)) {
        it(`${op}: rejects non-finite numbers with a RangeError and changes nothing`, async () => {
          const good = entry('a', 1);
          await expect(call([good, entry('b', Number.NaN)])).rejects.toThrow(RangeError);
          await expect(call([good, entry('b', Number.POSITIVE_INFINITY)])).rejects.toThrow(RangeError);
          await expect(call([good, entry('b', 1, Number.NaN)])).rejects.toThrow(RangeError);
          await expect(call([good, entry('b', 1, Number.POSITIVE_INFINITY)])).rejects.toThrow(RangeError);
          await expect(call([good, entry('b', 1, undefined, Number.NaN)])).rejects.toThrow(RangeError);
          await expect(call([good, entry('b', 1, undefined, Number.NEGATIVE_INFINITY)])).rejects.toThrow(RangeError);
          await expect(call([good], Number.NaN)).rejects.toThrow(RangeError);
          expect(await counters.read(['a', 'b'], T0)).toEqual([0, 0]);
        });

        it(`${op}: rejects bad keys and values of the wrong type`, async () => {
          await expect(call([entry('', 1)])).rejects.toThrow(RangeError);
          await expect(call([entry('x'.repeat(1025), 1)])).rejects.toThrow(RangeError);
          await expect(call([{ key: 7, amount: 1, expiresAt: T0 + MINUTE } as unknown as CounterEntry])).rejects.toThrow(TypeError);
          await expect(call([{ key: 'a', amount: '1', expiresAt: T0 + MINUTE } as unknown as CounterEntry])).rejects.toThrow(TypeError);
          await expect(call([{ key: 'a', amount: 1 } as unknown as CounterEntry])).rejects.toThrow(TypeError);
          expect(await counters.read(['a'], T0)).toEqual([0]);
        });
      }

      it('read: rejects bad keys and a non-finite now', async () => {
        await expect(counters.read([''], T0)).rejects.toThrow(RangeError);
        await expect(counters.read([5 as unknown as string], T0)).rejects.toThrow(TypeError);
        await expect(counters.read(['a'], Number.POSITIVE_INFINITY)).rejects.toThrow(RangeError);
      });
    });
  });
}
