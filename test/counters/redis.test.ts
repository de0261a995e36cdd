/**
 * The Redis Counters driver (storage/redis/counters.ts) against a real redis-server: the shared
 * conformance suite, then what only a shared server adds: several clients (gateway nodes)
 * counting at once, the caller's clock against Redis's, exact numbers through Lua, and failures
 * (a script error, a full server, a lost server) that change nothing. Each test counts under a
 * prefix of its own on one server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryCounters } from '../../src/counters/memory.js';
import type { CounterEntry, Counters } from '../../src/counters/port.js';
import { connectRedis, createRedisClient, type RedisClient } from '../../storage/redis/client.js';
import { EXPIRY_MARGIN_MS } from '../../storage/redis/counter-scripts.js';
import { createRedisCounters, DEFAULT_COUNTERS_PREFIX, encodeKey } from '../../storage/redis/counters.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { describeCountersConformance } from './conformance.js';

/** The conformance suite's instant: June 2025, well before Redis's own clock. */
const T0 = 1_750_000_000_000;
const MINUTE = 60_000;

let server: RedisServer;
let client: RedisClient;
let prefixes = 0;
const freshPrefix = () => `test:${++prefixes}:`;

beforeAll(async () => {
  server = await startRedisServer();
  client = createRedisClient(server.url);
  await connectRedis(client);
});

afterAll(async () => {
  await client?.quit();
  await server?.stop();
});

describeCountersConformance('redis', async () => ({ counters: createRedisCounters(client, { prefix: freshPrefix() }), close: async () => undefined }));

const entry = (key: string, amount: number, limit?: number, expiresAt = T0 + MINUTE): CounterEntry =>
  limit === undefined ? { key, amount, expiresAt } : { key, amount, limit, expiresAt };

/** Numbers as text, so that -0 and 0 (which toEqual may take as equal) and every last digit show. */
const exact = (values: readonly number[]) => values.map((value) => (Object.is(value, -0) ? '-0' : String(value)));

async function connectedClient(url = server.url): Promise<RedisClient> {
  const other = createRedisClient(url);
  await connectRedis(other);
  return other;
}

describe('Redis counters: storage and expiry', () => {
  it('asks to be warmed from the rollups (not durable), and keeps a counter as a hash of value and expiry under the default prefix', async () => {
    const counters = createRedisCounters(client);
    // A migrated (or emptied) Redis has the rollups and no counter: see createRedisCounters.
    expect(counters.durable).toBe(false);
    await counters.add([entry('plain', 5)], T0);
    expect(DEFAULT_COUNTERS_PREFIX).toBe('routerly:c:');
    expect(await client.hgetall('routerly:c:plain')).toEqual({ v: '5', e: String(T0 + MINUTE) });
  });

  it("counts by the caller's clock: Redis's expiry is the remaining window plus a margin, from now", async () => {
    const prefix = freshPrefix();
    const counters = createRedisCounters(client, { prefix });
    const ttl = () => client.pttl(`${prefix}a`);
    // T0 is long past on Redis's clock, yet the counter lives for its window as the caller sees it.
    await counters.add([entry('a', 1, undefined, T0 + MINUTE)], T0);
    expect(await ttl()).toBeGreaterThan(MINUTE + EXPIRY_MARGIN_MS - 5_000);
    expect(await ttl()).toBeLessThanOrEqual(MINUTE + EXPIRY_MARGIN_MS);
    // An earlier expiresAt never shortens it, even from a caller whose clock is further on; a later one lengthens it.
    await counters.add([entry('a', 1, undefined, T0 + 10)], T0 + 50_000);
    expect(await ttl()).toBeGreaterThan(MINUTE + EXPIRY_MARGIN_MS - 5_000);
    await counters.add([entry('a', 1, undefined, T0 + 3 * MINUTE)], T0);
    expect(await ttl()).toBeGreaterThan(3 * MINUTE + EXPIRY_MARGIN_MS - 5_000);
    expect(await counters.read(['a'], T0 + 3 * MINUTE - 1)).toEqual([3]);
    // Over for the caller while Redis still holds it (the margin): it reads 0 and starts afresh, with a fresh expiry.
    expect(await counters.read(['a'], T0 + 3 * MINUTE)).toEqual([0]);
    expect(await counters.add([entry('a', 4, undefined, T0 + 3 * MINUTE + 1_000)], T0 + 3 * MINUTE)).toEqual([4]);
    expect(await ttl()).toBeLessThanOrEqual(1_000 + EXPIRY_MARGIN_MS);
    expect(await client.hgetall(`${prefix}a`)).toEqual({ v: '4', e: String(T0 + 3 * MINUTE + 1_000) });
  });

  it('counts as well with a clock far ahead of Redis, keeps nothing for a window already over, and no expiry for a far one', async () => {
    const prefix = freshPrefix();
    const counters = createRedisCounters(client, { prefix });
    const future = 4_000_000_000_000; // 2096
    expect(await counters.reserve([entry('a', 2, 2, future + 1_000)], future)).toEqual({ ok: true, values: [2] });
    expect(await counters.reserve([entry('a', 1, 2, future + 1_000)], future + 999)).toEqual({ ok: false, values: [2], refused: 0 });
    expect(await counters.reserve([entry('a', 1, 2, future + 2_000)], future + 1_000)).toEqual({ ok: true, values: [1] });
    expect(await counters.add([entry('gone', 3, undefined, future)], future)).toEqual([3]);
    expect(await client.exists(`${prefix}gone`)).toBe(0);
    await counters.add([entry('forever', 1, undefined, Number.MAX_SAFE_INTEGER)], T0);
    expect(await client.pttl(`${prefix}forever`)).toBe(-1);
  });
});

describe('Redis counters: several nodes at once', () => {
  it('admits exactly the limit of 300 reservations made concurrently through three clients', async () => {
    const prefix = freshPrefix();
    const nodes = await Promise.all([connectedClient(), connectedClient(), connectedClient()]);
    try {
      const counters = nodes.map((node) => createRedisCounters(node, { prefix }));
      const results = await Promise.all(
        Array.from({ length: 300 }, (_, i) => counters[i % 3]!.reserve([entry('rpm', 1, 100), entry('spend', 7_000_000_000, 700_000_000_000)], T0)),
      );
      const admitted = results.filter((result) => result.ok);
      expect(admitted).toHaveLength(100);
      // Each admitted reservation saw its own place: no two checks interleaved.
      expect(admitted.map((result) => result.values[0]).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      for (const node of counters) expect(await node.read(['rpm', 'spend'], T0)).toEqual([100, 700_000_000_000]);

      // Settling through whichever node, concurrently, loses nothing either.
      await Promise.all(admitted.map((_, i) => counters[(i + 1) % 3]!.add([entry('rpm', -1), entry('spend', -6_000_000_000)], T0 + 1)));
      expect(await counters[2]!.read(['rpm', 'spend'], T0 + 1)).toEqual([0, 100_000_000_000]);
    } finally {
      await Promise.all(nodes.map((node) => node.quit()));
    }
  });
});

describe('Redis counters: exact numbers', () => {
  it('round-trips large and awkward amounts exactly, summing them as JavaScript does', async () => {
    const counters = createRedisCounters(client, { prefix: freshPrefix() });
    const amounts = [2 ** 53 + 2, 2 ** 60, 1e21, 123_456_789.123_456_78, 5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 1 / 3, -0, 0.1];
    const entries = amounts.map((amount, i) => entry(`n:${i}`, amount));
    expect(exact(await counters.add(entries, T0))).toEqual(exact(amounts));
    expect(exact(await counters.read(entries.map((e) => e.key), T0))).toEqual(exact(amounts));
    // Rounding, overflow and the sign of zero come out as they do in memory.
    const sums = [entry('n:0', 1), entry('n:1', 1), entry('n:5', Number.MAX_VALUE), entry('n:8', -0), entry('n:9', 0.2), entry('n:3', -123_456_789)];
    const memory = memoryCounters();
    await memory.add(entries, T0);
    expect(exact(await counters.add(sums, T0))).toEqual(exact(await memory.add(sums, T0)));
  });

  it('agrees with the in-process driver on a long random sequence of operations', async () => {
    const redis = createRedisCounters(client, { prefix: freshPrefix() });
    const memory = memoryCounters();
    // A seeded generator (mulberry32): a failure replays the same way.
    let seed = 13;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const AMOUNTS = [1, 2, 5, -1, -3, 0, -0, 0.1, 0.7, 2.5, 1e15, -1e15];
    const KEYS = ['a', 'b', 'c', 'd'];
    let now = T0;
    for (let step = 0; step < 400; step++) {
      now += pick([0, 0, 1, 50, 400]);
      const entries = Array.from({ length: 1 + Math.floor(random() * 4) }, () =>
        entry(pick(KEYS), pick(AMOUNTS), random() < 0.6 ? pick([0, 1, 3, 6, 10, 1e15]) : undefined, now + pick([-100, 0, 1, 300, 1_000, 3_000])),
      );
      const op = pick(['reserve', 'add', 'initialize', 'read'] as const);
      const run = async (counters: Counters) => {
        if (op === 'read') return exact(await counters.read(entries.map((e) => e.key), now));
        if (op === 'reserve') {
          const result = await counters.reserve(entries, now);
          return { ...result, values: exact(result.values) };
        }
        return exact(await counters[op](entries, now));
      };
      expect({ step, op, result: await run(redis) }).toEqual({ step, op, result: await run(memory) });
    }
  });

  it('keeps keys apart that UTF-8 would merge: lone surrogates travel as WTF-8', async () => {
    const counters = createRedisCounters(client, { prefix: freshPrefix() });
    const keys = ['\ud800', '\udc00', '\ufffd', 'a\ud83d', 'a\ude00', 'a\ud83d\ude00'];
    await counters.add(keys.map((key, i) => entry(key, i + 1)), T0);
    expect(await counters.read(keys, T0)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(encodeKey('\ud800')).toEqual(Buffer.from([0xed, 0xa0, 0x80]));
    expect(encodeKey('é🙂')).toBe('é🙂');
  });
});

describe('Redis counters: failures change nothing', () => {
  it('rejects a call whose script fails (a key of another type) without applying any of its entries', async () => {
    const prefix = freshPrefix();
    const counters = createRedisCounters(client, { prefix });
    await counters.add([entry('kept', 5)], T0);
    const ttl = await client.pttl(`${prefix}kept`);
    await client.set(`${prefix}wrong`, 'not a counter');
    const call = [entry('kept', 1, 100, T0 + 5 * MINUTE), entry('fresh', 1), entry('wrong', 1)];
    await expect(counters.reserve(call, T0)).rejects.toThrow(/WRONGTYPE/);
    await expect(counters.add(call, T0)).rejects.toThrow(/WRONGTYPE/);
    await expect(counters.initialize(call, T0)).rejects.toThrow(/WRONGTYPE/);
    expect(await counters.read(['kept', 'fresh'], T0)).toEqual([5, 0]);
    expect(await client.exists(`${prefix}fresh`)).toBe(0);
    expect(await client.hget(`${prefix}kept`, 'e')).toBe(String(T0 + MINUTE));
    expect(await client.pttl(`${prefix}kept`)).toBeLessThanOrEqual(ttl);
  });

  it('refuses writes on a server out of memory without changing anything, and still reads', async () => {
    const counters = createRedisCounters(client, { prefix: freshPrefix() });
    await counters.add([entry('a', 1)], T0);
    await client.config('SET', 'maxmemory', '1');
    try {
      await expect(counters.reserve([entry('b', 1, 10), entry('a', 1, 10)], T0)).rejects.toThrow(/OOM/);
      await expect(counters.add([entry('a', 1), entry('b', 1)], T0)).rejects.toThrow(/OOM/);
      expect(await counters.read(['a', 'b'], T0)).toEqual([1, 0]);
    } finally {
      await client.config('SET', 'maxmemory', '0');
    }
    expect(await counters.add([entry('a', 1)], T0)).toEqual([2]);
  });

  it('refuses a malformed argument before sending anything', async () => {
    // Never connected, and commands are not queued: anything sent would fail with a connection error.
    const idle = createRedisClient(server.url);
    try {
      const counters = createRedisCounters(idle);
      await expect(counters.add([entry('a', Number.NaN)], T0)).rejects.toThrow(RangeError);
      await expect(counters.reserve([entry('', 1)], T0)).rejects.toThrow(RangeError);
      await expect(counters.read(['a'], Number.NaN)).rejects.toThrow(RangeError);
      await expect(counters.add([entry('a', 1)], T0)).rejects.not.toThrow(RangeError);
    } finally {
      idle.disconnect();
    }
  });

  it('loads its scripts again after the server forgot them', async () => {
    const counters = createRedisCounters(client, { prefix: freshPrefix() });
    await counters.add([entry('a', 1)], T0);
    await client.script('FLUSH');
    expect(await counters.reserve([entry('a', 1, 2)], T0)).toEqual({ ok: true, values: [2] });
    expect(await counters.read(['a'], T0)).toEqual([2]);
  });

  it('rejects at once when Redis is gone', async () => {
    const lost = await startRedisServer();
    const node = await connectedClient(lost.url);
    try {
      const counters = createRedisCounters(node, { prefix: freshPrefix() });
      expect(await counters.add([entry('a', 1)], T0)).toEqual([1]);
      await lost.stop();
      const started = Date.now();
      await expect(counters.reserve([entry('a', 1, 10)], T0)).rejects.toThrow();
      await expect(counters.read(['a'], T0)).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      node.disconnect();
      await lost.stop();
    }
  });
});
