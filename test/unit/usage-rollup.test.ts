import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store.js';
import { bucketOf, estimatePercentile } from '../../src/usage/latency-histogram.js';
import { emptySums, parseRollupKey, partOf, periodsOf, RollupTable, rollupKey, rollupWriterName } from '../../src/usage/rollup.js';
import { decodeRollupDocument, encodeRollupDocument } from '../../src/usage/rollup-document.js';
import { periodsCovering, splitPartsCovering } from '../../src/usage/rollup-reader.js';
import { RollupWriter } from '../../src/usage/rollup-writer.js';
import { summarizeUsage } from '../../src/usage/summary.js';
import { createMemoryStore } from '../../storage/memory.js';
import { figuresOf, H, record, silent, syntheticRecords, writeRollups } from '../support/usage-rollups.js';

describe('rollup rows', () => {
  it('sum records as the raw totals do, with costs exact and charges from chargeOf', () => {
    const records = syntheticRecords(2000);
    const table = new RollupTable();
    const sums = emptySums();
    for (const r of records) table.add({ ...r, projectId: 'one', tokenId: 'one', model: 'one' }, undefined);
    for (const row of table.rows()) Object.assign(sums, row.sums);
    expect(table.size).toBe(1);
    const want = figuresOf(records);
    expect({
      requests: sums.calls,
      errors: sums.errors,
      attempts: sums.attempts,
      inputTokens: sums.inputTokens,
      outputTokens: sums.outputTokens,
      cachedInputTokens: sums.cachedInputTokens,
      cacheWriteTokens: sums.cacheWriteTokens,
      costUsd: sums.costNanoUsd / 1e9,
      chargedUsd: sums.chargedNanoUsd / 1e9,
      chargedTokens: sums.chargedTokens,
      latencyMsSum: sums.latencyMs,
      fallbacks: sums.fallbacks,
      p50LatencyMs: estimatePercentile(sums.latencyHistogram, 0.5),
      p95LatencyMs: estimatePercentile(sums.latencyHistogram, 0.95),
      p50TtftMs: estimatePercentile(sums.ttftHistogram, 0.5),
      p95TtftMs: estimatePercentile(sums.ttftHistogram, 0.95),
    }).toEqual(want);
    // Fallbacks are calls that ended well after a failed attempt; the histograms count each call once.
    expect(sums.fallbacks).toBeGreaterThan(0);
    expect(sums.fallbacks).toBe(records.filter((r) => r.routing !== undefined && r.attempt === 2 && r.outcome === 'ok').length);
    expect(sums.latencyHistogram.reduce((a, b) => a + b, 0)).toBe(sums.calls);
    expect(sums.ttftHistogram.reduce((a, b) => a + b, 0)).toBe(records.filter((r) => (r.attempt === undefined || r.routing !== undefined) && r.ttftMs !== null).length);
    expect(sums.ttftCount).toBe(records.filter((r) => r.ttftMs !== null).length);
    // Unreported usage: charged its reservation, not its $0 cost.
    expect(sums.chargedNanoUsd).toBeGreaterThan(sums.costNanoUsd);
  });

  it('keeps one row per (project, token, model), whatever the ids hold', () => {
    const table = new RollupTable();
    table.add(record(0, { projectId: 'a', tokenId: 'bc', model: 'd' }), 1);
    table.add(record(0, { projectId: 'ab', tokenId: 'c', model: 'd' }), 1);
    table.add(record(0, { projectId: 'a', tokenId: 'bc', model: 'd' }), 2);
    expect([...table.rows()].map((row) => [row.projectId, row.tokenId, row.sums.attempts])).toEqual([
      ['a', 'bc', 2],
      ['ab', 'c', 1],
    ]);
    expect([...table.splitRows()].map((row) => [row.part, row.projectId, row.sums.attempts])).toEqual([
      [1, 'a', 1],
      [1, 'ab', 1],
      [2, 'a', 1],
    ]);
  });

  it('does not let a malformed number spoil a row', () => {
    const table = new RollupTable();
    table.add(record(0, { latencyMs: Number.NaN, inputTokens: undefined as never, costUsd: Number.POSITIVE_INFINITY }), 3);
    const [row] = [...table.rows()];
    expect(row!.sums).toMatchObject({ latencyMs: 0, inputTokens: 0, costNanoUsd: 0, attempts: 1 });
    const parts = { granularity: 'day' as const, period: '2026-01-01', writer: 'w' };
    expect(decodeRollupDocument(encodeRollupDocument(parts, table.rows(), table.splitRows()), parts).ok).toBe(true);
  });
});

describe('rollup keys and periods', () => {
  it('places a record in its UTC hour, day and month', () => {
    expect(periodsOf('2026-01-31T23:59:59.999Z')).toEqual({ hour: '2026-01-31T23', day: '2026-01-31', month: '2026-01' });
    expect(periodsOf('2026-02-01T00:30:00+01:00')).toEqual({ hour: '2026-01-31T23', day: '2026-01-31', month: '2026-01' });
    expect(periodsOf('not a date')).toBeUndefined();
    const periods = periodsOf('2026-01-31T23:59:59.999Z')!;
    expect([partOf('month', periods), partOf('day', periods), partOf('hour', periods)]).toEqual([31, 23, undefined]);
  });

  it('names one document per writer per period, and reads its key back', () => {
    expect(rollupKey('hour', '2026-01-31T23', 'gw_1')).toBe('data/rollups/hour/2026-01-31/2026-01-31T23.gw_1.json');
    expect(rollupKey('day', '2026-01-31', 'gw_1')).toBe('data/rollups/day/2026-01/2026-01-31.gw_1.json');
    expect(rollupKey('month', '2026-01', 'gw_1')).toBe('data/rollups/month/2026-01.gw_1.json');
    for (const granularity of ['hour', 'day', 'month'] as const) {
      const period = { hour: '2026-01-31T23', day: '2026-01-31', month: '2026-01' }[granularity];
      expect(parseRollupKey(rollupKey(granularity, period, 'gw-x_Y'))).toEqual({ granularity, period, writer: 'gw-x_Y' });
    }
    expect(parseRollupKey('data/rollups/hour/2026-01-31/2026-02-01T00.gw.json')).toBeUndefined(); // another day's folder
    expect(parseRollupKey('data/rollups/day/2026-01/2026-01-31.gw.json.bak')).toBeUndefined();
    expect(parseRollupKey('data/rollups/month/2026-01.json')).toBeUndefined();
    expect(rollupWriterName('node-1.example.com:3000')).toBe('node-1-example-com-3000');
    expect(rollupWriterName('')).toBe('gw');
  });

  it('covers a range with hours at its edges, whole days, then whole months', () => {
    const range = { firstHour: Date.parse('2026-01-30T22:00:00Z') / H, lastHour: Date.parse('2026-04-02T01:00:00Z') / H };
    const periods = periodsCovering(range, 'month');
    expect(periods.hour).toEqual(['2026-01-30T22', '2026-01-30T23', '2026-04-02T00', '2026-04-02T01']);
    expect(periods.day).toEqual(['2026-01-31', '2026-04-01']);
    expect(periods.month).toEqual(['2026-02', '2026-03']);
    const byDay = periodsCovering(range, 'day');
    expect(byDay.month).toEqual([]);
    expect(byDay.day).toHaveLength(1 + 28 + 31 + 1);
    const byHour = periodsCovering(range, 'hour');
    expect(byHour.hour).toHaveLength(range.lastHour - range.firstHour + 1);
    expect(byHour.day).toEqual([]);
  });

  it('covers a range with days of month splits and hours of day splits', () => {
    const range = { firstHour: Date.parse('2026-01-30T22:00:00Z') / H, lastHour: Date.parse('2026-03-02T01:00:00Z') / H };
    const byDay = splitPartsCovering(range, 'day');
    expect([...byDay.daysOfMonth].map(([month, days]) => [month, days.size])).toEqual([['2026-01', 1], ['2026-02', 28], ['2026-03', 1]]);
    expect([...byDay.hoursOfDay].map(([day, hours]) => [day, [...hours]])).toEqual([['2026-01-30', [22, 23]], ['2026-03-02', [0, 1]]]);
    const byHour = splitPartsCovering(range, 'hour');
    expect(byHour.daysOfMonth.size).toBe(0);
    expect(byHour.hoursOfDay.size).toBe(2 + 28 + 1 + 1);
    expect(byHour.hoursOfDay.get('2026-02-14')!.size).toBe(24);
  });
});

/** The document with its first row changed by `edit`: for corrupt documents built on purpose. */
function withFirstRow(text: string, edit: (row: unknown[]) => void): string {
  const document = JSON.parse(text);
  const rows = JSON.parse(document.rows);
  edit(rows[0]);
  return JSON.stringify({ ...document, rows: JSON.stringify(rows) });
}

/** A version 2 document as version 1 wrote it: without the last three sum columns. */
function asVersion1(text: string): string {
  const document = JSON.parse(text);
  const cut = (section: string) => JSON.stringify((JSON.parse(section) as unknown[][]).map((row) => row.slice(0, -3)));
  return JSON.stringify({
    ...document,
    version: 1,
    columns: document.columns.slice(0, -3),
    rows: cut(document.rows),
    ...(document.split === undefined ? {} : { splitColumns: document.splitColumns.slice(0, -3), split: cut(document.split) }),
  });
}

describe('rollup documents', () => {
  const parts = { granularity: 'day' as const, period: '2026-01-31', writer: 'gw_1' };
  const table = new RollupTable();
  table.add(record(0, { chargedUsd: 0.5, chargedTokens: 9000 }), 0);
  table.add(record(0, { projectId: 'prj_b', ttftMs: null }), 23);
  const text = encodeRollupDocument(parts, table.rows(), table.splitRows());

  it('read back the rows and the split they were written with', () => {
    const decoded = decodeRollupDocument(text, parts);
    expect(decoded.ok && decoded.rows).toEqual([...table.rows()]);
    expect(decoded.ok && decoded.split).toEqual([...table.splitRows()]);
    // Sections are JSON text: the document parses without parsing them.
    expect(typeof JSON.parse(text).rows).toBe('string');
    const hour = { granularity: 'hour' as const, period: '2026-01-31T05', writer: 'gw_1' };
    const hourText = encodeRollupDocument(hour, table.rows(), []);
    expect(JSON.parse(hourText).split).toBeUndefined();
    expect(decodeRollupDocument(hourText, hour)).toEqual({ ok: true, rows: [...table.rows()], split: [] });
    // The control for the corrupt documents below, which are rebuilt the same way.
    expect(decodeRollupDocument(withFirstRow(text, () => undefined), parts).ok).toBe(true);
  });

  it('store latency histograms sparse: a few numbers per row, not a bucket each', () => {
    const rows = JSON.parse(JSON.parse(text).rows) as unknown[][];
    expect(rows[0]!.slice(-3)).toEqual([0, [bucketOf(100), 1], [bucketOf(40), 1]]);
    expect(rows[1]!.slice(-1)).toEqual([[]]);
  });

  it('read version 1 documents, written before fallbacks and histograms, as having none', async () => {
    const v1 = asVersion1(text);
    const decoded = decodeRollupDocument(v1, parts);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    for (const row of [...decoded.rows, ...decoded.split]) expect([row.sums.fallbacks, row.sums.latencyHistogram, row.sums.ttftHistogram, row.sums.calls]).toEqual([0, [], [], 1]);
    // Summaries over them have no percentiles (never NaN); a writer resuming them keeps their counts and adds histograms from then on.
    const store = createMemoryStore();
    const earlier = new RollupWriter(store, silent, 'gw_1', 0);
    await earlier.add([record('2026-01-31T05:00:00.000Z'), record('2026-01-31T06:00:00.000Z', { attempt: 2, routing: {} as never })]);
    await earlier.write();
    for (const key of await store.list('data/rollups/')) await store.put(key, asVersion1((await store.get(key))!));
    for (const groupBy of ['project', 'model', 'hour'] as const) {
      const summary = await summarizeUsage(store, { groupBy });
      expect(summary.totals, groupBy).toMatchObject({ requests: 2, fallbacks: 0, p50LatencyMs: null, p95LatencyMs: null, p50TtftMs: null, p95TtftMs: null, avgLatencyMs: 100 });
    }
    const resumed = new RollupWriter(store, silent, 'gw_1', 0);
    await resumed.add([record('2026-01-31T07:00:00.000Z', { latencyMs: 2000, attempt: 3, routing: {} as never })]);
    await resumed.write();
    for (const groupBy of ['project', 'model', 'hour'] as const) {
      const summary = await summarizeUsage(store, { groupBy });
      expect(summary.totals, groupBy).toMatchObject({ requests: 3, fallbacks: 1, p50LatencyMs: expect.any(Number) });
      expect(summary.totals.p50LatencyMs! / 2000).toBeGreaterThan(1 / 1.6);
    }
    // The documents it wrote are version 2 now; the hours it did not touch stay as they were.
    const versions = Object.fromEntries(await Promise.all((await store.list('data/rollups/')).map(async (key) => [key.split('/').at(-1), JSON.parse((await store.get(key))!).version])));
    expect(versions).toEqual({ '2026-01.gw_1.json': 2, '2026-01-31.gw_1.json': 2, '2026-01-31T05.gw_1.json': 1, '2026-01-31T06.gw_1.json': 1, '2026-01-31T07.gw_1.json': 2 });
  });

  it.each([
    ['not JSON', text.slice(0, -3)],
    ['an array', '[]'],
    ['another version', text.replace('"version":2', '"version":3')],
    ['a version given as text', text.replace('"version":2', '"version":"2"')],
    ['a negative fallback count', withFirstRow(text, (row) => (row[16] = -1))],
    ['a histogram out of bucket order', withFirstRow(text, (row) => (row[17] = [10, 1, 8, 1]))],
    ['a histogram past the last bucket', withFirstRow(text, (row) => (row[18] = [31, 1]))],
    ['a histogram with a zero count', withFirstRow(text, (row) => (row[17] = [10, 0]))],
    ['a histogram that is a number', withFirstRow(text, (row) => (row[17] = 3))],
    ['another period than its key', text.replace('"2026-01-31"', '"2026-01-30"')],
    ['another writer than its key', text.replace('"gw_1"', '"gw_2"')],
    ['unknown columns', text.replace('"calls"', '"requests"')],
    ['a row too short', text.replace(/"rows":"\[\[0,/, '"rows":"[[')],
    ['a negative count', text.replace(/"rows":"\[\[0,0,0,1,/, '"rows":"[[0,0,0,-1,')],
    ['a NaN written as null', text.replace(/"rows":"\[\[0,0,0,1,/, '"rows":"[[0,0,0,null,')],
    ['an index past its list', text.replace(/"rows":"\[\[0,/, '"rows":"[[7,')],
    ['a section that is no JSON', text.replace(/"rows":"\[\[/, '"rows":"[[[')],
    ['a split part outside the day', text.replace(/"split":"\[\[0,/, '"split":"[[24,')],
    ['a split without its columns', text.replace('"splitColumns"', '"splitColumnz"')],
    ['a split row with a bad sum', text.replace(/"split":"\[\[0,0,1,/, '"split":"[[0,0,1.5,')],
  ])('refuse %s', (_, corrupt) => {
    expect(decodeRollupDocument(corrupt, parts).ok).toBe(false);
  });
});

describe('rollup writers', () => {
  it('each write documents of their own, which readers add up', async () => {
    const store = createMemoryStore();
    const records = syntheticRecords(600);
    await writeRollups(store, records, 3);
    const keys = await store.list('data/rollups/month/');
    expect(keys).toEqual(['data/rollups/month/2026-01.gw_0.json', 'data/rollups/month/2026-01.gw_1.json', 'data/rollups/month/2026-01.gw_2.json', 'data/rollups/month/2026-02.gw_0.json', 'data/rollups/month/2026-02.gw_1.json', 'data/rollups/month/2026-02.gw_2.json']);
    const summary = await summarizeUsage(store, { groupBy: 'project' });
    expect(summary.totals).toMatchObject(figuresOf(records));
  });

  it('sum a batch per hour, project, token and model before adding it: the same documents as one record at a time', async () => {
    // Unsorted, across many hours, days and months, three projects and their tokens.
    const records = syntheticRecords(1500, 11);
    const batched = createMemoryStore();
    const single = createMemoryStore();
    const byBatch = new RollupWriter(batched, silent, 'gw_0', 0);
    const byRecord = new RollupWriter(single, silent, 'gw_0', 0);
    // Sorted by time, as the recorder's batches come, in batches of 100.
    const sorted = [...records].sort((a, b) => a.ts.localeCompare(b.ts));
    for (let at = 0; at < sorted.length; at += 100) await byBatch.add(sorted.slice(at, at + 100));
    for (const r of sorted) await byRecord.add([r]);
    await Promise.all([byBatch.write({ now: true }), byRecord.write({ now: true })]);
    const keys = await batched.list('data/rollups/');
    expect(keys).toEqual(await single.list('data/rollups/'));
    expect(keys.length).toBeGreaterThan(40);
    // Latency sums may differ in their last bits (the order of addition); every other figure is an integer.
    const rounded = (text: string | null) => JSON.parse(text!, (_, value: unknown) => (typeof value === 'number' ? Math.round(value * 1e6) / 1e6 : value));
    for (const key of keys) expect(rounded(await batched.get(key))).toEqual(rounded(await single.get(key)));

    // A caller may hand over one object again and again, changed in between (the summary bench's
    // generator does): the groups keep its ids, not the object.
    const reused = createMemoryStore();
    const byReused = new RollupWriter(reused, silent, 'gw_0', 0);
    function* oneObject(from: typeof sorted) {
      const shared: Record<string, unknown> = {};
      for (const r of from) {
        for (const key of Object.keys(shared)) delete shared[key];
        yield Object.assign(shared, r);
      }
    }
    for (let at = 0; at < sorted.length; at += 100) await byReused.add(oneObject(sorted.slice(at, at + 100)));
    await byReused.write({ now: true });
    for (const key of keys) expect(rounded(await reused.get(key))).toEqual(rounded(await single.get(key)));
  });

  it('wait their turn between write passes, unless a write is asked for at once', async () => {
    const inner = createMemoryStore();
    const putAt: number[] = [];
    const store: Store = { ...inner, put: async (key, value) => (putAt.push(performance.now()), inner.put(key, value)) };
    const writer = new RollupWriter(store, silent, 'gw', 200);
    const start = performance.now();
    await writer.add([record(Date.parse('2026-01-01T00:00:00Z'))]);
    await writer.write();
    expect(putAt).toHaveLength(3);
    // Changed again at once: the next pass waits until 200 ms after the first began.
    await writer.add([record(Date.parse('2026-01-01T00:10:00Z'))]);
    await writer.write();
    expect(putAt).toHaveLength(6);
    expect(putAt[3]! - start).toBeGreaterThanOrEqual(190);
    // Asked for now (a flush), a waiting pass starts at once.
    await writer.add([record(Date.parse('2026-01-01T00:20:00Z'))]);
    const waiting = writer.write();
    const asked = performance.now();
    await writer.write({ now: true });
    await waiting;
    expect(putAt[6]! - asked).toBeLessThan(100);
    expect((await summarizeUsage(inner, { groupBy: 'day' })).totals.attempts).toBe(3);
  });

  it('put each changed document once per write, and hold only the recent ones', async () => {
    const inner = createMemoryStore();
    const puts: string[] = [];
    const store: Store = { ...inner, put: async (key, value) => (puts.push(key), inner.put(key, value)) };
    const writer = new RollupWriter(store, silent, 'gw', 0);
    const start = Date.parse('2026-01-01T00:00:00Z');
    for (let hour = 0; hour < 24 * 70; hour++) {
      await writer.add([record(start + hour * H), record(start + hour * H + 1000, { projectId: 'prj_b' })]);
      puts.length = 0;
      await writer.write();
      expect(puts).toHaveLength(3);
      expect(writer.heldKeys().length).toBeLessThanOrEqual(6);
    }
    expect((await summarizeUsage(inner, { groupBy: 'day' })).groups).toHaveLength(70);
  });

  it('keep a late record whose document they were reading back while a write pass ended', async () => {
    const inner = createMemoryStore();
    const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const store: Store = { ...inner, get: async (key) => (await wait(30), inner.get(key)), put: async (key, value) => (await wait(5), inner.put(key, value)) };
    const writer = new RollupWriter(store, silent, 'gw', 0);
    await writer.add(['10', '11', '12'].map((hour) => record(`2026-01-05T${hour}:00:00.000Z`)));
    const pass = writer.write();
    // Its hour is long gone from memory: read back while the pass above ends and drops old documents.
    await writer.add([record('2026-01-05T01:00:00.000Z')]);
    await pass;
    await writer.write();
    const summary = await summarizeUsage(inner, { groupBy: 'hour', from: Date.parse('2026-01-05T00:00:00Z'), to: Date.parse('2026-01-05T23:00:00Z') });
    expect(summary.groups.map((g) => [g.key.slice(11, 13), g.attempts])).toEqual([['01', 1], ['10', 1], ['11', 1], ['12', 1]]);
    expect((await summarizeUsage(inner, { groupBy: 'model' })).totals.attempts).toBe(4);
    // By model, that hour is read from its hour document.
    expect((await summarizeUsage(inner, { groupBy: 'model', from: Date.parse('2026-01-05T01:00:00Z'), to: Date.parse('2026-01-05T01:00:00Z') })).totals.attempts).toBe(1);
  });

  it('resume their own stored documents after a restart with the same id', async () => {
    const store = createMemoryStore();
    const first = new RollupWriter(store, silent, 'node', 0);
    await first.add([record('2026-01-05T10:00:00.000Z')]);
    await first.write();
    const restarted = new RollupWriter(store, silent, 'node', 0);
    await restarted.add([record('2026-01-05T10:30:00.000Z')]);
    await restarted.write();
    expect((await summarizeUsage(store, { groupBy: 'hour', from: Date.parse('2026-01-05T00:00:00Z') })).totals.attempts).toBe(2);
  });

  it('do not replace a stored document they could not read back; a failed put is retried', async () => {
    const inner = createMemoryStore();
    const errors: unknown[] = [];
    let failGets = false;
    let failPuts = false;
    const store: Store = {
      ...inner,
      get: async (key) => {
        if (failGets) throw new Error('store down');
        return inner.get(key);
      },
      put: async (key, value) => {
        if (failPuts) throw new Error('disk full');
        return inner.put(key, value);
      },
    };
    const logger = { ...silent, error: (...args: unknown[]) => errors.push(args) };
    await (async () => {
      const writer = new RollupWriter(store, logger, 'node', 0);
      await writer.add([record('2026-01-05T10:00:00.000Z')]);
      await writer.write();
    })();
    const writer = new RollupWriter(store, logger, 'node', 0);
    failGets = true;
    await writer.add([record('2026-01-05T10:10:00.000Z')]);
    await writer.write();
    failGets = false;
    failPuts = true;
    await writer.write();
    expect(errors.length).toBeGreaterThan(0);
    failPuts = false;
    await writer.write();
    expect((await summarizeUsage(inner, { groupBy: 'model' })).totals.attempts).toBe(2);
  });
});
