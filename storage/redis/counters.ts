/**
 * The Counters port (src/counters/port.ts) on Redis, for several gateway nodes sharing one
 * server: every operation is one Lua script (counter-scripts.ts) that Redis runs atomically, so
 * a reservation's check and charge are one step whichever node makes it, and budgets, rate
 * limits and login throttles hold exactly across all of them, as the Durable Object does on
 * Workers. Counters live in Redis and outlive every node, yet say `durable: false`: a Redis
 * filled by `routerly migrate` (or one restarted without its data) holds the usage rollups but
 * no counter, and a budget would start its period again at 0. Not durable, each node warms each
 * budget window once from the rollups with `initialize`, which sets only a counter that does not
 * exist yet: a counter the nodes are already counting is left as it is.
 *
 * Time stays the caller's: a counter is over when its expiresAt is at or before the `now` a
 * caller passes, exactly as in memory; Redis's clock only paces the collector that drops old
 * windows (EXPIRY_MARGIN_MS says how). Amounts cross the wire as the shortest decimal that
 * parses back to the same double, are summed in Lua's doubles as JavaScript would sum them, and
 * come back as 17-digit strings, so every number round-trips exactly.
 *
 * Operators: run Redis with `maxmemory-policy noeviction` (the default). Under an evicting
 * policy Redis may drop a live counter to make room (every counter has an expiry, so even the
 * volatile-* policies may), and a limit would silently restart from 0. All keys of one call go
 * to one script, so on Redis Cluster they would need one hash slot: use a single primary (with
 * replicas) or a prefix with a hash tag, such as `{routerly}:c:`.
 */
import type { CounterEntry, Counters, ReserveResult } from '../../src/counters/port.js';
import { checkEntries, checkKeys } from '../../src/counters/validate.js';
import type { RedisClient } from './client.js';
import { ADD_SCRIPT, INITIALIZE_SCRIPT, READ_SCRIPT, RESERVE_SCRIPT } from './counter-scripts.js';
import { LuaScript } from './lua-script.js';

export interface RedisCountersOptions {
  /** Put before every counter's key (default `routerly:c:`): deployments or tests sharing a server keep apart by it. */
  prefix?: string;
}

export const DEFAULT_COUNTERS_PREFIX = 'routerly:c:';

const scripts = {
  read: new LuaScript(READ_SCRIPT),
  reserve: new LuaScript(RESERVE_SCRIPT),
  add: new LuaScript(ADD_SCRIPT),
  initialize: new LuaScript(INITIALIZE_SCRIPT),
};

export function createRedisCounters(client: RedisClient, options: RedisCountersOptions = {}): Counters {
  const prefix = options.prefix ?? DEFAULT_COUNTERS_PREFIX;
  const redisKey = (key: string) => encodeKey(prefix + key);

  /** The scripts' ARGV: now, then each entry's amount, expiresAt and limit ('' for none). */
  function entryArgs(entries: readonly CounterEntry[], now: number): string[] {
    const args = [numberArg(now)];
    for (const { amount, expiresAt, limit } of entries) args.push(numberArg(amount), numberArg(expiresAt), limit === undefined ? '' : numberArg(limit));
    return args;
  }

  async function run(script: LuaScript, entries: readonly CounterEntry[], now: number): Promise<string[]> {
    return (await script.run(client, entries.map((entry) => redisKey(entry.key)), entryArgs(entries, now))) as string[];
  }

  // Each method validates first (a malformed argument rejects before anything is sent, with the
  // errors memoryCounters gives), and skips the round trip when there is nothing to count.
  return {
    durable: false,
    async reserve(entries, now): Promise<ReserveResult> {
      checkEntries(entries, now);
      if (entries.length === 0) return { ok: true, values: [] };
      const [status, ...rest] = await run(scripts.reserve, entries, now);
      if (status === '1') return { ok: true, values: rest.map(Number) };
      const [refused, ...values] = rest;
      return { ok: false, values: values.map(Number), refused: Number(refused) };
    },
    async add(entries, now) {
      checkEntries(entries, now);
      if (entries.length === 0) return [];
      return (await run(scripts.add, entries, now)).map(Number);
    },
    async read(keys, now) {
      checkKeys(keys, now);
      if (keys.length === 0) return [];
      return ((await scripts.read.run(client, keys.map(redisKey), [numberArg(now)])) as string[]).map(Number);
    },
    async initialize(entries, now) {
      checkEntries(entries, now);
      if (entries.length === 0) return [];
      return (await run(scripts.initialize, entries, now)).map(Number);
    },
  };
}

/**
 * A finite number as Lua's tonumber reads it back exactly: JavaScript's shortest round-trip
 * decimal, except that String(-0) is "0", and -0 + -0 must stay -0 as it does in memory.
 */
function numberArg(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

/**
 * A key's bytes in Redis. A well-formed string goes as itself (ioredis sends it as UTF-8); one
 * with a lone surrogate (a JSON "\ud800" in an email, say) would become U+FFFD in UTF-8 and
 * share its counter with every other such string, so it is sent as WTF-8 instead: UTF-8 that
 * encodes a lone surrogate as its own three bytes. Those bytes are never valid UTF-8, so no two
 * distinct keys meet, and every well-formed key keeps the plain form an operator can read.
 */
export function encodeKey(key: string): string | Buffer {
  if (!/\p{Cs}/u.test(key)) return key;
  const bytes: number[] = [];
  for (const char of key) {
    const code = char.codePointAt(0)!;
    if (code < 0x80) bytes.push(code);
    else if (code < 0x800) bytes.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
    else if (code < 0x10000) bytes.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
    else bytes.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
  }
  return Buffer.from(bytes);
}
