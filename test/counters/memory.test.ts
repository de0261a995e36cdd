import { describe, expect, it } from 'vitest';
import { memoryCounters } from '../../src/counters/memory.js';
import { CounterTable } from '../../src/counters/table.js';
import { describeCountersConformance } from './conformance.js';

describeCountersConformance('memory', async () => ({ counters: memoryCounters(), close: async () => undefined }));

describe('memoryCounters', () => {
  it('is not durable: the gateway warms its spend counters from the usage rollups', () => {
    expect(memoryCounters().durable).toBe(false);
  });

  it('stays bounded under a stream of short-lived keys: expired counters are swept as writes go on', async () => {
    const counters = memoryCounters();
    let peak = 0;
    // 100,000 keys, each live for 1,000 ms, one written every ms: about 1,000 live at any time.
    for (let now = 0; now < 100_000; now++) {
      await counters.add([{ key: `k:${now}`, amount: 1, expiresAt: now + 1000 }], now);
      peak = Math.max(peak, counters.size);
    }
    // At most twice the live ones plus the minimum sweep interval (CounterTable).
    expect(peak).toBeLessThanOrEqual(2 * 1000 + 1024);
  });
});

describe('CounterTable', () => {
  it('throws synchronously on a malformed argument (the drivers turn it into a rejection)', () => {
    const table = new CounterTable();
    expect(() => table.add([{ key: 'a', amount: Number.NaN, expiresAt: 1 }], 0)).toThrow(RangeError);
  });

  it('sweeps on its first write, then no sooner than its interval, then as often as the store is large', () => {
    const table = new CounterTable(undefined, 10);
    // The first write sweeps (a Durable Object's table is new each time the object wakes): nothing to drop yet.
    table.add([{ key: 'first', amount: 1, expiresAt: 1 }], 0);
    for (let i = 0; i < 9; i++) table.add([{ key: `k:${i}`, amount: 1, expiresAt: 1 }], 0);
    expect(table.size).toBe(10);
    // The tenth write since comes after every earlier key expired: the sweep leaves only itself.
    table.add([{ key: 'late', amount: 1, expiresAt: 100 }], 50);
    expect(table.size).toBe(1);
  });
});
