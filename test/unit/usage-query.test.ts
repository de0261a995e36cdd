import { describe, expect, it } from 'vitest';
import { toBase64Url, utf8 } from '../../src/crypto/encoding.js';
import { GatewayError } from '../../src/errors.js';
import type { Store } from '../../src/store.js';
import { decodeUsageCursor, encodeUsageCursor, queryUsage, usageOfRequest } from '../../src/usage/query.js';
import type { UsageRecord } from '../../src/usage/record.js';
import { createMemoryStore } from '../../storage/memory.js';

function record(ts: string, n: number, projectId = 'prj'): UsageRecord {
  return {
    ts, requestId: `req_${n}`, projectId, tokenId: 'tok', model: 'm', provider: 'openai', upstreamModel: 'm', endpoint: '/v1/chat/completions',
    stream: false, status: 200, outcome: 'ok', inputTokens: n, outputTokens: 1, cachedInputTokens: 0, cacheWriteTokens: 0, usageReported: true, costUsd: 0.5, latencyMs: 1, ttftMs: 1,
  };
}

/** A store with `perDay` records on each day, appended one line at a time. */
async function storeWith(days: string[], perDay: number): Promise<Store> {
  const store = createMemoryStore();
  let n = 0;
  for (const day of days) {
    for (let i = 0; i < perDay; i++) await store.append(`data/usage/${day}.jsonl`, `${JSON.stringify(record(`${day}T10:00:${String(i).padStart(2, '0')}.000Z`, n++))}\n`);
  }
  return store;
}

async function pages(store: Store, limit: number, filter = {}) {
  const seen: string[][] = [];
  let cursor: string | undefined;
  for (let pageCount = 0; pageCount < 100; pageCount++) {
    const page = await queryUsage(store, { ...filter, limit, cursor });
    expect(page.totals === null).toBe(cursor !== undefined);
    seen.push(page.records.map((r) => r.requestId));
    if (typeof page.nextCursor !== 'string') return seen;
    cursor = page.nextCursor;
  }
  throw new Error('more than 100 pages');
}

describe('queryUsage pages', () => {
  it('gives a cursor only when more records match', async () => {
    const store = await storeWith(['2026-11-22', '2026-11-23'], 3);
    expect(await pages(store, 6)).toEqual([['req_0', 'req_1', 'req_2', 'req_3', 'req_4', 'req_5']]);
    expect(await pages(store, 3)).toEqual([['req_0', 'req_1', 'req_2'], ['req_3', 'req_4', 'req_5']]);
    expect(await pages(store, 2)).toEqual([['req_0', 'req_1'], ['req_2', 'req_3'], ['req_4', 'req_5']]);
    expect(await pages(store, 4)).toEqual([['req_0', 'req_1', 'req_2', 'req_3'], ['req_4', 'req_5']]);
  });

  it('counts totals over the whole range on the first page only', async () => {
    const store = await storeWith(['2026-11-22', '2026-11-23'], 3);
    const first = await queryUsage(store, { limit: 1 });
    expect(first.totals).toMatchObject({ requests: 6, attempts: 6, inputTokens: 0 + 1 + 2 + 3 + 4 + 5, costUsd: 3 });
    const second = await queryUsage(store, { limit: 1, cursor: first.nextCursor! });
    expect(second).toMatchObject({ totals: null, records: [{ requestId: 'req_1' }] });
  });

  it('keeps the filter across pages, and a cursor names where the next match is', async () => {
    const store = createMemoryStore();
    for (let n = 0; n < 10; n++) await store.append('data/usage/2026-11-23.jsonl', `${JSON.stringify(record(`2026-11-23T10:00:0${n}.000Z`, n, n % 2 ? 'odd' : 'even'))}\n`);
    expect(await pages(store, 2, { projectId: 'odd' })).toEqual([['req_1', 'req_3'], ['req_5', 'req_7'], ['req_9']]);
    const first = await queryUsage(store, { projectId: 'odd', limit: 2 });
    expect(decodeUsageCursor(first.nextCursor!)).toEqual({ key: 'data/usage/2026-11-23.jsonl', line: 5 });
    expect(await pages(store, 2, { from: Date.parse('2026-11-23T10:00:03Z'), to: Date.parse('2026-11-23T10:00:06Z') })).toEqual([['req_3', 'req_4'], ['req_5', 'req_6']]);
  });

  it('returns records in file order, not by timestamp', async () => {
    const store = createMemoryStore();
    await store.append('data/usage/2026-11-23.jsonl', `${JSON.stringify(record('2026-11-23T10:00:05.000Z', 1))}\n${JSON.stringify(record('2026-11-23T10:00:01.000Z', 2))}\n`);
    expect((await queryUsage(store, {})).records.map((r) => r.requestId)).toEqual(['req_1', 'req_2']);
  });

  it('sees records appended after the first page on later pages', async () => {
    const store = await storeWith(['2026-11-23'], 3);
    const first = await queryUsage(store, { limit: 2 });
    await store.append('data/usage/2026-11-23.jsonl', `${JSON.stringify(record('2026-11-23T11:00:00.000Z', 99))}\n`);
    const second = await queryUsage(store, { limit: 2, cursor: first.nextCursor! });
    expect(second.records.map((r) => r.requestId)).toEqual(['req_2', 'req_99']);
    expect(second.nextCursor).toBeNull();
  });

  it('goes on from the next day when the cursor\'s day was deleted', async () => {
    const store = await storeWith(['2026-11-22', '2026-11-23'], 2);
    const first = await queryUsage(store, { limit: 1 });
    await store.delete('data/usage/2026-11-22.jsonl');
    expect((await queryUsage(store, { limit: 5, cursor: first.nextCursor! })).records.map((r) => r.requestId)).toEqual(['req_2', 'req_3']);
  });

  it('skips torn lines and lines that are JSON but not records', async () => {
    const store = await storeWith(['2026-11-23'], 2);
    await store.append('data/usage/2026-11-23.jsonl', 'null\n42\n"text"\n[]\n{}\n{"ts":5}\n\n{"ts":"2026-11-23T1');
    await store.append('data/usage/2026-11-24.jsonl', `${JSON.stringify(record('2026-11-24T00:00:00.000Z', 7))}\n`);
    const page = await queryUsage(store, {});
    expect(page.records.map((r) => r.requestId)).toEqual(['req_0', 'req_1', 'req_7']);
    expect(page.totals).toMatchObject({ attempts: 3 });
    expect(await usageOfRequest(store, 'req_7')).toHaveLength(1);
  });

  it('reads nothing but day segments under data/usage/', async () => {
    const store = await storeWith(['2026-11-23'], 1);
    await store.put('data/usage/notes.jsonl', `${JSON.stringify(record('2026-11-23T00:00:00.000Z', 5))}\n`);
    await store.put('data/usage/2026-11-23.jsonl.bak', `${JSON.stringify(record('2026-11-23T00:00:00.000Z', 6))}\n`);
    const read: string[] = [];
    const watched: Store = { ...store, readLines: (key, options) => (read.push(key), store.readLines(key, options)) };
    expect((await queryUsage(watched, {})).records.map((r) => r.requestId)).toEqual(['req_0']);
    expect(read).toEqual(['data/usage/2026-11-23.jsonl']);
  });
});

describe('usage cursors', () => {
  it('round-trips a position as opaque base64url', () => {
    const cursor = encodeUsageCursor({ key: 'data/usage/2026-11-23.jsonl', line: 123_456 });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeUsageCursor(cursor)).toEqual({ key: 'data/usage/2026-11-23.jsonl', line: 123_456 });
  });

  it.each([
    '', '!!!', 'abc=', toBase64Url(utf8.encode('config/users.json:0')), toBase64Url(utf8.encode('data/usage/../x.jsonl:0')),
    toBase64Url(utf8.encode('data/usage/2026-11-23.jsonl:1.5')), toBase64Url(utf8.encode('data/usage/2026-11-23.jsonl:1e3')),
    toBase64Url(utf8.encode('data/usage/2026-11-23.jsonl: 1')), toBase64Url(utf8.encode('data/usage/2026-11-23.jsonl:1\n')),
    toBase64Url(new Uint8Array([0xc3, 0x28])), 'A'.repeat(400),
  ])('refuses %j with an invalid_request GatewayError', (cursor) => {
    let error: unknown;
    try {
      decodeUsageCursor(cursor);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(400);
  });
});
