import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store.js';
import { chargeOf, type UsageRecord } from '../../src/usage/record.js';
import { toNanoUsd } from '../../src/usage/rollup.js';
import { rowReadsFor, splitReadsFor } from '../../src/usage/rollup-reader.js';
import { RollupWriter } from '../../src/usage/rollup-writer.js';
import { chargedSince, summarizeUsage, type SummaryGroupBy } from '../../src/usage/summary.js';
import { createMemoryStore } from '../../storage/memory.js';
import { expectedFrom, figuresOf, H, record, silent, syntheticRecords, writeRollups } from '../support/usage-rollups.js';

describe('summaries from rollups', () => {
  const records = syntheticRecords(3000);
  const storePromise = (async () => {
    const store = createMemoryStore();
    await writeRollups(store, records, 3);
    return store;
  })();

  const ranges: Array<[string, string, string]> = [
    ['a whole month', '2026-02-01T00:00:00.000Z', '2026-02-28T23:59:59.999Z'],
    ['across the month end, ragged hours', '2026-01-29T13:45:00.000Z', '2026-02-03T07:10:00.000Z'],
    ['inside one day', '2026-01-25T05:00:00.000Z', '2026-01-25T09:59:59.999Z'],
    ['one hour', '2026-02-10T17:00:00.000Z', '2026-02-10T17:00:00.000Z'],
    ['all the data and more', '2025-12-01T00:00:00.000Z', '2026-03-31T23:59:59.999Z'],
  ];

  it.each(ranges.flatMap(([name, from, to]) => (['project', 'model', 'token', 'day', 'hour'] as const).map((groupBy) => [name, groupBy, from, to] as const)))(
    '%s, by %s, equal the raw records of its whole hours',
    async (_, groupBy, from, to) => {
      const store = await storePromise;
      const summary = await summarizeUsage(store, { from: Date.parse(from), to: Date.parse(to), groupBy });
      const want = expectedFrom(records, Date.parse(from), Date.parse(to), groupBy);
      expect(summary.groups.map((group) => group.key)).toEqual([...want.keys()].sort());
      for (const group of summary.groups) expect(group, group.key).toMatchObject(want.get(group.key)!);
      const all = figuresOf([...want.values()].length ? records.filter((r) => Math.floor(Date.parse(r.ts) / H) >= Math.floor(Date.parse(from) / H) && Math.floor(Date.parse(r.ts) / H) <= Math.floor(Date.parse(to) / H)) : []);
      expect(summary.totals).toMatchObject(all);
      expect(summary.from).toBe(new Date(Math.floor(Date.parse(from) / H) * H).toISOString());
      expect(summary.to).toBe(new Date((Math.floor(Date.parse(to) / H) + 1) * H - 1).toISOString());
    },
  );

  it('filters by project, and by the set of visible projects', async () => {
    const store = await storePromise;
    const from = Date.parse('2026-01-22T03:00:00Z');
    const to = Date.parse('2026-02-20T20:00:00Z');
    const one = await summarizeUsage(store, { from, to, groupBy: 'token', projectId: 'prj_1' });
    expect(one.groups.every((group) => group.projectId === 'prj_1')).toBe(true);
    expect(one.totals).toMatchObject(figuresOf(records.filter((r) => r.projectId === 'prj_1' && Math.floor(Date.parse(r.ts) / H) >= from / H && Math.floor(Date.parse(r.ts) / H) <= Math.floor(to / H))));
    const visible = await summarizeUsage(store, { from, to, groupBy: 'project', projectIds: new Set(['prj_0', 'prj_2']) });
    expect(visible.groups.map((group) => group.key)).toEqual(['prj_0', 'prj_2']);
    const none = await summarizeUsage(store, { from, to, groupBy: 'project', projectId: 'prj_1', projectIds: new Set(['prj_0']) });
    expect(none.groups).toEqual([]);
    expect(none.totals.requests).toBe(0);
  });

  /** The keys a summary reads (and never a raw record). */
  async function keysRead(from: string, to: string, groupBy: SummaryGroupBy): Promise<string[]> {
    const inner = await storePromise;
    const read: string[] = [];
    const store: Store = { ...inner, get: async (key) => (read.push(key), inner.get(key)), readLines: () => { throw new Error('raw records read'); } };
    await summarizeUsage(store, { from: Date.parse(from), to: Date.parse(to), groupBy });
    return read.sort();
  }
  const FEBRUARY = ['data/rollups/month/2026-02.gw_0.json', 'data/rollups/month/2026-02.gw_1.json', 'data/rollups/month/2026-02.gw_2.json'];

  it.each(['project', 'model', 'token', 'day'] as const)('reads one month document per writer for a whole month by %s', async (groupBy) => {
    expect(await keysRead('2026-02-01T00:00:00Z', '2026-02-28T23:59:59.999Z', groupBy)).toEqual(FEBRUARY);
  });

  it('reads month documents and the edge days\' day documents for ragged days by project or day', async () => {
    for (const groupBy of ['project', 'day'] as const) {
      const keys = await keysRead('2026-02-03T05:00:00Z', '2026-02-20T17:59:59.999Z', groupBy);
      expect(keys).toEqual([...FEBRUARY, ...[3, 20].flatMap((day) => [0, 1, 2].map((w) => `data/rollups/day/2026-02/2026-02-${day === 3 ? '03' : '20'}.gw_${w}.json`))].sort());
    }
    // By hour: a day document per writer and day, never an hour document.
    const byHour = await keysRead('2026-02-03T05:00:00Z', '2026-02-20T17:59:59.999Z', 'hour');
    expect(byHour).toHaveLength(18 * 3);
    expect(byHour.every((key) => key.startsWith('data/rollups/day/'))).toBe(true);
  });

  it('counts a record by its hour: the hours that hold from and to are whole', async () => {
    const store = createMemoryStore();
    const writer = new RollupWriter(store, silent, 'gw', 0);
    await writer.add([record('2026-03-01T09:59:59.999Z'), record('2026-03-01T10:00:00.000Z'), record('2026-03-01T10:59:59.999Z'), record('2026-03-01T11:00:00.000Z')]);
    await writer.write();
    const at = (from: string, to: string) => summarizeUsage(store, { from: Date.parse(from), to: Date.parse(to), groupBy: 'hour' });
    expect((await at('2026-03-01T10:30:00Z', '2026-03-01T10:30:00Z')).totals.attempts).toBe(2);
    expect((await at('2026-03-01T10:00:00Z', '2026-03-01T10:59:59.999Z')).groups.map((g) => [g.key, g.attempts])).toEqual([['2026-03-01T10:00:00.000Z', 2]]);
    expect((await at('2026-03-01T09:00:00Z', '2026-03-01T11:00:00Z')).totals.attempts).toBe(4);
  });

  it('skips a corrupt or foreign document with a warning, and stray files', async () => {
    const store = createMemoryStore();
    const writer = new RollupWriter(store, silent, 'gw', 0);
    await writer.add([record('2026-03-01T10:00:00.000Z'), record('2026-03-02T10:00:00.000Z')]);
    await writer.write();
    await store.put('data/rollups/month/2026-03.broken.json', '{"format":"routerly-usage-rollup","vers');
    await store.put('data/rollups/month/2026-03.thief.json', (await store.get('data/rollups/month/2026-03.gw.json'))!);
    await store.put('data/rollups/month/notes.txt', 'hello');
    await store.put('data/rollups/day/2026-03/2026-03-01.other.json', '[1,2,3]');
    const warnings: unknown[] = [];
    const logger = { ...silent, warn: (...args: unknown[]) => warnings.push(args) };
    const month = await summarizeUsage(store, { from: Date.parse('2026-03-01T00:00:00Z'), to: Date.parse('2026-03-31T23:59:59.999Z'), groupBy: 'project' }, logger);
    expect(month.totals.attempts).toBe(2);
    expect(warnings).toHaveLength(2);
    const byDay = await summarizeUsage(store, { groupBy: 'day' }, logger);
    expect(byDay.groups.map((g) => [g.key, g.attempts])).toEqual([['2026-03-01', 1], ['2026-03-02', 1]]);
    // A document whose split is torn is skipped where its split is read.
    const own = (await store.get('data/rollups/month/2026-03.gw.json'))!;
    await store.put('data/rollups/month/2026-03.gw.json', own.replace(/"split":"\[\[/, '"split":"[[[['));
    warnings.length = 0;
    expect((await summarizeUsage(store, { groupBy: 'day' }, logger)).groups).toEqual([]);
    expect(warnings).toHaveLength(3);
    expect((await summarizeUsage(store, { groupBy: 'model' }, logger)).totals.attempts).toBe(2);
  });

  it('answers an empty store, or a range without data, with nothing', async () => {
    const empty = await summarizeUsage(createMemoryStore(), { groupBy: 'day' });
    expect(empty).toMatchObject({ from: null, to: null, groups: [], totals: { requests: 0, costUsd: 0, avgLatencyMs: null } });
    const store = await storePromise;
    const later = { firstHour: Date.parse('2030-01-01T00:00:00Z') / H, lastHour: Date.parse('2030-02-01T00:00:00Z') / H };
    expect(await rowReadsFor(store, later, 'month')).toEqual([]);
    expect(await splitReadsFor(store, later, 'day')).toEqual([]);
  });
});

describe('chargedSince', () => {
  it('is what budgets were charged, by project or token, over any range', async () => {
    const records = syntheticRecords(1500, 11);
    const store = createMemoryStore();
    await writeRollups(store, records, 2);
    const charged = (rs: UsageRecord[]) => ({ nanoUsd: rs.reduce((sum, r) => sum + toNanoUsd(chargeOf(r).usd), 0), tokens: rs.reduce((sum, r) => sum + chargeOf(r).tokens, 0) });
    const total = await chargedSince(store, { from: 0 });
    expect(total).toEqual({ ...charged(records), usd: charged(records).nanoUsd / 1e9 });
    const from = Date.parse('2026-02-03T05:00:00Z');
    const to = Date.parse('2026-02-17T13:20:00Z');
    const inRange = (r: UsageRecord) => Date.parse(r.ts) >= from && Math.floor(Date.parse(r.ts) / H) <= Math.floor(to / H);
    expect(await chargedSince(store, { projectId: 'prj_2', from, to })).toMatchObject(charged(records.filter((r) => r.projectId === 'prj_2' && inRange(r))));
    expect(await chargedSince(store, { tokenId: 'prj_0_tok1', from })).toMatchObject(charged(records.filter((r) => r.tokenId === 'prj_0_tok1' && Date.parse(r.ts) >= from)));
  });

  it('reads only month documents for a total budget', async () => {
    const inner = createMemoryStore();
    await writeRollups(inner, syntheticRecords(300), 2);
    const read: string[] = [];
    const store: Store = { ...inner, get: async (key) => (read.push(key), inner.get(key)) };
    await chargedSince(store, { projectId: 'prj_0', from: 0 });
    expect(read.every((key) => key.startsWith('data/rollups/month/'))).toBe(true);
    expect(read).toHaveLength(4);
  });
});
