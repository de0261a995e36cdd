/**
 * The Redis driver against a real redis-server: the shared conformance suite, plus what only Redis
 * can get wrong (the layout of logs as pieces, reads that skip by the pieces' line counts, appends
 * racing from separate connections, stores sharing one server). Every store gets a fresh prefix,
 * so tests never see each other's keys.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store.js';
import { createMemoryStore } from '../../storage/memory.js';
import { connectRedis, createRedisClient, type RedisClient } from '../../storage/redis/client.js';
import { createRedisStore } from '../../storage/redis/store.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { collect, describeStoreConformance } from './conformance.js';

let server: RedisServer;
let client: RedisClient;
/** Clients a test opened besides `client`, closed after it. */
const extraClients: RedisClient[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  client = await connectedClient();
});

afterEach(async () => {
  await Promise.all(extraClients.splice(0).map((extra) => extra.quit()));
});

afterAll(async () => {
  await client?.quit();
  await server?.stop();
});

async function connectedClient(): Promise<RedisClient> {
  const connection = createRedisClient(server.url);
  await connectRedis(connection);
  return connection;
}

const freshPrefix = () => `test:${randomUUID()}:`;

/** Every Redis key under `prefix`, sorted (SCAN: fine for a test's few keys). */
async function redisKeys(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, page] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    keys.push(...page);
    cursor = next;
  } while (cursor !== '0');
  return keys.sort();
}

async function removePrefix(prefix: string): Promise<void> {
  const keys = await redisKeys(prefix);
  if (keys.length > 0) await client.unlink(...keys);
}

describeStoreConformance('redis', async () => {
  const prefix = freshPrefix();
  return { store: createRedisStore(client, { prefix }), cleanup: () => removePrefix(prefix) };
});

/** A store on a fresh prefix, and that prefix. */
function freshStore(on: RedisClient = client): { store: Store; prefix: string } {
  const prefix = freshPrefix();
  return { store: createRedisStore(on, { prefix }), prefix };
}

/**
 * The LRANGE calls the server receives while `action` runs, as [key, start, stop], seen through
 * MONITOR on a connection of its own (the store's client is the real one, untouched).
 */
async function lrangesDuring(action: () => Promise<unknown>): Promise<[string, number, number][]> {
  const monitor = await client.monitor();
  const seen: [string, number, number][] = [];
  const marker = `end-${randomUUID()}`;
  let markerSeen!: () => void;
  const done = new Promise<void>((resolve) => (markerSeen = resolve));
  monitor.on('monitor', (_time: string, args: string[]) => {
    const [command, ...rest] = args;
    if (command?.toLowerCase() === 'lrange') seen.push([rest[0]!, Number(rest[1]), Number(rest[2])]);
    if (command?.toLowerCase() === 'echo' && rest[0] === marker) markerSeen();
  });
  try {
    await action();
    await client.echo(marker);
    await done;
  } finally {
    monitor.disconnect();
  }
  return seen;
}

describe('redis driver layout', () => {
  it('keeps a document in one string and a log as pieces with their cumulative line shapes', async () => {
    const { store, prefix } = freshStore();
    await store.put('config/models.json', '{"models":[]}');
    await store.append('data/day.jsonl', 'a\nb\n');
    await store.append('data/day.jsonl', 'c');
    await store.append('data/day.jsonl', '\nd\n');
    expect(await redisKeys(prefix)).toEqual([
      `${prefix}store:doc:config/models.json`,
      `${prefix}store:keys`,
      `${prefix}store:log-id:data/day.jsonl`,
      `${prefix}store:log-lines:data/day.jsonl`,
      `${prefix}store:log:data/day.jsonl`,
    ]);
    expect(await client.get(`${prefix}store:doc:config/models.json`)).toBe('{"models":[]}');
    expect(await client.lrange(`${prefix}store:log:data/day.jsonl`, 0, -1)).toEqual(['a\nb\n', 'c', '\nd\n']);
    // 2 * (line breaks up to and including the piece) + 1 when the piece ends with one.
    expect(await client.lrange(`${prefix}store:log-lines:data/day.jsonl`, 0, -1)).toEqual(['5', '4', '9']);
    expect(await client.zrange(`${prefix}store:keys`, 0, -1)).toEqual(['config/models.json', 'data/day.jsonl']);
  });

  it('turns a document appended to into a log that starts with it, and a put log back into a document', async () => {
    const { store, prefix } = freshStore();
    await store.put('k', 'head\nmid');
    await store.append('k', 'dle\n');
    expect(await redisKeys(prefix)).toEqual([`${prefix}store:keys`, `${prefix}store:log-id:k`, `${prefix}store:log-lines:k`, `${prefix}store:log:k`]);
    expect(await client.lrange(`${prefix}store:log:k`, 0, -1)).toEqual(['head\nmid', 'dle\n']);
    expect(await collect(store.readLines('k', { fromLine: 1 }))).toEqual(['middle']);
    await store.put('k', 'doc');
    expect(await redisKeys(prefix)).toEqual([`${prefix}store:doc:k`, `${prefix}store:keys`]);
    await store.delete('k');
    expect(await redisKeys(prefix)).toEqual([]);
  });

  it('adds no piece for an empty append to a log or a document', async () => {
    const { store, prefix } = freshStore();
    await store.append('log', 'x\n');
    await store.append('log', '');
    expect(await client.llen(`${prefix}store:log:log`)).toBe(1);
    await store.put('doc', 'text');
    await store.append('doc', '');
    expect(await client.get(`${prefix}store:doc:doc`)).toBe('text');
  });

  it('lists past one ZRANGEBYLEX page, sorted, and ignores members that are not keys', async () => {
    const { store, prefix } = freshStore();
    const keys = Array.from({ length: 2500 }, (_, i) => `k/${(i * 7919) % 2500}`);
    await Promise.all(keys.map((key) => store.put(key, 'v')));
    await client.zadd(`${prefix}store:keys`, 0, 'k/not a key');
    const listed = await store.list('k/');
    expect(listed).toHaveLength(2500);
    expect(listed).toEqual([...keys].sort());
    expect(await store.list('k/24')).toEqual(keys.filter((key) => key.startsWith('k/24')).sort());
  });
});

describe('redis driver readLines', () => {
  /** A log of `count` pieces, each holding lines 2i and 2i+1. */
  async function twoLinePieces(store: Store, key: string, count: number): Promise<void> {
    for (let i = 0; i < count; i++) await store.append(key, `${2 * i}\n${2 * i + 1}\n`);
  }

  it('reads only the pieces that hold lines from fromLine on', async () => {
    const { store, prefix } = freshStore();
    await twoLinePieces(store, 'log', 200);
    const pieces = `${prefix}store:log:log`;
    let lines: string[] = [];
    let ranges = await lrangesDuring(async () => (lines = await collect(store.readLines('log', { fromLine: 391 }))));
    expect(lines).toEqual(['391', '392', '393', '394', '395', '396', '397', '398', '399']);
    expect(ranges).toEqual([[pieces, 195, 199]]);
    ranges = await lrangesDuring(async () => (lines = await collect(store.readLines('log', { fromLine: 392 }))));
    expect(lines[0]).toBe('392');
    expect(ranges).toEqual([[pieces, 196, 199]]);
    ranges = await lrangesDuring(async () => (lines = await collect(store.readLines('log', { fromLine: 400 }))));
    expect(lines).toEqual([]);
    expect(ranges).toEqual([]);
  });

  it('reads a whole log in bounded batches, sized by the pieces seen', async () => {
    const { store, prefix } = freshStore();
    await twoLinePieces(store, 'small', 3000);
    const ranges = await lrangesDuring(async () => expect((await collect(store.readLines('small'))).length).toBe(6000));
    expect(ranges[0]).toEqual([`${prefix}store:log:small`, 0, 15]);
    for (const [, start, stop] of ranges) expect(stop - start + 1).toBeLessThanOrEqual(1024);
    expect(ranges.length).toBeLessThan(10);
    const piece = 'y'.repeat(400_000) + '\n';
    for (let i = 0; i < 20; i++) await store.append('big', piece);
    // About 1 Mi characters a batch: two or three of these pieces, never all twenty at once.
    const bigRanges = await lrangesDuring(() => collect(store.readLines('big')));
    for (const [, start, stop] of bigRanges.slice(1)) expect(stop - start + 1).toBeLessThanOrEqual(3);
  });

  it('agrees with the memory driver at every fromLine, over pieces of every shape', async () => {
    const { store } = freshStore();
    const memory = createMemoryStore();
    // A seeded mix of pieces: empty, without breaks, ending inside a line, breaks only, several lines.
    let seed = 13;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const shapes = ['', 'ab', '\n', '\n\n', 'x\ny', 'l\n', 'p\nq\nr\n', 'tail'];
    await memory.put('log', 'doc\nhead');
    await store.put('log', 'doc\nhead');
    for (let i = 0; i < 120; i++) {
      const piece = shapes[random(shapes.length)]!.replace(/[a-z]+/g, (word) => `${word}${i}`);
      await memory.append('log', piece);
      await store.append('log', piece);
    }
    const all = await collect(memory.readLines('log'));
    expect(await collect(store.readLines('log'))).toEqual(all);
    for (let fromLine = 0; fromLine <= all.length + 1; fromLine++) {
      expect(await collect(store.readLines('log', { fromLine })), `fromLine ${fromLine}`).toEqual(all.slice(fromLine));
    }
  });

  it('stops at the end the log had when the read began', async () => {
    const { store } = freshStore();
    await twoLinePieces(store, 'log', 40);
    const read: string[] = [];
    for await (const line of store.readLines('log')) {
      read.push(line);
      if (read.length === 1) await store.append('log', 'later\n');
    }
    expect(read).toHaveLength(80);
    expect(await collect(store.readLines('log', { fromLine: 80 }))).toEqual(['later']);
  });

  it('yields a prefix of the old log, never pieces of a new one, when the log is replaced mid-read', async () => {
    const { store } = freshStore();
    await twoLinePieces(store, 'log', 40); // the first batch reads 16 pieces
    const read: string[] = [];
    for await (const line of store.readLines('log')) {
      read.push(line);
      if (read.length === 1) {
        await store.delete('log');
        await twoLinePieces(store, 'log', 40);
        await store.append('log', 'new\n');
      }
    }
    expect(read).toEqual(Array.from({ length: 32 }, (_, i) => String(i)));
  });
});

describe('redis driver across connections and prefixes', () => {
  it('interleaves whole pieces when two clients append concurrently, and keeps the line counts right', async () => {
    const { prefix } = freshStore();
    const other = await connectedClient();
    extraClients.push(other);
    const stores = [createRedisStore(client, { prefix }), createRedisStore(other, { prefix })];
    const pieceOf = (writer: number, i: number) => `${writer}:${i}:a\n${writer}:${i}:b\n${writer}:${i}:${'z'.repeat(3000)}\n`;
    await Promise.all(
      stores.map((store, writer) => Promise.all(Array.from({ length: 150 }, (_, i) => store.append('data/race.jsonl', pieceOf(writer, i))))),
    );
    const lines = await collect(stores[0]!.readLines('data/race.jsonl'));
    expect(lines).toHaveLength(900);
    const seen = new Set<string>();
    for (let at = 0; at < lines.length; at += 3) {
      // Each piece's three lines arrive together, never with another piece's lines between them.
      const [writer, i] = lines[at]!.split(':');
      expect(lines.slice(at, at + 3).join('\n') + '\n').toBe(pieceOf(Number(writer), Number(i)));
      seen.add(`${writer}:${i}`);
    }
    expect(seen.size).toBe(300);
    // The cumulative counts were computed in append order, so every skip lands on a piece's start.
    for (const fromLine of [3, 300, 597, 897]) {
      expect(await collect(stores[1]!.readLines('data/race.jsonl', { fromLine }))).toEqual(lines.slice(fromLine));
    }
  });

  it('round-trips unicode, newlines and control characters in documents, logs and converted documents', async () => {
    const { store } = freshStore();
    const text = 'héllo 🌍🚀 中文 עברית\r\n\t\u0000\u0001 "q" \\ \n\n€';
    await store.put('doc', text);
    expect(await store.get('doc')).toBe(text);
    await store.append('log', text);
    await store.append('log', text);
    expect(await store.get('log')).toBe(text + text);
    await store.append('doc', text);
    expect(await store.get('doc')).toBe(text + text);
    const lines = (text + text).split('\n');
    expect(await collect(store.readLines('doc'))).toEqual(lines);
    expect(await collect(store.readLines('log', { fromLine: 4 }))).toEqual(lines.slice(4));
  });

  it('isolates two stores on one server by their prefix', async () => {
    const one = freshStore();
    const two = freshStore();
    await one.store.put('config/models.json', 'one');
    await two.store.put('config/models.json', 'two');
    await one.store.append('log', 'one\n');
    expect(await one.store.get('config/models.json')).toBe('one');
    expect(await two.store.get('config/models.json')).toBe('two');
    expect(await two.store.get('log')).toBeNull();
    expect(await one.store.list('')).toEqual(['config/models.json', 'log']);
    expect(await two.store.list('')).toEqual(['config/models.json']);
    await one.store.delete('config/models.json');
    expect(await two.store.get('config/models.json')).toBe('two');
    expect(await redisKeys(two.prefix)).toEqual([`${two.prefix}store:doc:config/models.json`, `${two.prefix}store:keys`]);
  });

  it('uses routerly: when no prefix is given', async () => {
    const store = createRedisStore(client);
    await store.put('probe', 'x');
    try {
      expect(await client.get('routerly:store:doc:probe')).toBe('x');
    } finally {
      await store.delete('probe');
    }
  });

  it('loads its scripts again after the server forgot them', async () => {
    const { store } = freshStore();
    await store.append('log', 'a\n');
    await client.script('FLUSH');
    await store.append('log', 'b\n');
    expect(await collect(store.readLines('log', { fromLine: 1 }))).toEqual(['b']);
  });
});
