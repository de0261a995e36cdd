import { describe, expect, it } from 'vitest';
import type { StoredProject, StoredToken } from '../../../src/config/schemas.js';
import { minuteWindow } from '../../../src/limits/periods.js';
import { rateHeaders, rateLines } from '../../../src/limits/rate-limits.js';

const T = Date.parse('2026-12-01T23:59:30.000Z');

function project(extra: Partial<StoredProject> = {}): StoredProject {
  return { id: 'p1', name: 'Acme', models: [], tokens: [], createdAt: '', updatedAt: '', ...extra };
}

function token(extra: Partial<StoredToken> = {}): StoredToken {
  return { id: 't1', hash: '0'.repeat(64), hint: 'x', createdAt: '', ...extra };
}

describe('rateLines', () => {
  it('names each limited scope and its counters for the minute', () => {
    const minute = minuteWindow(T);
    const lines = rateLines(project({ limits: { rpm: 10 } }), token({ name: 'ci', limits: { tpm: 500, concurrency: 2 } }), minute);
    expect(lines).toEqual([
      { scope: 'project', name: 'project "Acme"', limits: { rpm: 10 }, requestsKey: `r:p:p1:req:${minute.id}`, tokensKey: `r:p:p1:tok:${minute.id}`, concurrencyKey: 'c:r:p:p1' },
      { scope: 'token', name: 'token "ci"', limits: { tpm: 500, concurrency: 2 }, requestsKey: `r:t:t1:req:${minute.id}`, tokensKey: `r:t:t1:tok:${minute.id}`, concurrencyKey: 'c:r:t:t1' },
    ]);
    expect(rateLines(project(), token({ limits: {} }), minute)).toEqual([]);
  });

  it('makes a scope\'s line once a minute while its config object stays, and anew when it or the minute changes', () => {
    const p = project({ limits: { rpm: 10 } });
    const t = token();
    const minute = minuteWindow(T);
    const first = rateLines(p, t, minute)[0]!;
    expect(rateLines(p, t, minute)[0]).toBe(first);
    // The next minute counts on keys of its own.
    const next = minuteWindow(T + 60_000);
    expect(rateLines(p, t, next)[0]).toMatchObject({ requestsKey: `r:p:p1:req:${next.id}` });
    // A config write replaces the project: its new limits and name are read.
    const replaced = { ...p, name: 'Acme 2', limits: { rpm: 20 } };
    expect(rateLines(replaced, t, next)[0]).toMatchObject({ name: 'project "Acme 2"', limits: { rpm: 20 } });
    // The same object with its limits replaced is read anew too.
    p.limits = { rpm: 30 };
    expect(rateLines(p, t, next)[0]).toMatchObject({ limits: { rpm: 30 } });
  });
});

describe('rateHeaders', () => {
  const state = { requests: { limit: 10, remaining: 4 }, tokens: { limit: 500, remaining: 120 } };

  it('writes OpenAI\'s resets as Go durations rounded up to the second, and below one second in ms', () => {
    const minute = minuteWindow(T);
    const resetAt = (msLeft: number) => rateHeaders(state, 'openai', minute, minute.end - msLeft)!['x-ratelimit-reset-requests'];
    // The same second's text however many calls write it, then the next second's.
    expect([30_000, 29_999, 29_001, 29_000, 28_999, 60_000, 999, 1].map(resetAt)).toEqual(['30s', '30s', '30s', '29s', '29s', '1m0s', '999ms', '1ms']);
    expect(rateHeaders(state, 'openai', minute, minute.end - 1_500)).toEqual({
      'x-ratelimit-limit-requests': '10',
      'x-ratelimit-remaining-requests': '4',
      'x-ratelimit-reset-requests': '2s',
      'x-ratelimit-limit-tokens': '500',
      'x-ratelimit-remaining-tokens': '120',
      'x-ratelimit-reset-tokens': '2s',
    });
  });

  it('writes Anthropic\'s resets as the window\'s end in RFC 3339, for each window', () => {
    const minute = minuteWindow(T);
    expect(rateHeaders(state, 'anthropic', minute, T)!['anthropic-ratelimit-requests-reset']).toBe('2026-12-02T00:00:00Z');
    const next = minuteWindow(T + 60_000);
    expect(rateHeaders({ tokens: state.tokens }, 'anthropic', next, T + 60_000)).toEqual({
      'anthropic-ratelimit-tokens-limit': '500',
      'anthropic-ratelimit-tokens-remaining': '120',
      'anthropic-ratelimit-tokens-reset': '2026-12-02T00:01:00Z',
    });
  });
});
