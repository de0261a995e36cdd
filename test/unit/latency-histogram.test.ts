/** Log-scale latency histograms (src/usage/latency-histogram.ts): buckets, merging, percentiles, storage. */
import { describe, expect, it } from 'vitest';
import {
  addHistogram,
  bucketEdge,
  bucketOf,
  countLatency,
  estimatePercentile,
  fromSparse,
  HISTOGRAM_BUCKETS,
  toSparse,
} from '../../src/usage/latency-histogram.js';
import { random } from '../support/usage-rollups.js';

/** The exact percentile of a sorted sample, by the nearest-rank method. */
const truePercentile = (sorted: number[], q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;

describe('buckets', () => {
  it('run from 1 ms to about 11 minutes, each edge 2^(2/3) times the last, plus one for longer', () => {
    expect(HISTOGRAM_BUCKETS).toBe(31);
    expect(bucketEdge(0)).toBe(1);
    expect(bucketEdge(3)).toBeCloseTo(4, 10);
    expect(bucketEdge(29)).toBeGreaterThan(600_000);
    expect(bucketEdge(29)).toBeLessThan(700_000);
  });

  it('hold each value in exactly one bucket, edges included in the bucket below them', () => {
    expect([bucketOf(0), bucketOf(0.4), bucketOf(1), bucketOf(1.0001)]).toEqual([0, 0, 0, 1]);
    for (let k = 1; k < 30; k++) {
      expect(bucketOf(bucketEdge(k)), `edge ${k}`).toBe(k);
      expect(bucketOf(bucketEdge(k) * 1.000001), `past edge ${k}`).toBe(k + 1);
    }
    expect([bucketOf(bucketEdge(29) + 1), bucketOf(86_400_000)]).toEqual([30, 30]);
    expect([bucketOf(-1), bucketOf(Number.NaN), bucketOf(Number.POSITIVE_INFINITY)]).toEqual([undefined, undefined, undefined]);
  });
});

describe('histograms', () => {
  it('count values, skip what is no latency, and merge by adding', () => {
    const a: number[] = [];
    for (const ms of [0, 3, 3.5, 100, null, undefined, -5, Number.NaN]) countLatency(a, ms as number);
    expect(a.reduce((x, y) => x + y, 0)).toBe(4);
    expect(a).toHaveLength(bucketOf(100)! + 1);
    const b: number[] = [];
    countLatency(b, 1_000_000);
    const merged: number[] = [];
    addHistogram(merged, a);
    addHistogram(merged, b);
    expect(merged).toHaveLength(31);
    expect(merged.reduce((x, y) => x + y, 0)).toBe(5);
    expect(merged[30]).toBe(1);
  });

  it('are stored sparse and read back; anything else is refused', () => {
    const h: number[] = [];
    for (const ms of [50, 51, 52, 900, 900]) countLatency(h, ms);
    const sparse = toSparse(h);
    expect(sparse).toEqual([bucketOf(50), 3, bucketOf(900), 2]);
    expect(fromSparse(sparse)).toEqual(h);
    expect(fromSparse([])).toEqual([]);
    for (const bad of [[1], [3, 1, 2, 1], [3, 1, 3, 1], [31, 1], [-1, 1], [2, 0], [2, 1.5], [2, -1], 'x', null, { 0: 1 }]) expect(fromSparse(bad), JSON.stringify(bad)).toBeUndefined();
  });
});

describe('percentile estimates', () => {
  it('are null for an empty histogram', () => {
    expect(estimatePercentile([], 0.5)).toBeNull();
    expect(estimatePercentile([0, 0, 0], 0.95)).toBeNull();
  });

  it('stay within a factor of 2^(2/3) of the true value, and close to it for smooth data', () => {
    const next = random(42);
    const errors: number[] = [];
    for (let trial = 0; trial < 40; trial++) {
      // Log-normal latencies around a median between 20 ms and 20 s.
      const median = 20 * 1000 ** next();
      const values = Array.from({ length: 5000 }, () => median * Math.exp(0.8 * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next())));
      const histogram: number[] = [];
      for (const v of values) countLatency(histogram, v);
      const sorted = [...values].sort((a, b) => a - b);
      for (const q of [0.5, 0.95]) {
        const ratio = estimatePercentile(histogram, q)! / truePercentile(sorted, q);
        expect(ratio).toBeGreaterThan(1 / 2 ** (2 / 3));
        expect(ratio).toBeLessThan(2 ** (2 / 3));
        errors.push(Math.abs(ratio - 1));
      }
    }
    errors.sort((a, b) => a - b);
    expect(errors[Math.floor(errors.length / 2)]).toBeLessThan(0.05);
  });

  it('answer the last edge for values past it, as a floor', () => {
    const h: number[] = [];
    for (let i = 0; i < 10; i++) countLatency(h, 2_000_000);
    expect(estimatePercentile(h, 0.5)).toBe(Math.round(bucketEdge(29) * 10) / 10);
  });
});
