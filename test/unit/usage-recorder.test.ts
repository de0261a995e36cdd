import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../storage/memory.js';
import type { Store } from '../../src/store.js';
import type { UsageRecord } from '../../src/usage/record.js';
import { UsageRecorder } from '../../src/usage/recorder.js';

const logger = { info() {}, warn() {}, error() {} };

function record(ts: string, n: number): UsageRecord {
  return {
    ts, requestId: `req_${n}`, projectId: 'prj', tokenId: 'tok', model: 'm', provider: 'openai', upstreamModel: 'm', endpoint: '/v1/chat/completions',
    stream: false, status: 200, outcome: 'ok', inputTokens: n, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, usageReported: true, costUsd: 0, latencyMs: 1, ttftMs: 1,
  };
}

/** A store that counts appends, to see batching. */
function countingStore(): Store & { appends: number } {
  const inner = createMemoryStore();
  const store = { ...inner, appends: 0, append: async (key: string, text: string) => { store.appends++; await inner.append(key, text); } };
  return store;
}

describe('UsageRecorder', () => {
  it('batches records arriving within the window into one append per day segment', async () => {
    const store = countingStore();
    const recorder = new UsageRecorder(store, logger, 20);
    const done = Array.from({ length: 50 }, (_, n) => recorder.record(record(n < 40 ? '2026-11-23T10:00:00.000Z' : '2026-11-24T00:00:01.000Z', n)));
    await Promise.all(done);
    expect(store.appends).toBe(2);
    const day1 = (await store.get('data/usage/2026-11-23.jsonl'))!.trim().split('\n').map((l) => JSON.parse(l).inputTokens);
    expect(day1).toEqual(Array.from({ length: 40 }, (_, n) => n));
    expect((await store.get('data/usage/2026-11-24.jsonl'))!.trim().split('\n')).toHaveLength(10);
  });

  it('flush writes at once, without waiting for the window', async () => {
    const store = countingStore();
    const recorder = new UsageRecorder(store, logger, 60_000);
    void recorder.record(record('2026-11-23T10:00:00.000Z', 1));
    await recorder.flush();
    expect(await store.get('data/usage/2026-11-23.jsonl')).toContain('"requestId":"req_1"');
  });

  it('keeps going after a failed append and logs it', async () => {
    const errors: unknown[] = [];
    const store = createMemoryStore();
    let fail = true;
    const flaky: Store = { ...store, append: async (key, text) => { if (fail) { fail = false; throw new Error('disk full'); } await store.append(key, text); } };
    const recorder = new UsageRecorder(flaky, { ...logger, error: (m, f) => errors.push([m, f]) }, 1);
    await recorder.record(record('2026-11-23T10:00:00.000Z', 1));
    await recorder.record(record('2026-11-23T10:00:00.000Z', 2));
    expect(errors).toHaveLength(1);
    expect(await store.get('data/usage/2026-11-23.jsonl')).toContain('"requestId":"req_2"');
  });
});
