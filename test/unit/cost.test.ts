import { describe, expect, it } from 'vitest';
import { costUsd } from '../../src/usage/cost.js';

describe('costUsd', () => {
  const usage = { inputTokens: 1_000_000, outputTokens: 500_000, cachedInputTokens: 200_000, cacheWriteTokens: 100_000 };

  it('prices uncached, cached, cache-write and output tokens separately (USD per million)', () => {
    // 700k uncached * $3 + 200k cached * $0.30 + 100k writes * $3.75 + 500k output * $15
    expect(costUsd(usage, { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 })).toBeCloseTo(2.1 + 0.06 + 0.375 + 7.5, 9);
  });

  it('falls back to the input price for cached reads and writes', () => {
    expect(costUsd(usage, { input: 2, output: 4 })).toBeCloseTo(2 + 2, 9);
  });

  it('is zero without pricing and never negative', () => {
    expect(costUsd(usage, undefined)).toBe(0);
    expect(costUsd({ inputTokens: 1, outputTokens: 0, cachedInputTokens: 5, cacheWriteTokens: 0 }, { input: 1, output: 1 })).toBeGreaterThanOrEqual(0);
  });
});
