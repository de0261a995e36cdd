/**
 * Counters on Cloudflare Workers: one Durable Object (RouterlyCounters) holds every counter of
 * the deployment in its SQLite storage, and `durableObjectCounters` is the Counters driver each
 * isolate calls it through. A Durable Object runs one event at a time and each operation below
 * runs synchronously from start to end, so reservations are exact across every isolate and
 * location, not just within one.
 *
 * All keys live in ONE object on purpose: a reservation names a project's, a token's and a
 * model's counters together, and it is all or nothing only while they are in one place.
 *
 * The ceiling that comes with it: one object serves its requests one at a time, on one thread,
 * in one location. Cloudflare documents a soft limit of about 1,000 requests a second for a
 * single object (less when each does more work). A call with limits or budgets makes two to
 * four counter operations (admission, a reservation per attempt, its settling, the call's end),
 * and a login two, so the deployment as a whole tops out at some hundreds of limited calls a
 * second, and every counted call waits one round trip to wherever the object lives. Past that
 * the counters would have to be split, for example one object per project, giving up atomic
 * reservations over keys that span projects (a model's own rpm and tpm).
 *
 * The object speaks JSON over its `fetch` (POST /reserve, /add, /read, /initialize; /size for
 * the rows it holds) rather than JS RPC: RPC needs the class to extend `DurableObject` from
 * `cloudflare:workers`, which Node-typed code that imports the Worker cannot resolve, while a
 * plain class with `fetch` is typed structurally, like the KV binding in worker.ts.
 */
import type { CounterEntry, Counters, ReserveResult } from '../../src/counters/port.js';
import { CounterTable, type Cell, type CellStore } from '../../src/counters/table.js';
import { checkEntries, checkKeys } from '../../src/counters/validate.js';

/** The name of the one object every isolate counts in. */
export const COUNTERS_OBJECT_NAME = 'routerly-counters';

// --- Structural types: the parts of the Workers runtime used here (see runtime-contract.ts) ---

/** A Durable Object's SQLite storage: `ctx.storage.sql`. */
interface SqlStorageLike {
  exec(query: string, ...bindings: unknown[]): { toArray(): Record<string, unknown>[]; one(): Record<string, unknown> };
}

/** The part of a `DurableObjectState` the object uses. */
export interface CountersObjectState {
  storage: {
    sql: SqlStorageLike;
    /** Runs `closure` as one SQLite transaction: all of its writes, or none if it throws. */
    transactionSync<T>(closure: () => T): T;
  };
}

export interface DurableObjectIdLike {
  toString(): string;
}

/** The part of a `DurableObjectNamespace` binding the driver uses. */
export interface DurableObjectNamespaceLike {
  idFromName(name: string): DurableObjectIdLike;
  get(id: DurableObjectIdLike): { fetch(input: string, init?: RequestInit): Promise<Response> };
}

// --- The object ---------------------------------------------------------------------------

/**
 * Cells in the object's SQLite storage. Reads and writes are synchronous (SQLite runs in the
 * object's own thread), which is what CellStore asks; storage outlives eviction and restarts,
 * and the object's output gate holds each answer until its writes are durable.
 */
class SqlCellStore implements CellStore {
  constructor(private readonly sql: SqlStorageLike) {
    sql.exec('CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, value REAL NOT NULL, expires_at REAL NOT NULL) WITHOUT ROWID');
    // The sweep deletes by expiry.
    sql.exec('CREATE INDEX IF NOT EXISTS counters_by_expiry ON counters (expires_at)');
  }

  get(key: string): Cell | undefined {
    const row = this.sql.exec('SELECT value, expires_at FROM counters WHERE key = ?', key).toArray()[0];
    return row ? { value: Number(row.value), expiresAt: Number(row.expires_at) } : undefined;
  }

  set(key: string, cell: Cell): void {
    this.sql.exec(
      'INSERT INTO counters (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at',
      key,
      cell.value,
      cell.expiresAt,
    );
  }

  sweep(now: number): void {
    this.sql.exec('DELETE FROM counters WHERE expires_at <= ?', now);
  }

  get size(): number {
    return Number(this.sql.exec('SELECT COUNT(*) AS n FROM counters').one().n);
  }
}

/**
 * The Durable Object every counter of the deployment lives in (bound as ROUTERLY_COUNTERS in
 * wrangler.toml, SQLite-backed). Expired rows are deleted by CounterTable's sweep as writes go
 * on, with the callers' clock; an object nobody writes to keeps its last rows, at most a sweep
 * interval's worth, which costs storage but no reads.
 */
export class RouterlyCounters {
  private readonly table: CounterTable;

  constructor(
    private readonly state: CountersObjectState,
    _env: unknown,
  ) {
    this.table = new CounterTable(new SqlCellStore(state.storage.sql));
  }

  async fetch(request: Request): Promise<Response> {
    const operation = new URL(request.url).pathname.slice(1);
    if (request.method !== 'POST') return Response.json({ error: { name: 'TypeError', message: 'counters take POST' } }, { status: 405 });
    let body: { entries?: unknown; keys?: unknown; now?: unknown };
    try {
      body = (await request.json()) as typeof body;
      if (typeof body !== 'object' || body === null) throw new TypeError();
    } catch {
      return refused(new TypeError('the body must be a JSON object'));
    }
    const entries = body.entries as CounterEntry[];
    const now = body.now as number;
    try {
      // Everything from here to the answer is synchronous: no other request runs in between.
      const result = this.state.storage.transactionSync(() => {
        switch (operation) {
          case 'reserve':
            return this.table.reserve(entries, now);
          case 'add':
            return this.table.add(entries, now);
          case 'initialize':
            return this.table.initialize(entries, now);
          case 'read':
            return this.table.read(body.keys as string[], now);
          case 'size':
            return this.table.size;
          default:
            return undefined;
        }
      });
      if (result === undefined) return Response.json({ error: { name: 'TypeError', message: `no counters operation "${operation}"` } }, { status: 404 });
      return Response.json({ result });
    } catch (error) {
      if (error instanceof TypeError || error instanceof RangeError) return refused(error);
      throw error;
    }
  }
}

function refused(error: TypeError | RangeError): Response {
  return Response.json({ error: { name: error.name, message: error.message } }, { status: 400 });
}

// --- The driver ---------------------------------------------------------------------------

/**
 * The Counters port over the RouterlyCounters object `objectName` of `namespace`: every
 * isolate that uses the same name counts in the same place. Arguments are checked here first,
 * so a malformed one is refused without a round trip, with the same errors as memoryCounters.
 */
export function durableObjectCounters(namespace: DurableObjectNamespaceLike, objectName = COUNTERS_OBJECT_NAME): Counters {
  const id = namespace.idFromName(objectName);

  async function call<T>(operation: string, payload: { entries?: readonly CounterEntry[]; keys?: readonly string[]; now: number }): Promise<T> {
    // A stub per call: stubs are cheap, and one made in another request's context may not be usable in this one.
    const response = await namespace.get(id).fetch(`https://counters/${operation}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    const body = (await response.json()) as { result?: T; error?: { name?: string; message?: string } };
    if (!response.ok) {
      const message = `counters ${operation}: ${body.error?.message ?? `status ${response.status}`}`;
      throw body.error?.name === 'RangeError' ? new RangeError(message) : body.error?.name === 'TypeError' ? new TypeError(message) : new Error(message);
    }
    return body.result as T;
  }

  return {
    durable: true,
    async reserve(entries, now) {
      checkEntries(entries, now);
      return call<ReserveResult>('reserve', { entries: onTheWire(entries), now });
    },
    async add(entries, now) {
      checkEntries(entries, now);
      return call<number[]>('add', { entries: onTheWire(entries), now });
    },
    async read(keys, now) {
      checkKeys(keys, now);
      return call<number[]>('read', { keys, now });
    },
    async initialize(entries, now) {
      checkEntries(entries, now);
      return call<number[]>('initialize', { entries: onTheWire(entries), now });
    },
  };
}

/** Only the fields the port defines travel: a caller's entry may carry more. */
function onTheWire(entries: readonly CounterEntry[]): CounterEntry[] {
  return entries.map(({ key, amount, limit, expiresAt }) => (limit === undefined ? { key, amount, expiresAt } : { key, amount, limit, expiresAt }));
}
