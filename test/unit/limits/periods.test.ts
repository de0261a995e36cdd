// Budget periods on UTC calendar boundaries, and the reset formats of the rate-limit headers.

import { describe, expect, it } from 'vitest';
import { goDuration, minuteWindow, periodWindow, rfc3339Seconds } from '../../../src/limits/periods.js';

const at = (iso: string) => Date.parse(iso);
const window = (period: Parameters<typeof periodWindow>[0], iso: string) => {
  const w = periodWindow(period, at(iso));
  return { id: w.id, start: new Date(w.start).toISOString(), end: Number.isFinite(w.end) ? new Date(w.end).toISOString() : 'never' };
};

describe('periodWindow', () => {
  it.each([
    ['hour', '2026-12-01T04:59:59.999Z', '2026-12-01T04', '2026-12-01T04:00:00.000Z', '2026-12-01T05:00:00.000Z'],
    ['hour', '2026-12-01T05:00:00.000Z', '2026-12-01T05', '2026-12-01T05:00:00.000Z', '2026-12-01T06:00:00.000Z'],
    ['day', '2026-12-31T23:59:59.999Z', '2026-12-31', '2026-12-31T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    // 2026-12-06 is a Sunday: its week began on Monday the 30th of November.
    ['week', '2026-12-06T23:00:00.000Z', 'w2026-11-30', '2026-11-30T00:00:00.000Z', '2026-12-07T00:00:00.000Z'],
    ['week', '2026-12-07T00:00:00.000Z', 'w2026-12-07', '2026-12-07T00:00:00.000Z', '2026-12-14T00:00:00.000Z'],
    ['week', '2026-11-30T00:00:00.000Z', 'w2026-11-30', '2026-11-30T00:00:00.000Z', '2026-12-07T00:00:00.000Z'],
    ['month', '2028-02-29T12:00:00.000Z', '2028-02', '2028-02-01T00:00:00.000Z', '2028-03-01T00:00:00.000Z'],
    ['month', '2026-12-15T00:00:00.000Z', '2026-12', '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['total', '2026-12-15T00:00:00.000Z', 'total', '1970-01-01T00:00:00.000Z', 'never'],
  ] as const)('%s at %s is %s, from %s to %s', (period, iso, id, start, end) => {
    expect(window(period, iso)).toEqual({ id, start, end });
  });

  it('holds its instant, whatever the instant', () => {
    for (let t = at('2026-01-01T00:00:00Z'); t < at('2027-01-01T00:00:00Z'); t += 3_600_000 * 7 + 12_345) {
      for (const period of ['hour', 'day', 'week', 'month'] as const) {
        const w = periodWindow(period, t);
        expect(w.start <= t && t < w.end, `${period} at ${new Date(t).toISOString()}`).toBe(true);
        expect(periodWindow(period, w.start).id).toBe(w.id);
        expect(periodWindow(period, w.end).id).not.toBe(w.id);
      }
    }
  });

  it('minute windows are the clock’s minutes', () => {
    const w = minuteWindow(at('2026-12-01T04:20:59.999Z'));
    expect([new Date(w.start).toISOString(), new Date(w.end).toISOString()]).toEqual(['2026-12-01T04:20:00.000Z', '2026-12-01T04:21:00.000Z']);
  });
});

describe('reset formats', () => {
  it.each([
    [0, '0ms'],
    [17.2, '18ms'],
    [999, '999ms'],
    [1000, '1s'],
    [1001, '2s'],
    [59_000, '59s'],
    [60_000, '1m0s'],
    [360_000, '6m0s'],
    [3_723_000, '1h2m3s'],
  ])('OpenAI: %d ms is "%s" (Go durations)', (ms, text) => {
    expect(goDuration(ms)).toBe(text);
  });

  it('Anthropic: RFC 3339 in whole seconds, rounded up', () => {
    expect(rfc3339Seconds(at('2026-12-01T04:21:00.000Z'))).toBe('2026-12-01T04:21:00Z');
    expect(rfc3339Seconds(at('2026-12-01T04:20:59.001Z'))).toBe('2026-12-01T04:21:00Z');
  });
});
