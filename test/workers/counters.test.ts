// The counters conformance suite against the Durable Object driver in workerd: the real
// RouterlyCounters object (bound by wrangler.toml, SQLite storage) and the real
// durableObjectCounters driver, run by a test worker (counters.worker.ts) that exposes the
// driver's operations over HTTP. Every test counts in an object of its own name.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { CounterEntry, Counters, ReserveResult } from '../../src/counters/port.js';
import { describeCountersConformance } from '../counters/conformance.js';
import { startWorkerdGateway, type WorkerdGateway } from '../support/workerd.js';
import { decode, encode, type WireAnswer } from './counters-wire.js';

const ENTRYPOINT = fileURLToPath(new URL('./counters.worker.ts', import.meta.url));
const ERRORS: Record<string, new (message: string) => Error> = { RangeError, TypeError };

/** One worker for the whole file, started on first use. */
let booting: Promise<WorkerdGateway> | undefined;
const sharedWorker = () => (booting ??= startWorkerdGateway({ entrypoint: ENTRYPOINT }));
afterAll(async () => {
  await (await booting)?.close();
});

/** Calls one operation of the driver in the worker, rethrowing what it threw as the same kind of error. */
async function call<T>(url: string, objectName: string, operation: string, args: { entries?: unknown; keys?: unknown; now?: number } = {}): Promise<T> {
  const response = await fetch(`${url}/counters/${encodeURIComponent(objectName)}/${operation}`, { method: 'POST', body: encode(args) });
  const answer = decode<WireAnswer<T>>(await response.text());
  if ('error' in answer) throw new (ERRORS[answer.error.name] ?? Error)(answer.error.message);
  return answer.result;
}

/** The Counters port, each operation run by durableObjectCounters inside workerd. */
async function remoteCounters(url: string, objectName: string): Promise<Counters> {
  const durable = await call<boolean>(url, objectName, 'durable');
  return {
    durable,
    reserve: (entries: readonly CounterEntry[], now: number) => call<ReserveResult>(url, objectName, 'reserve', { entries, now }),
    add: (entries: readonly CounterEntry[], now: number) => call<number[]>(url, objectName, 'add', { entries, now }),
    read: (keys: readonly string[], now: number) => call<number[]>(url, objectName, 'read', { keys, now }),
    initialize: (entries: readonly CounterEntry[], now: number) => call<number[]>(url, objectName, 'initialize', { entries, now }),
  };
}

describeCountersConformance('Durable Object in workerd', async () => ({
  counters: await remoteCounters((await sharedWorker()).url, randomUUID()),
  // The worker is shared by the file and each test's object is its own: nothing to close.
  close: async () => undefined,
}));

describe('Durable Object counters: what only they do', () => {
  const T0 = 1_750_000_000_000;

  it('are durable: the gateway need not warm them from the usage rollups', async () => {
    expect((await remoteCounters((await sharedWorker()).url, randomUUID())).durable).toBe(true);
  });

  it('delete expired rows from the object storage as writes go on', async () => {
    const { url } = await sharedWorker();
    const name = randomUUID();
    const counters = await remoteCounters(url, name);
    // 3,000 keys, each live 100 ms, one a ms over 3 s of the callers' time, 100 to a call.
    for (let start = 0; start < 3000; start += 100) {
      const entries = Array.from({ length: 100 }, (_, i) => ({ key: `k:${start + i}`, amount: 1, expiresAt: T0 + start + i + 100 }));
      await counters.add(entries, T0 + start);
    }
    const rows = await call<number>(url, name, 'size');
    // Without the sweep all 3,000 would stay; CounterTable keeps at most about its interval (1,024) plus twice the live ones.
    expect(rows).toBeLessThanOrEqual(1024 + 2 * 200);
    expect(await counters.read(['k:2999', 'k:0'], T0 + 3000)).toEqual([1, 0]);
  });

  it('survive a restart of workerd: they live in the object storage, not in an isolate', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'routerly-counters-'));
    const name = randomUUID();
    try {
      const first = await startWorkerdGateway({ entrypoint: ENTRYPOINT, persistTo: home });
      try {
        const counters = await remoteCounters(first.url, name);
        expect(await counters.reserve([{ key: 'budget', amount: 40, limit: 100, expiresAt: T0 + 60_000 }], T0)).toEqual({ ok: true, values: [40] });
      } finally {
        await first.close();
      }
      const second = await startWorkerdGateway({ entrypoint: ENTRYPOINT, persistTo: home });
      try {
        const counters = await remoteCounters(second.url, name);
        expect(await counters.read(['budget'], T0 + 1)).toEqual([40]);
        expect(await counters.reserve([{ key: 'budget', amount: 61, limit: 100, expiresAt: T0 + 60_000 }], T0 + 1)).toEqual({ ok: false, values: [40], refused: 0 });
      } finally {
        await second.close();
      }
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
