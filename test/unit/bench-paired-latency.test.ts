/**
 * The bench's added p50 at one connection, paired by round (bench/report.ts): each round's slice
 * p50 minus direct's in the same round, then the median over the rounds. A slow spell that covers
 * a round moves both of its slices and cancels; pooled p50s do not cancel it.
 */
import { describe, expect, it } from 'vitest';
import { pairedAddedP50, sliceP50s, withAddedLatency } from '../../bench/report.js';

describe('bench: added p50 paired by round', () => {
  it('takes the p50 of each slice of the latencies', () => {
    expect(sliceP50s([3, 1, 2, 10, 30, 20, 40], [3, 3, 7])).toEqual([2, Number.NaN, 20]);
  });

  it('is the median of the per-round differences, skipping rounds with no success', () => {
    expect(pairedAddedP50([1.2, 2.3, 1.1, Number.NaN], [1.0, 2.0, 1.0, 1.0])).toBeCloseTo(0.2, 10);
    expect(pairedAddedP50([1, 2], [1])).toBeNaN();
    expect(pairedAddedP50([], [])).toBeNaN();
  });

  it('cancels a slow spell that pooled p50s count as added latency', () => {
    // Direct's calls land in fast rounds more often than the hop's: pooled, the hop looks 1 ms slower;
    // paired, it adds its real 0.1 ms.
    const direct = { fast: Array(60).fill(0.5), slow: Array(40).fill(1.5) };
    const hop = { fast: Array(40).fill(0.6), slow: Array(60).fill(1.6) };
    const rows = withAddedLatency([
      row('direct', [...direct.fast, ...direct.slow], [60, 100]),
      row('bare', [...hop.fast, ...hop.slow], [40, 100]),
    ]);
    const bare = rows.find((r) => r.target === 'bare')!;
    expect(bare.addedP50Ms).toBeCloseTo(1.1, 10);
    expect(bare.pairedAddedP50Ms).toBeCloseTo(0.1, 10);
  });
});

function row(target: 'direct' | 'bare', latencies: number[], ends: number[]) {
  return {
    mode: 'non-stream' as const,
    target,
    concurrency: 1,
    requests: latencies.length,
    errors: 0,
    errorSamples: [],
    rps: 0,
    p50Ms: [...latencies].sort((a, b) => a - b)[Math.ceil(latencies.length / 2) - 1]!,
    p99Ms: 0,
    ttfbP50Ms: Number.NaN,
    roundP50sMs: sliceP50s(latencies, ends),
    cpu: { mockUs: 0, clientUs: 0 },
  };
}
