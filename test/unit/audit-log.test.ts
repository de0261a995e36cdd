import { describe, expect, it } from 'vitest';
import { AuditLog, type AuditEntry } from '../../src/management/audit-log.js';
import { readDayLogPage } from '../../src/management/jsonl-pages.js';
import type { Store } from '../../src/store.js';
import { createMemoryStore } from '../../storage/memory.js';

const silent = { info() {}, warn() {}, error() {} };
const entry = (ts: string, route = '/api/projects'): AuditEntry => ({ ts, actor: null, address: null, method: 'POST', route, status: 201 });

/** A store whose appends wait until released, to catch entries queued during a write. */
function slowStore(): { store: Store; appends: string[]; release: () => void } {
  const inner = createMemoryStore();
  const appends: string[] = [];
  let gate: { promise: Promise<void>; open: () => void } | undefined;
  const hold = () => {
    let open!: () => void;
    const promise = new Promise<void>((resolve) => (open = resolve));
    gate = { promise, open };
  };
  hold();
  return {
    appends,
    release: () => gate!.open(),
    store: {
      ...inner,
      async append(key, text) {
        appends.push(text);
        await gate!.promise;
        return inner.append(key, text);
      },
    },
  };
}

describe('AuditLog', () => {
  it('batches the entries of one tick, and flush waits for those queued during a write', async () => {
    const { store, appends, release } = slowStore();
    const log = new AuditLog(store, silent);
    void log.record(entry('2026-03-01T10:00:00.000Z'));
    void log.record(entry('2026-03-01T10:00:01.000Z'));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(appends).toHaveLength(1);
    // Queued while the first append is held: flush must not settle before it is written too.
    void log.record(entry('2026-03-02T00:00:00.000Z'));
    let flushed = false;
    const flushing = log.flush().then(() => (flushed = true));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(flushed).toBe(false);
    release();
    await flushing;
    expect(await store.list('data/audit/')).toEqual(['data/audit/2026-03-01.jsonl', 'data/audit/2026-03-02.jsonl']);
    expect((await store.get('data/audit/2026-03-01.jsonl'))!.trim().split('\n')).toHaveLength(2);
  });

  it('logs a failed append and goes on', async () => {
    const errors: string[] = [];
    const store = { ...createMemoryStore(), append: async () => Promise.reject(new Error('disk full')) };
    const log = new AuditLog(store, { ...silent, error: (message: string) => void errors.push(message) });
    await log.record(entry('2026-03-01T10:00:00.000Z'));
    expect(errors).toEqual(['audit append failed']);
  });
});

describe('readDayLogPage', () => {
  it('goes on after a cursor whose day file was deleted', async () => {
    const store = createMemoryStore();
    const log = new AuditLog(store, silent);
    for (const ts of ['2026-03-01T00:00:00.000Z', '2026-03-01T01:00:00.000Z', '2026-03-02T00:00:00.000Z']) await log.record(entry(ts));
    const read = (cursor?: string) =>
      readDayLogPage(store, { prefix: 'data/audit/', limit: 1, cursor, parse: (line) => JSON.parse(line) as AuditEntry, timeOf: (e) => Date.parse(e.ts) });
    const first = await read();
    expect(first.entries.map((e) => e.ts)).toEqual(['2026-03-01T00:00:00.000Z']);
    await store.delete('data/audit/2026-03-01.jsonl');
    const next = await read(first.nextCursor!);
    expect(next.entries.map((e) => e.ts)).toEqual(['2026-03-02T00:00:00.000Z']);
    expect(next.nextCursor).toBeNull();
  });
});
