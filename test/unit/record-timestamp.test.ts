import { describe, expect, it } from 'vitest';
import { recordTimestamp } from '../../src/usage/record.js';

describe('recordTimestamp', () => {
  it('writes what toISOString writes, across seconds, days, years and both sides of 1970', () => {
    const start = Date.parse('2026-12-31T23:59:58.990Z');
    const times = [
      // In order, as records come: one second's text made once, then the next.
      ...Array.from({ length: 3000 }, (_, i) => start + i),
      // Out of order too, and far apart.
      0, -1, -999, -1000, -1001, Date.parse('1969-12-31T23:59:59.999Z'), Date.parse('2000-02-29T12:00:00.001Z'),
      Date.parse('9999-12-31T23:59:59.999Z'), Date.parse('+010000-01-01T00:00:00.000Z'), Date.parse('-000001-06-15T08:30:00.500Z'),
      8.64e15, -8.64e15, start + 17,
    ];
    for (const time of times) expect(recordTimestamp(time), String(time)).toBe(new Date(time).toISOString());
  });

  it('drops a fraction of a millisecond toward zero, as a Date does', () => {
    for (const time of [1.9, 999.5, 1000.0001, -0.5, -1.5, -1000.25, Date.parse('2026-06-01T00:00:00.000Z') - 0.25]) {
      expect(recordTimestamp(time), String(time)).toBe(new Date(time).toISOString());
    }
  });

  it('throws RangeError for a time a Date cannot hold, as toISOString does', () => {
    for (const time of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 8.64e15 + 1, -8.64e15 - 1]) {
      expect(() => new Date(time).toISOString()).toThrow(RangeError);
      expect(() => recordTimestamp(time), String(time)).toThrow(RangeError);
    }
    // And is not thrown off by it.
    expect(recordTimestamp(5)).toBe('1970-01-01T00:00:00.005Z');
  });
});
