// The routing trace: the x-routerly-attempts header, the all-failed summary, and how a
// ranking is copied into the stored trace.

import { describe, expect, it } from 'vitest';
import { attemptsHeader, attemptsSummary, newTrace, traceRanking, type AttemptTrace } from '../../../src/routing/trace.js';
import type { Ranking } from '../../../src/routing/types.js';
import { candidates, named } from './helpers.js';

const a = (model: string, extra: Partial<AttemptTrace> = {}): AttemptTrace => ({ model, attempt: 1, ms: 12, ...extra });

describe('attemptsHeader', () => {
  it.each(named([
    { attempts: [], header: '' },
    { attempts: [a('claude', { status: 529 }), a('gpt', { status: 200 })], header: 'claude;status=529, gpt;status=200' },
    { attempts: [a('local', { cause: 'upstream_unreachable' })], header: 'local;cause=upstream_unreachable' },
    { attempts: [a('gpt', { status: 200, cause: 'stream_error' })], header: 'gpt;status=200;cause=stream_error' },
    { attempts: [a('gpt', { status: 503 }), a('gpt', { status: 503, attempt: 2 }), a('claude')], header: 'gpt;status=503, gpt;status=503, claude' },
  ], (r) => `writes "${r.header}"`))('%s', (_name, { attempts, header }) => {
    expect(attemptsHeader(attempts)).toBe(header);
  });
});

describe('attemptsSummary', () => {
  it.each(named([
    { attempts: [a('claude', { status: 529 }), a('gpt', { cause: 'connect_timeout' })], summary: 'claude: HTTP 529; gpt: connect_timeout' },
    { attempts: [a('gpt', { status: 200, cause: 'stream_error' })], summary: 'gpt: HTTP 200 stream_error' },
    { attempts: [a('gpt')], summary: 'gpt: ' },
    { attempts: [], summary: '' },
  ], (r) => `tells "${r.summary}"`))('%s', (_name, { attempts, summary }) => {
    expect(attemptsSummary(attempts)).toBe(summary);
  });
});

describe('traceRanking', () => {
  const [x, y] = candidates('x', 'y');

  it('starts a trace with the candidates and nothing decided', () => {
    expect(newTrace('auto', 'auto', ['x', 'y'])).toEqual({ requested: 'auto', via: 'auto', candidates: ['x', 'y'], excluded: [], ranking: [], attempts: [] });
  });

  it('copies the ranking compactly, the unfit first among the excluded, leaving out empty lists', () => {
    const trace = newTrace('auto', 'auto', ['x', 'y', 'z']);
    const ranking: Ranking = {
      ranked: [
        { candidate: y!, score: 0.8, scores: { cheapest: 0.8 } },
        { candidate: x!, score: 0.2, scores: { cheapest: 0.2 } },
      ],
      excluded: [{ model: 'z', policy: 'context', reason: 'too long' }],
      abstained: [],
      failed: [],
      overridden: [],
    };
    traceRanking(trace, ranking, [{ model: 'w', policy: 'endpoint', reason: 'no embeddings' }]);
    expect(trace).toEqual({
      requested: 'auto',
      via: 'auto',
      candidates: ['x', 'y', 'z'],
      excluded: [
        { model: 'w', policy: 'endpoint', reason: 'no embeddings' },
        { model: 'z', policy: 'context', reason: 'too long' },
      ],
      ranking: [
        { model: 'y', score: 0.8, scores: { cheapest: 0.8 } },
        { model: 'x', score: 0.2, scores: { cheapest: 0.2 } },
      ],
      attempts: [],
    });
  });

  it('keeps abstained, failed and overridden when there are any', () => {
    const trace = newTrace('pool', 'alias', ['x']);
    traceRanking(trace, { ranked: [], excluded: [], abstained: ['fairness'], failed: [{ policy: 'llm', error: 'boom' }], overridden: ['x'] }, []);
    expect(trace).toMatchObject({ abstained: ['fairness'], failed: [{ policy: 'llm', error: 'boom' }], overridden: ['x'] });
  });
});
