/** The call log (src/usage/calls.ts): one row per call, newest first, paged backwards. */
import { describe, expect, it } from 'vitest';
import { toBase64Url, utf8 } from '../../src/crypto/encoding.js';
import type { Store } from '../../src/store.js';
import { decodeCallCursor, encodeCallCursor, queryCalls, type CallRow } from '../../src/usage/calls.js';
import type { UsageRecord } from '../../src/usage/record.js';
import { createMemoryStore } from '../../storage/memory.js';

/** A call's records: `failed` failed attempts, then its last (with the trace). */
function call(day: string, n: number, options: { project?: string; model?: string; failed?: number; outcome?: string } = {}): UsageRecord[] {
  const ts = new Date(Date.parse(`${day}T00:00:00.000Z`) + n * 1000).toISOString();
  const base = {
    ts,
    requestId: `req_${day}_${n}`,
    projectId: options.project ?? 'p1',
    tokenId: 'tok_1',
    provider: 'openai',
    endpoint: '/v1/chat/completions',
    stream: n % 2 === 0,
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    usageReported: true,
  };
  const records: UsageRecord[] = [];
  const failed = options.failed ?? 0;
  for (let attempt = 1; attempt <= failed; attempt++) {
    records.push({ ...base, model: 'down', upstreamModel: 'down', status: 503, outcome: 'upstream_error', attempt, inputTokens: 0, outputTokens: 0, costUsd: 0, latencyMs: 10 * attempt, ttftMs: null });
  }
  const model = options.model ?? 'gpt';
  records.push({
    ...base,
    model,
    upstreamModel: model,
    status: 200,
    outcome: options.outcome ?? 'ok',
    attempt: failed + 1,
    inputTokens: 10 + n,
    outputTokens: 5,
    costUsd: 0.001,
    latencyMs: 100 + n,
    ttftMs: 50,
    routing: { requested: model, attempts: [{ attempt: 1, model: 'down' }] } as never,
  });
  return records;
}

async function storeWith(days: Record<string, UsageRecord[]>): Promise<Store> {
  const store = createMemoryStore();
  for (const [day, records] of Object.entries(days)) await store.append(`data/usage/${day}.jsonl`, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return store;
}

/** Every page, following the cursors. */
async function allPages(store: Store, request: Parameters<typeof queryCalls>[1]): Promise<CallRow[][]> {
  const pages: CallRow[][] = [];
  let cursor: string | undefined;
  do {
    const page = await queryCalls(store, { ...request, ...(cursor ? { cursor } : {}) });
    pages.push(page.calls);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && pages.length < 1000);
  return pages;
}

describe('the call log', () => {
  it("lists each call once, as its last record says, newest first across days", async () => {
    const store = await storeWith({
      '2026-03-01': [...call('2026-03-01', 1), ...call('2026-03-01', 2, { failed: 2 })],
      '2026-03-02': [...call('2026-03-02', 1, { failed: 1 }), ...call('2026-03-02', 2)],
    });
    const { calls, nextCursor } = await queryCalls(store, {});
    expect(calls.map((c) => c.requestId)).toEqual(['req_2026-03-02_2', 'req_2026-03-02_1', 'req_2026-03-01_2', 'req_2026-03-01_1']);
    expect(nextCursor).toBeNull();
    expect(calls[1]).toEqual({
      requestId: 'req_2026-03-02_1',
      time: '2026-03-02T00:00:01.000Z',
      projectId: 'p1',
      tokenId: 'tok_1',
      model: 'gpt',
      endpoint: '/v1/chat/completions',
      status: 200,
      outcome: 'ok',
      inputTokens: 11,
      outputTokens: 5,
      costUsd: 0.001,
      latencyMs: 101,
      ttftMs: 50,
      attempts: 2,
      stream: false,
    });
    expect(calls[2]!.attempts).toBe(3);
  });

  it('pages backwards through every call exactly once, whatever the page size', async () => {
    const days: Record<string, UsageRecord[]> = {};
    const ids: string[] = [];
    for (const day of ['2026-04-01', '2026-04-02', '2026-04-03']) {
      days[day] = [];
      for (let n = 0; n < 37; n++) {
        days[day].push(...call(day, n, { failed: n % 4 === 0 ? 1 : 0 }));
        ids.push(`req_${day}_${n}`);
      }
    }
    const store = await storeWith(days);
    for (const limit of [1, 7, 37, 50, 500]) {
      const pages = await allPages(store, { limit });
      expect(pages.flat().map((c) => c.requestId), `limit ${limit}`).toEqual([...ids].reverse());
      expect(pages.slice(0, -1).every((page) => page.length === limit)).toBe(true);
    }
  });

  it('does not show calls recorded after the first page on later pages', async () => {
    const store = await storeWith({ '2026-05-01': [...call('2026-05-01', 1), ...call('2026-05-01', 2), ...call('2026-05-01', 3)] });
    const first = await queryCalls(store, { limit: 2 });
    await store.append('data/usage/2026-05-01.jsonl', `${JSON.stringify(call('2026-05-01', 4)[0])}\n`);
    const second = await queryCalls(store, { limit: 2, cursor: first.nextCursor! });
    expect([...first.calls, ...second.calls].map((c) => c.requestId)).toEqual(['req_2026-05-01_3', 'req_2026-05-01_2', 'req_2026-05-01_1']);
  });

  it('filters by project, visible projects, model and outcome, exactly', async () => {
    const store = await storeWith({
      '2026-06-01': [
        ...call('2026-06-01', 1, { project: 'p1', model: 'gpt' }),
        ...call('2026-06-01', 2, { project: 'p2', model: 'gpt' }),
        // "gpt" is in this call's trace and in its failed attempts' ids, but not its model.
        ...call('2026-06-01', 3, { project: 'p1', model: 'gpt-mini', failed: 1 }),
        ...call('2026-06-01', 4, { project: 'p1', model: 'gpt', outcome: 'truncated_stream' }),
      ],
    });
    const ids = async (request: Parameters<typeof queryCalls>[1]) => (await queryCalls(store, request)).calls.map((c) => c.requestId.slice(-1));
    expect(await ids({ projectId: 'p1' })).toEqual(['4', '3', '1']);
    expect(await ids({ projectIds: new Set(['p2']) })).toEqual(['2']);
    expect(await ids({ projectId: 'p1', projectIds: new Set(['p2']) })).toEqual([]);
    expect(await ids({ model: 'gpt' })).toEqual(['4', '2', '1']);
    expect(await ids({ model: 'down' })).toEqual([]);
    expect(await ids({ outcome: 'ok', model: 'gpt' })).toEqual(['2', '1']);
  });

  it('skips torn lines, and refuses a cursor it did not make', async () => {
    const store = createMemoryStore();
    await store.append('data/usage/2026-07-01.jsonl', `${JSON.stringify(call('2026-07-01', 1)[0])}\n{"ts":"2026-07-01T00:00:02.000Z","requestId":"req_torn`);
    expect((await queryCalls(store, {})).calls.map((c) => c.requestId)).toEqual(['req_2026-07-01_1']);
    for (const cursor of ['nope', toBase64Url(utf8.encode('data/usage/2026-07-01.jsonl:3')), toBase64Url(utf8.encode('calls:config/users.json:1')), 'x'.repeat(300)]) {
      await expect(queryCalls(store, { cursor })).rejects.toMatchObject({ code: 'invalid_request', options: { param: 'cursor' } });
    }
    expect(decodeCallCursor(encodeCallCursor({ key: 'data/usage/2026-07-01.jsonl', line: 12 }))).toEqual({ key: 'data/usage/2026-07-01.jsonl', line: 12 });
  });

  it('reads only the newest days a page needs', async () => {
    const days: Record<string, UsageRecord[]> = {};
    for (let d = 1; d <= 9; d++) days[`2026-08-0${d}`] = Array.from({ length: 20 }, (_, n) => call(`2026-08-0${d}`, n)).flat();
    const store = await storeWith(days);
    const read: string[] = [];
    const watched: Store = { ...store, readLines: (key, options) => (read.push(key), store.readLines(key, options)) };
    const page = await queryCalls(watched, { limit: 30 });
    expect(page.calls).toHaveLength(30);
    expect(read).toEqual(['data/usage/2026-08-09.jsonl', 'data/usage/2026-08-08.jsonl']);
    read.length = 0;
    await queryCalls(watched, { limit: 5, cursor: page.nextCursor! });
    expect(read).toEqual(['data/usage/2026-08-08.jsonl']);
  });
});
