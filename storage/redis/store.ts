/**
 * Store on Redis (or a wire-compatible server: Valkey, KeyDB), so that several gateway nodes share
 * one config, one usage log and one audit trail (issue 13).
 *
 * Under the prefix (default `routerly:`), a store key such as `config/models.json` is one of:
 * - a document: the STRING `<prefix>store:doc:<key>`, written whole with SET, so `put` is atomic;
 * - a log: the LISTs `<prefix>store:log:<key>` and `<prefix>store:log-lines:<key>` and the STRING
 *   `<prefix>store:log-id:<key>` (store-log.ts says why a log is pieces and how they are read).
 * A key is never both: `put` over a log replaces it (the pieces go), and `append` to a document
 * turns it into a log that starts with the document's text.
 *
 * `list` reads the ZSET `<prefix>store:keys`, every store key with score 0, so ZRANGEBYLEX returns
 * a prefix's keys sorted by byte, which for the ASCII keys the Store allows is the code-unit order
 * the interface asks for. Every write that creates or removes a key updates it in the same MULTI
 * or script. KEYS would block the server for the whole keyspace, and SCAN would walk every Redis key
 * (counters, pieces' siblings, other tenants' prefixes) only to sort and filter them on the client.
 *
 * Store keys hold no `:` and segments no `..`, and the parts after `store:` differ from the first
 * character on, so no store key's Redis names can meet another's. Stores with different prefixes on
 * one server do not see each other. The names of one key span several Redis keys and so hash slots:
 * this driver is for a single Redis (with replicas), not Redis Cluster.
 */
import { Buffer } from 'node:buffer';
import { assertValidKey, assertValidPrefix, fromLineOption, isValidKey, LineSplitter, type Store } from '../../src/store.js';
import type { RedisClient } from './client.js';
import { appendPiece, openKey, readPieces, type KeyNames } from './store-log.js';

export interface RedisStoreOptions {
  /** Put before every Redis key this store writes (default `routerly:`); one per deployment or test. */
  prefix?: string;
}

/** Keys `list` fetches per ZRANGEBYLEX, so one reply stays small however many keys there are. */
const LIST_PAGE_SIZE = 1000;

export function createRedisStore(client: RedisClient, options: RedisStoreOptions = {}): Store {
  const base = `${options.prefix ?? 'routerly:'}store:`;
  const index = `${base}keys`;

  /** The Redis names behind `key`, once it has been checked. */
  const namesOf = (key: string): KeyNames => {
    assertValidKey(key);
    return { doc: `${base}doc:${key}`, pieces: `${base}log:${key}`, lines: `${base}log-lines:${key}`, id: `${base}log-id:${key}`, index };
  };

  return {
    async get(key) {
      const names = namesOf(key);
      const opened = await openKey(client, names, 0);
      if (opened.kind === 'none') return null;
      if (opened.kind === 'doc') return opened.text;
      const pieces: string[] = [];
      for await (const piece of readPieces(client, names, opened)) pieces.push(piece);
      return pieces.join('');
    },

    async put(key, value) {
      const names = namesOf(key);
      // UNLINK: a log of gigabytes is freed in the background instead of stalling the server.
      await execAll(client.multi().set(names.doc, value).unlink(names.pieces, names.lines, names.id).zadd(index, 0, key));
    },

    async append(key, text) {
      await appendPiece(client, namesOf(key), key, text);
    },

    async delete(key) {
      const names = namesOf(key);
      await execAll(client.multi().unlink(names.doc, names.pieces, names.lines, names.id).zrem(index, key));
    },

    async list(prefix) {
      assertValidPrefix(prefix);
      // Members after `prefix` and before `prefix` + 0xFF: keys are ASCII, so every key that starts
      // with `prefix` sorts in between, and nothing else does.
      const max = prefix === '' ? '+' : Buffer.concat([Buffer.from(`(${prefix}`), Buffer.from([0xff])]);
      let min: string = prefix === '' ? '-' : `[${prefix}`;
      const keys: string[] = [];
      for (;;) {
        const page = await client.zrangebylex(index, min, max, 'LIMIT', 0, LIST_PAGE_SIZE);
        // Members not written by this driver (foreign data under the same prefix) are not keys.
        for (const member of page) if (isValidKey(member)) keys.push(member);
        if (page.length < LIST_PAGE_SIZE) return keys;
        min = `(${page[page.length - 1]!}`;
      }
    },

    async *readLines(key, readOptions) {
      const names = namesOf(key);
      const fromLine = fromLineOption(readOptions);
      const opened = await openKey(client, names, fromLine);
      if (opened.kind === 'none') return;
      if (opened.kind === 'doc') {
        const lines = new LineSplitter(fromLine);
        yield* lines.push(opened.text);
        yield* lines.end();
        return;
      }
      // The pieces before firstPiece were skipped unread: only the rest of the skip is counted here.
      const lines = new LineSplitter(fromLine - opened.linesSkipped);
      for await (const piece of readPieces(client, names, opened)) yield* lines.push(piece);
      yield* lines.end();
    },
  };
}

/** Runs a MULTI and throws the first command's error, if any (ioredis reports them per command). */
async function execAll(transaction: ReturnType<RedisClient['multi']>): Promise<void> {
  const replies = await transaction.exec();
  if (replies === null) throw new Error('redis store: a write transaction was aborted');
  for (const [error] of replies) if (error) throw error;
}
