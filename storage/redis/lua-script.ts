import { createHash } from 'node:crypto';
import type { RedisClient } from './client.js';

/**
 * A Lua script run by its SHA1 (EVALSHA), sent whole (EVAL) only when the server does not have
 * it: a restarted or flushed server (SCRIPT FLUSH) forgets its scripts, and EVAL caches it again.
 * The drivers' atomic steps (counters, log appends) are each one of these.
 */
export class LuaScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** `call` with one array, not spread arguments: a call may name thousands of keys. */
  async run(client: RedisClient, keys: readonly (string | Buffer)[], args: readonly (string | number | Buffer)[]): Promise<unknown> {
    const tail = [keys.length, ...keys, ...args];
    try {
      return await client.call('EVALSHA', [this.sha, ...tail]);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.call('EVAL', [this.source, ...tail]);
    }
  }
}
