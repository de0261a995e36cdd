// ModelStatsTable: what it learns from each attempt, over an injected clock.

import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMIT_COOLDOWN } from '../../../src/routing/policies/rate-limit.js';
import { circuitState, cooldownUntil, DEFAULT_CIRCUIT, errorRate, ModelStatsTable } from '../../../src/routing/stats.js';
import { attempt, named, T0 } from './helpers.js';

let t: number;
let stats: ModelStatsTable;
beforeEach(() => {
  t = T0;
  stats = new ModelStatsTable(() => t);
});

describe('ModelStatsTable: latency', () => {
  it.each(named([
    { samples: [100], expected: 100 },
    { samples: [100, 200], expected: 130 },
    { samples: [100, 200, 30], expected: 100 },
    { samples: [500, 500, 500], expected: 500 },
  ], (r) => `keeps an exponentially weighted latency (alpha 0.3): ${r.samples.join(', ')} → ${r.expected}`))('%s', (_name, { samples, expected }) => {
    for (const latencyMs of samples) attempt(stats, 'm', { ok: true, latencyMs, ttftMs: latencyMs / 10 });
    const m = stats.get('m');
    expect(m.latencyMs).toBeCloseTo(expected, 9);
    expect(m.ttftMs).toBeCloseTo(expected / 10, 9);
    expect(m.latencySamples).toBe(samples.length);
    expect(m.ttftSamples).toBe(samples.length);
  });

  it('keeps whole latency and time to first event apart: a call without one adds no sample of it', () => {
    attempt(stats, 'm', { ok: true, latencyMs: 300 });
    attempt(stats, 'm', { ok: true, ttftMs: 40 });
    expect(stats.get('m')).toMatchObject({ latencyMs: 300, latencySamples: 1, ttftMs: 40, ttftSamples: 1 });
  });

  it('learns latency from failed attempts too', () => {
    attempt(stats, 'm', { ok: false, errorClass: 'timeout', latencyMs: 9000 });
    expect(stats.get('m').latencyMs).toBe(9000);
  });
});

describe('ModelStatsTable: counts and errors', () => {
  it('counts requests, calls in flight and errors by class', () => {
    stats.begin('m');
    stats.begin('m');
    expect(stats.get('m').inFlight).toBe(2);
    stats.end('m', { ok: false, errorClass: 'auth' });
    stats.end('m', { ok: false });
    attempt(stats, 'm', { ok: false, errorClass: 'rate_limited', retryAfterMs: 10 });
    expect(stats.get('m')).toMatchObject({ requests: 3, inFlight: 0, errors: { auth: 1, server: 1, rate_limited: 1 }, consecutiveFailures: 2 });
  });

  it('never lets an unmatched end drive calls in flight below zero', () => {
    stats.end('m', { ok: true });
    expect(stats.get('m').inFlight).toBe(0);
  });

  it('does not create a model by peeking or by asking its last minute', () => {
    expect(stats.peek('ghost')).toBeUndefined();
    expect(stats.lastMinute('ghost')).toEqual({ requests: 0, tokens: 0 });
    expect([...stats.entries()]).toEqual([]);
  });

  it.each(named([
    { why: 'no calls', history: [], expected: 0 },
    { why: 'one failure in four', history: [[0, false], [0, true], [0, true], [0, true]], expected: 0.25 },
    { why: 'a failure faded by one half-life', history: [[0, false], [60_000, true]], expected: 1 / 3 },
    { why: 'client errors', history: [[0, 'client'], [0, true]], expected: 0 },
  ] as Array<{ why: string; history: Array<[number, boolean | 'client']>; expected: number }>, (r) => `has an error rate of ${r.expected.toFixed(4)} after ${r.why}`))('%s', (_name, { history, expected }) => {
    for (const [offset, outcome] of history) {
      t = T0 + offset;
      attempt(stats, 'm', outcome === true ? { ok: true } : { ok: false, errorClass: outcome === false ? 'server' : outcome });
    }
    expect(errorRate(stats.get('m'))).toBeCloseTo(expected, 9);
  });
});

describe('ModelStatsTable: the last minute', () => {
  it('counts requests when they begin and tokens when they end', () => {
    stats.begin('m');
    expect(stats.lastMinute('m')).toEqual({ requests: 1, tokens: 0 });
    stats.end('m', { ok: true, tokens: 120 });
    expect(stats.lastMinute('m')).toEqual({ requests: 1, tokens: 120 });
  });

  it('forgets each second’s counts 60 seconds later', () => {
    attempt(stats, 'm', { ok: true, tokens: 10 }, 3);
    t += 30_000;
    attempt(stats, 'm', { ok: true, tokens: 5 });
    t = T0 + 59_999;
    expect(stats.lastMinute('m')).toEqual({ requests: 4, tokens: 35 });
    t = T0 + 60_000;
    expect(stats.lastMinute('m')).toEqual({ requests: 1, tokens: 5 });
    t = T0 + 90_000;
    expect(stats.lastMinute('m')).toEqual({ requests: 0, tokens: 0 });
  });

  it('empties a ring slot reused a minute later instead of adding to it', () => {
    attempt(stats, 'm', { ok: true, tokens: 100 }, 5);
    t += 60_000;
    attempt(stats, 'm', { ok: true, tokens: 1 });
    expect(stats.lastMinute('m')).toEqual({ requests: 1, tokens: 1 });
  });
});

describe('ModelStatsTable: circuit and cooldown facts', () => {
  it.each(named([
    { failures: 2, offset: 0, probeUntil: 0, state: 'closed' },
    { failures: 3, offset: 0, probeUntil: 0, state: 'open' },
    { failures: 3, offset: 29_999, probeUntil: 0, state: 'open' },
    { failures: 3, offset: 30_000, probeUntil: 0, state: 'half_open' },
    { failures: 3, offset: 30_000, probeUntil: T0 + 30_001, state: 'open' },
  ], (r) => `reads the circuit as ${r.state} after ${r.failures} failures and ${r.offset} ms${r.probeUntil ? ' with a probe in flight' : ''}`))('%s', (_name, { failures, offset, probeUntil, state }) => {
    attempt(stats, 'm', { ok: false, errorClass: 'server' }, failures);
    const m = stats.get('m');
    m.probeUntil = probeUntil;
    expect(circuitState(m, T0 + offset, DEFAULT_CIRCUIT)).toBe(state);
  });

  it('marks a probe only when a call begins on a half-open circuit', () => {
    attempt(stats, 'm', { ok: false, errorClass: 'server' }, 3);
    stats.begin('m');
    expect(stats.get('m').probeUntil).toBe(0);
    stats.end('m', { ok: false, errorClass: 'server' });
    t += 30_000;
    stats.begin('m', { failureThreshold: 3, cooldownMs: 30_000 });
    expect(stats.get('m').probeUntil).toBe(t + 30_000);
  });

  it.each(named([
    { retryAfterMs: undefined, until: T0 + 15_000 },
    { retryAfterMs: 2500, until: T0 + 2500 },
    { retryAfterMs: 10_000_000, until: T0 + 300_000 },
  ], (r) => `cools a model down for ${r.until - T0} ms after a 429 with retry-after ${r.retryAfterMs ?? 'unset'}`))('%s', (_name, { retryAfterMs, until }) => {
    expect(cooldownUntil(stats.get('m'), DEFAULT_RATE_LIMIT_COOLDOWN)).toBe(0);
    attempt(stats, 'm', { ok: false, errorClass: 'rate_limited', ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
    expect(cooldownUntil(stats.get('m'), DEFAULT_RATE_LIMIT_COOLDOWN)).toBe(until);
  });
});

describe('ModelStatsTable.reset', () => {
  it('forgets what was learnt but keeps the calls in flight', () => {
    attempt(stats, 'm', { ok: false, errorClass: 'server', latencyMs: 50 }, 3);
    attempt(stats, 'm', { ok: false, errorClass: 'rate_limited', retryAfterMs: 60_000 });
    stats.begin('m');
    stats.begin('m');
    stats.reset();
    const m = stats.get('m');
    expect(m).toMatchObject({ inFlight: 2, requests: 0, errors: {}, consecutiveFailures: 0, latencyMs: undefined, latencySamples: 0, rateLimitedAt: 0 });
    expect(circuitState(m, t, DEFAULT_CIRCUIT)).toBe('closed');
    expect(stats.lastMinute('m')).toEqual({ requests: 0, tokens: 0 });
    stats.end('m', { ok: true });
    expect(stats.get('m').inFlight).toBe(1);
  });
});

describe('ModelStatsTable.describe', () => {
  const iso = (ms: number) => new Date(ms).toISOString();

  it('shows a model never called as closed and empty', () => {
    expect(stats.describe('m', stats.get('m'), DEFAULT_RATE_LIMIT_COOLDOWN)).toEqual({
      model: 'm',
      requests: 0,
      errors: {},
      errorRate: 0,
      latencyMs: null,
      latencySamples: 0,
      ttftMs: null,
      ttftSamples: 0,
      inFlight: 0,
      lastMinute: { requests: 0, tokens: 0 },
      circuit: 'closed',
      consecutiveFailures: 0,
      circuitOpenUntil: null,
      cooldownUntil: null,
    });
  });

  it('shows an open circuit and a 429 cooldown with when they end', () => {
    attempt(stats, 'm', { ok: true, latencyMs: 100.4, ttftMs: 39.6, tokens: 50 });
    attempt(stats, 'm', { ok: false, errorClass: 'server' }, 2);
    stats.begin('m');
    t += 1000;
    stats.end('m', { ok: false, errorClass: 'timeout' });
    attempt(stats, 'm', { ok: false, errorClass: 'rate_limited', retryAfterMs: 5000 });
    expect(stats.describe('m', stats.get('m'), DEFAULT_RATE_LIMIT_COOLDOWN)).toEqual({
      model: 'm',
      requests: 5,
      errors: { server: 2, timeout: 1, rate_limited: 1 },
      // The first three calls fade by one second's decay (f) before the timeout; the 429 says
      // nothing of health and is not counted: (2f + 1) / (3f + 1).
      errorRate: 0.7507,
      latencyMs: 100,
      latencySamples: 1,
      ttftMs: 40,
      ttftSamples: 1,
      inFlight: 0,
      lastMinute: { requests: 5, tokens: 50 },
      circuit: 'open',
      consecutiveFailures: 3,
      circuitOpenUntil: iso(T0 + 1000 + DEFAULT_CIRCUIT.cooldownMs),
      cooldownUntil: iso(T0 + 1000 + 5000),
    });
    t += DEFAULT_CIRCUIT.cooldownMs;
    expect(stats.describe('m', stats.get('m'), DEFAULT_RATE_LIMIT_COOLDOWN)).toMatchObject({ circuit: 'half_open', circuitOpenUntil: null, cooldownUntil: null });
  });

  it('rounds the error rate to four decimals', () => {
    attempt(stats, 'm', { ok: false });
    attempt(stats, 'm', { ok: true }, 2);
    expect(stats.describe('m', stats.get('m'), DEFAULT_RATE_LIMIT_COOLDOWN).errorRate).toBe(0.3333);
  });
});
