import { describe, expect, it, vi } from 'vitest';
import { createMemoryStore } from '../../storage/memory.js';
import type { Store } from '../../src/store.js';
import type { UsageRecord } from '../../src/usage/record.js';
import { queryUsage } from '../../src/usage/query.js';
import { UsageRecorder } from '../../src/usage/recorder.js';
import { summarizeUsage } from '../../src/usage/summary.js';

const logger = { info() {}, warn() {}, error() {} };

function record(ts: string, n: number): UsageRecord {
  return {
    ts, requestId: `req_${n}`, projectId: 'prj', tokenId: 'tok', model: 'm', provider: 'openai', upstreamModel: 'm', endpoint: '/v1/chat/completions',
    stream: false, status: 200, outcome: 'ok', inputTokens: n, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, usageReported: true, costUsd: 0, latencyMs: 1, ttftMs: 1,
  };
}

/** A store that counts appends and lists puts, to see batching. */
function countingStore(): Store & { appends: number; puts: string[] } {
  const inner = createMemoryStore();
  const store = {
    ...inner,
    appends: 0,
    puts: [] as string[],
    append: async (key: string, text: string) => { store.appends++; await inner.append(key, text); },
    put: async (key: string, value: string) => { store.puts.push(key); await inner.put(key, value); },
  };
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

  it('under steady load appends once per window, not once per write: records that came during a write wait for their window', async () => {
    vi.useFakeTimers();
    try {
      const store = countingStore();
      const slow: Store = { ...store, append: async (key, text) => { await new Promise((resolve) => setTimeout(resolve, 5)); await store.append(key, text); } };
      const recorder = new UsageRecorder(slow, logger, 25, { background: () => undefined });
      // One record a millisecond for 200 ms: with a 5 ms write and no pacing, that was ~40 appends.
      const done: Promise<void>[] = [];
      for (let n = 0; n < 200; n++) {
        done.push(recorder.record(record('2026-11-23T10:00:00.000Z', n)));
        await vi.advanceTimersByTimeAsync(1);
      }
      await vi.advanceTimersByTimeAsync(100);
      await Promise.all(done);
      // A window of 25 ms and a write of 5 ms: one append every 30 ms or so, the last one included.
      expect(store.appends).toBeGreaterThanOrEqual(6);
      expect(store.appends).toBeLessThanOrEqual(9);
      const lines = (await store.get('data/usage/2026-11-23.jsonl'))!.trim().split('\n').map((l) => JSON.parse(l).inputTokens);
      expect(lines).toEqual(Array.from({ length: 200 }, (_, n) => n));
    } finally {
      vi.useRealTimers();
    }
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

  it('keeps the records of a store outage and appends them once it answers again, saying so once each way', async () => {
    const errors: string[] = [];
    const infos: string[] = [];
    const store = createMemoryStore();
    let down = true;
    const flaky: Store = { ...store, append: async (key, text) => { if (down) throw new Error('connection is closed'); await store.append(key, text); } };
    const recorder = new UsageRecorder(flaky, { ...logger, error: (m) => errors.push(m), info: (m) => infos.push(m) }, 1);
    for (let n = 1; n <= 3; n++) await recorder.record(record('2026-11-23T10:00:00.000Z', n));
    expect(recorder.heldRecords).toBe(3);
    expect(errors).toHaveLength(1);
    // Shutting down while the store is still out: tried once more, and said how many are held.
    await recorder.flush();
    expect(errors.at(-1)).toContain('held in memory only');
    down = false;
    await recorder.record(record('2026-11-23T10:00:01.000Z', 4));
    await recorder.flush();
    expect(recorder.heldRecords).toBe(0);
    expect(infos).toEqual(['usage appends work again']);
    const lines = (await store.get('data/usage/2026-11-23.jsonl'))!.trim().split('\n');
    expect(lines.map((line) => JSON.parse(line).requestId).sort()).toEqual(['req_1', 'req_2', 'req_3', 'req_4']);
    // And the rollups count them all.
    expect((await summarizeUsage(store, { groupBy: 'day' })).totals.attempts).toBe(4);
  });

  it('writes its rollups after each batch: one put per document, named by its instance id', async () => {
    const store = countingStore();
    const recorder = new UsageRecorder(store, logger, 20, { instanceId: 'node.1' });
    expect(recorder.rollupWriter).toBe('node-1');
    await Promise.all(Array.from({ length: 30 }, (_, n) => recorder.record(record(n < 20 ? '2026-11-23T10:00:00.000Z' : '2026-11-23T11:30:00.000Z', n))));
    expect(store.appends).toBe(1);
    expect(store.puts.sort()).toEqual([
      'data/rollups/day/2026-11/2026-11-23.node-1.json',
      'data/rollups/hour/2026-11-23/2026-11-23T10.node-1.json',
      'data/rollups/hour/2026-11-23/2026-11-23T11.node-1.json',
      'data/rollups/month/2026-11.node-1.json',
    ]);
    // Settled means written: the summary needs no flush to see the batch.
    expect((await summarizeUsage(store, { groupBy: 'hour', from: Date.parse('2026-11-23T00:00:00Z') })).groups.map((g) => g.attempts)).toEqual([20, 10]);
  });

  it('gives each instance documents of its own', async () => {
    const store = createMemoryStore();
    const [a, b] = [new UsageRecorder(store, logger, 1), new UsageRecorder(store, logger, 1)];
    expect(a.rollupWriter).not.toBe(b.rollupWriter);
    await Promise.all([a.record(record('2026-11-23T10:00:00.000Z', 1)), b.record(record('2026-11-23T10:00:00.000Z', 2))]);
    expect(await store.list('data/rollups/month/')).toHaveLength(2);
    expect((await summarizeUsage(store, { groupBy: 'project' })).totals.inputTokens).toBe(3);
  });

  it('leaves a record whose append failed out of the rollups too', async () => {
    const store = createMemoryStore();
    const flaky: Store = { ...store, append: async (key, text) => { if (key.includes('2026-11-24')) throw new Error('disk full'); await store.append(key, text); } };
    const recorder = new UsageRecorder(flaky, logger, 1);
    await Promise.all([recorder.record(record('2026-11-23T10:00:00.000Z', 1)), recorder.record(record('2026-11-24T10:00:00.000Z', 2))]);
    const summary = await summarizeUsage(store, { groupBy: 'day' });
    expect(summary.groups.map((g) => g.key)).toEqual(['2026-11-23']);
  });

  it('keeps the rollups equal to the raw records over many batches, flushed or not', async () => {
    const store = countingStore();
    const recorder = new UsageRecorder(store, logger, 2);
    const start = Date.parse('2026-11-28T20:00:00.000Z');
    const written: Promise<void>[] = [];
    for (let n = 0; n < 400; n++) {
      written.push(recorder.record({ ...record(new Date(start + n * 1_000_000).toISOString(), n), costUsd: n / 1e6, projectId: `prj_${n % 3}` }));
      if (n % 37 === 0) await new Promise((resolve) => setTimeout(resolve, 3));
    }
    await recorder.flush();
    const raw = (await queryUsage(store, { limit: 1 })).totals!;
    const summary = await summarizeUsage(store, { groupBy: 'day' });
    expect(summary.totals).toMatchObject(raw);
    expect(store.appends).toBeGreaterThan(1);
    await Promise.all(written);
    // The documents of the past are dropped from memory once written: today's and yesterday's remain.
    expect(recorder.heldRollupKeys().length).toBeLessThanOrEqual(6);
  });

  it('with a background keeper, settles a record on its append and hands the rollup writes over; flush waits for them', async () => {
    const inner = createMemoryStore();
    let releasePuts!: () => void;
    const putsHeld = new Promise<void>((resolve) => (releasePuts = resolve));
    const store: Store = { ...inner, put: async (key, value) => { await putsHeld; await inner.put(key, value); } };
    const handed: Promise<unknown>[] = [];
    const recorder = new UsageRecorder(store, logger, 0, { background: (work) => handed.push(work) });
    await recorder.record(record('2026-11-23T10:00:00.000Z', 1));
    expect(await inner.get('data/usage/2026-11-23.jsonl')).toContain('"requestId":"req_1"');
    expect(await inner.list('data/rollups/')).toEqual([]);
    // The rollup pass is handed over right after the append the record waited for.
    await vi.waitFor(() => expect(handed.length).toBeGreaterThan(0));
    let flushed = false;
    const flushing = recorder.flush().then(() => (flushed = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(flushed).toBe(false);
    releasePuts();
    await flushing;
    expect(await inner.list('data/rollups/')).toHaveLength(3);
    await Promise.all(handed);
  });

  it('asks the store for durable appends only with durable usage', async () => {
    for (const durable of [undefined, false, true]) {
      const inner = createMemoryStore();
      const asked: unknown[] = [];
      const store: Store = { ...inner, append: async (key, text, options) => { asked.push(options?.durable); await inner.append(key, text); } };
      const recorder = new UsageRecorder(store, logger, 0, durable === undefined ? {} : { durable });
      await recorder.record(record('2026-11-23T10:00:00.000Z', 1));
      expect(asked).toEqual([durable === true]);
    }
  });

  it('with a background keeper, settles a record on its own append while later batches are still being written', async () => {
    // Under steady load the write loop never idles: a record waiting on the whole loop held its
    // call in memory until the load paused.
    const inner = createMemoryStore();
    const held: Array<() => void> = [];
    let appends = 0;
    const store: Store = {
      ...inner,
      append: async (key, text) => {
        appends++;
        await new Promise<void>((resolve) => held.push(resolve));
        await inner.append(key, text);
      },
    };
    const recorder = new UsageRecorder(store, logger, 0, { background: () => undefined });
    let firstSettled = false;
    const first = recorder.record(record('2026-11-23T10:00:00.000Z', 1)).then(() => (firstSettled = true));
    await vi.waitFor(() => expect(appends).toBe(1));
    // The second record arrives while the first is being appended: the loop goes on to it.
    let secondSettled = false;
    const second = recorder.record(record('2026-11-23T10:00:01.000Z', 2)).then(() => (secondSettled = true));
    held[0]!();
    await vi.waitFor(() => expect(appends).toBe(2));
    await first;
    expect(firstSettled).toBe(true);
    expect(secondSettled).toBe(false);
    held[1]!();
    await second;
    await recorder.flush();
    expect(await inner.get('data/usage/2026-11-23.jsonl')).toContain('"requestId":"req_2"');
  });

  it('without one, settles a record only once its rollups are written too', async () => {
    const inner = createMemoryStore();
    let releasePuts!: () => void;
    const putsHeld = new Promise<void>((resolve) => (releasePuts = resolve));
    const store: Store = { ...inner, put: async (key, value) => { await putsHeld; await inner.put(key, value); } };
    const recorder = new UsageRecorder(store, logger, 0);
    let settled = false;
    const written = recorder.record(record('2026-11-23T10:00:00.000Z', 1)).then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(settled).toBe(false);
    releasePuts();
    await written;
    expect(await inner.list('data/rollups/')).toHaveLength(3);
  });
});
