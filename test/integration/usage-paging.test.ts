/**
 * GET /api/usage on a day segment of more than 50 MB, through the real Node server: the query
 * streams it (heap growth well under the file's size), pages cover every record exactly once and
 * in recorded order, totals are right, torn lines are skipped, and bad cursors are 400s.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodeServer, type NodeServer } from '../../adapters/node/server.js';
import { toBase64Url, utf8 } from '../../src/crypto/encoding.js';
import { addToTotals, emptyTotals, type UsageRecord, type UsageTotals } from '../../src/usage/record.js';
import { createFileStore } from '../../storage/files.js';
import { adminClient, type AdminClient } from '../support/gateway-client.js';

const SMALL_DAY = '2026-11-22';
const BIG_DAY = '2026-11-23';
const BIG_RECORDS = 80_000;
const MiB = 1024 * 1024;

/** One attempt as the recorder writes it; every 10th call fails over from a first attempt. */
function record(day: string, n: number, count: number): UsageRecord {
  const ms = Date.parse(`${day}T00:00:00.000Z`) + Math.floor((n * 86_400_000) / count);
  const failedFirst = n % 10 === 3;
  return {
    ts: new Date(ms).toISOString(),
    requestId: `req_${day}_${n}`,
    projectId: n % 3 === 0 ? 'prj_b' : 'prj_a',
    tokenId: 'tok_1234567890abcdef',
    model: failedFirst ? 'claude' : 'gpt-4o-mini',
    provider: failedFirst ? 'anthropic' : 'openai',
    upstreamModel: failedFirst ? 'claude-sonnet-4-5' : 'gpt-4o-mini',
    endpoint: '/v1/chat/completions',
    stream: n % 2 === 0,
    status: failedFirst ? 529 : 200,
    outcome: failedFirst ? 'upstream_error' : n % 17 === 0 ? 'truncated_stream' : 'ok',
    attempt: 1,
    inputTokens: 100 + (n % 50),
    outputTokens: n % 200,
    cachedInputTokens: n % 7,
    cacheWriteTokens: 0,
    usageReported: true,
    costUsd: ((100 + (n % 50)) * 0.15 + (n % 200) * 0.6) / 1e6,
    latencyMs: 300 + (n % 900),
    ttftMs: 120,
    ...(failedFirst ? {} : { routing: { requested: 'gpt-4o-mini', how: 'named', candidates: ['gpt-4o-mini', 'claude'], note: 'é€🌍'.repeat(20) } as never }),
  };
}

interface Expected {
  ids: string[];
  totals: UsageTotals;
}

const expected = new Map<string, Expected>();
function expect_(key: string): Expected {
  let entry = expected.get(key);
  if (!entry) expected.set(key, (entry = { ids: [], totals: emptyTotals() }));
  return entry;
}

let home: string;
let server: NodeServer;
let admin: AdminClient;
let bigFileBytes = 0;

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'routerly-usage-paging-'));
  const store = createFileStore(home);
  const note = (r: UsageRecord) => {
    for (const key of ['*', r.projectId]) {
      expect_(key).ids.push(r.requestId);
      addToTotals(expect_(key).totals, r);
    }
  };

  // A small day, with a line torn mid-file (a crash, then later appends after it).
  let small = '';
  for (let n = 0; n < 30; n++) {
    const r = record(SMALL_DAY, n, 30);
    note(r);
    small += `${JSON.stringify(r)}\n`;
    if (n === 10) small += '{"ts":"2026-11-22T05:00:00.000Z","requestId":"req_torn_mid","projectId":"prj_a","inpu\n';
  }
  await store.append(`data/usage/${SMALL_DAY}.jsonl`, small);

  // The big day, written in appends of about 1 MiB, ending in a torn last line.
  let text = '';
  for (let n = 0; n < BIG_RECORDS; n++) {
    const r = record(BIG_DAY, n, BIG_RECORDS);
    note(r);
    text += `${JSON.stringify(r)}\n`;
    if (text.length > MiB) {
      await store.append(`data/usage/${BIG_DAY}.jsonl`, text);
      text = '';
    }
  }
  text += '{"ts":"2026-11-23T23:59:59.999Z","requestId":"req_torn_last","projectId":"prj_a","inputTok';
  await store.append(`data/usage/${BIG_DAY}.jsonl`, text);
  bigFileBytes = (await stat(path.join(home, 'data', 'usage', `${BIG_DAY}.jsonl`))).size;

  server = await startNodeServer({ home, port: 0, logger: false });
  admin = await adminClient(server.url);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await rm(home, { recursive: true, force: true });
});

/** Heap plus array buffers (file chunks are Buffers, outside the JS heap). */
function memory(): number {
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/** A full garbage collection, so that the baseline holds no garbage from writing the file. */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

/** Runs `task` while sampling memory; returns its result and the peak growth over the start. */
async function peakGrowth<T>(task: () => Promise<T>): Promise<{ result: T; growth: number; retained: number; baseline: number }> {
  collectGarbage();
  const baseline = memory();
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, memory());
  }, 2);
  try {
    const result = await task();
    peak = Math.max(peak, memory());
    collectGarbage();
    return { result, growth: peak - baseline, retained: memory() - baseline, baseline };
  } finally {
    clearInterval(timer);
  }
}

const cursorOf = (text: string) => toBase64Url(utf8.encode(text));

/** Every page of a query, following nextCursor; checks the page shape on the way. */
async function allPages(query: string, limit: number) {
  const records: UsageRecord[] = [];
  let totals: UsageTotals | null = null;
  let cursor: string | null = null;
  let pages = 0;
  do {
    const url = `/api/usage?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
    const answer = await admin.call('GET', url);
    expect(answer.status, url).toBe(200);
    expect(answer.body.records.length).toBeLessThanOrEqual(limit);
    if (pages === 0) totals = answer.body.totals;
    else expect(answer.body.totals).toBeNull();
    // Only the last page has no cursor, and every page before it is full.
    if (answer.body.nextCursor !== null) expect(answer.body.records.length).toBe(limit);
    records.push(...answer.body.records);
    cursor = answer.body.nextCursor;
    pages++;
  } while (cursor !== null);
  return { records, totals, pages };
}

describe('GET /api/usage on a day segment of more than 50 MB', () => {
  it('streams the first page and its totals with heap growth far below the file size', async () => {
    expect(bigFileBytes).toBeGreaterThan(50 * MiB);
    const { result: answer, growth, retained, baseline } = await peakGrowth(() => admin.call('GET', '/api/usage?projectId=prj_a'));
    const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
    console.info(`usage query over ${mib(bigFileBytes)}: heap+arrayBuffers ${mib(baseline)} before, peak +${mib(growth)}, +${mib(retained)} after`);
    expect(answer.status).toBe(200);
    // Young-generation garbage (parsed lines not yet collected) makes most of the peak.
    expect(growth).toBeLessThan(40 * MiB);
    expect(retained).toBeLessThan(10 * MiB);

    const want = expected.get('prj_a')!;
    expect(answer.body.records).toHaveLength(1000);
    expect(answer.body.records.map((r: UsageRecord) => r.requestId)).toEqual(want.ids.slice(0, 1000));
    expect(answer.body.nextCursor).toEqual(expect.any(String));
    expect(answer.body.totals).toEqual({ ...want.totals, costUsd: expect.closeTo(want.totals.costUsd, 9) });
    expect(answer.body.totals.attempts).toBe(want.ids.length);
  });

  it('pages through every record exactly once, in recorded order, skipping torn lines', async () => {
    const { records, totals, pages } = await allPages('projectId=prj_a', 10_000);
    const want = expected.get('prj_a')!;
    expect(pages).toBe(Math.ceil(want.ids.length / 10_000));
    const ids = records.map((r) => r.requestId);
    expect(ids.length).toBe(want.ids.length);
    expect(ids).toEqual(want.ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).not.toContain('req_torn_mid');
    expect(ids).not.toContain('req_torn_last');
    expect(totals).toEqual({ ...want.totals, costUsd: expect.closeTo(want.totals.costUsd, 9) });
  });

  it('pages a time range inside the big day, and every project at once', async () => {
    const from = '2026-11-23T06:00:00.000Z';
    const to = '2026-11-23T06:30:00.000Z';
    const inRange = expected.get('*')!.ids.filter((id) => id.startsWith(`req_${BIG_DAY}_`)).filter((id) => {
      const ts = record(BIG_DAY, Number(id.split('_').at(-1)), BIG_RECORDS).ts;
      return ts >= from && ts <= to;
    });
    const ranged = await allPages(`from=${from}&to=${to}`, 500);
    expect(ranged.records.map((r) => r.requestId)).toEqual(inRange);
    expect(ranged.totals!.attempts).toBe(inRange.length);

    const small = await allPages(`to=${SMALL_DAY}`, 7);
    expect(small.records.map((r) => r.requestId)).toEqual(expected.get('*')!.ids.filter((id) => id.startsWith(`req_${SMALL_DAY}_`)));
    expect(small.pages).toBe(Math.ceil(30 / 7));
  });

  it('finds one call in the big day by its request id, streaming too', async () => {
    const { result: answer, growth } = await peakGrowth(() => admin.call('GET', `/api/usage/req_${BIG_DAY}_${BIG_RECORDS - 5}`));
    console.info(`usage of one request over ${(bigFileBytes / MiB).toFixed(1)} MiB: peak heap+arrayBuffers growth ${(growth / MiB).toFixed(1)} MiB`);
    expect(growth).toBeLessThan(40 * MiB);
    expect(answer.status).toBe(200);
    expect(answer.body.records).toHaveLength(1);
    expect((await admin.call('GET', '/api/usage/req_torn_last')).status).toBe(404);
  });

  it.each([
    ['garbage', 'not a cursor!'],
    ['not base64url', 'a+b/c=='],
    ['another file', cursorOf('config/users.json:0')],
    ['a path out of data/usage', cursorOf('data/usage/../../config/secret:0')],
    ['a key that only looks like a segment', cursorOf('data/usage/2026-11-23.jsonl.bak:0')],
    ['a negative line', cursorOf(`data/usage/${BIG_DAY}.jsonl:-1`)],
    ['a line with a leading zero', cursorOf(`data/usage/${BIG_DAY}.jsonl:01`)],
    ['a line beyond 2^53', cursorOf(`data/usage/${BIG_DAY}.jsonl:${'9'.repeat(20)}`)],
    ['no line', cursorOf(`data/usage/${BIG_DAY}.jsonl`)],
    ['not UTF-8', toBase64Url(new Uint8Array([0xff, 0xfe, 0x3a, 0x30]))],
    ['too long', 'A'.repeat(201)],
    ['empty', ''],
  ])('answers a cursor that is %s with a 400', async (_, cursor) => {
    const answer = await admin.call('GET', `/api/usage?cursor=${encodeURIComponent(cursor)}`);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid_request');
  });

  it('answers a well-formed cursor past the data with an empty last page', async () => {
    for (const cursor of [cursorOf(`data/usage/${BIG_DAY}.jsonl:999999999`), cursorOf('data/usage/2099-01-01.jsonl:0')]) {
      const answer = await admin.call('GET', `/api/usage?cursor=${cursor}`);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ records: [], totals: null, nextCursor: null });
    }
    // A cursor into a day that is not there goes on from the next day that is.
    const answer = await admin.call('GET', `/api/usage?cursor=${cursorOf('data/usage/2000-01-01.jsonl:5')}&limit=2`);
    expect(answer.body.records.map((r: UsageRecord) => r.requestId)).toEqual(expected.get('*')!.ids.slice(0, 2));
  });

  it.each(['0', '10001', '1.5', 'x'])('answers limit=%s with a 400', async (limit) => {
    expect((await admin.call('GET', `/api/usage?limit=${limit}`)).status).toBe(400);
  });
});
