/**
 * `routerly migrate` as a user runs it: the built bin as a subprocess, a home made by the file
 * store, a real redis-server. Into Redis and back byte for byte, the report in both forms, the
 * refusal of a non-empty target and --force, the default home, and every failure's one line and
 * exit code (the password of a Redis URL never shown).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFileStore } from '../../storage/files.js';
import { connectRedis, createRedisClient, type RedisClient } from '../../storage/redis/client.js';
import { createRedisStore } from '../../storage/redis/store.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { cliUser, type CliResult, type CliUser } from './run-cli.js';

// Each test runs the CLI several times, a process each: slow when the machine is busy.
vi.setConfig({ testTimeout: 120_000 });

const SECRET = 'the-home-secret-0123456789abcdefghijkl';
const LINES = 4000;

let redis: RedisServer;
let client: RedisClient;
let user: CliUser;
/** The user's ~/.routerly, made by the file store. */
let home: string;

beforeAll(async () => {
  redis = await startRedisServer();
  client = createRedisClient(redis.url);
  await connectRedis(client);
  user = await cliUser();
  home = path.join(user.home, '.routerly');
  const store = createFileStore(home);
  await store.put('config/models.json', '[{"id":"gpt","apiKey":"v1.stored-encrypted"}]\n');
  await store.put('config/projects.json', '[]\n');
  for (let n = 0; n < LINES; n += 40) {
    await store.append('data/usage/2026-11-30.jsonl', Array.from({ length: 40 }, (_, i) => `{"requestId":"req_${n + i}","costUsd":0.0001,"model":"gpt ✓"}\n`).join(''));
  }
  await store.put('data/rollups/day/2026-11/2026-11-30.gw_1.json', '{"rows":[]}\n');
  await writeFile(path.join(home, 'config', 'secret'), `${SECRET}\n`, { mode: 0o600 });
});
afterAll(async () => {
  await client?.quit();
  await redis?.stop();
  await user?.cleanup();
});

const prefix = () => `cli-test:${randomUUID()}:`;

/** A failure: stderr is exactly one `routerly: ` line; returns its code and message. */
async function fails(args: string[], env?: Record<string, string>): Promise<{ code: number | null; message: string }> {
  const result = await user.run(['migrate', ...args], { env });
  expect(result.stderr, `routerly migrate ${args.join(' ')}`).toMatch(/^routerly: [^\n]+\n$/);
  expect(result.stdout).toBe('');
  return { code: result.code, message: result.stderr.slice('routerly: '.length, -1) };
}

async function ok(args: string[], env?: Record<string, string>): Promise<CliResult> {
  const result = await user.run(['migrate', ...args], { env });
  if (result.code !== 0) throw new Error(`routerly migrate ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result;
}

describe('routerly migrate', () => {
  it('moves ~/.routerly into Redis and back into an empty folder, byte for byte, without the secret', async () => {
    const keys = prefix();
    const there = await ok(['--to-redis', redis.url, '--prefix', keys]);
    expect(there.stderr).toBe('');
    expect(there.stdout).toContain(`copied ${home} into ${redis.url} (prefix ${keys})`);
    expect(there.stdout).toMatch(/^documents: +3$/m);
    expect(there.stdout).toMatch(/^logs: +1$/m);
    expect(there.stdout).toMatch(/^log lines: +4,000$/m);
    expect(there.stdout).toMatch(/^not copied: +config\/secret/m);
    expect(there.stdout).toContain('ROUTERLY_SECRET');
    expect(there.stdout).not.toContain(SECRET);
    const inRedis = createRedisStore(client, { prefix: keys });
    expect(await inRedis.list('')).toEqual(['config/models.json', 'config/projects.json', 'data/rollups/day/2026-11/2026-11-30.gw_1.json', 'data/usage/2026-11-30.jsonl']);

    const back = path.join(user.home, 'restored');
    const answer = JSON.parse((await ok(['--from-redis', redis.url, '--prefix', keys, '--home', back, '--json'])).stdout);
    expect(answer).toEqual({
      direction: 'from-redis',
      home: back,
      redis: redis.url,
      prefix: keys,
      documents: 3,
      logs: 1,
      lines: LINES,
      bytes: expect.any(Number),
      removed: 0,
      skipped: [],
      verified: true,
      note: expect.stringContaining('without it a new secret would be made'),
    });
    for (const key of await inRedis.list('')) expect(await readFile(path.join(back, key)), key).toEqual(await readFile(path.join(home, key)));
    await expect(readFile(path.join(back, 'config', 'secret'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses a target that holds keys (exit 1, nothing written), and replaces it with --force', async () => {
    const keys = prefix();
    const inRedis = createRedisStore(client, { prefix: keys });
    await inRedis.append('data/usage/2026-11-30.jsonl', '{"requestId":"from another deployment"}\n');
    const refused = await fails(['--to-redis', redis.url, '--prefix', keys]);
    expect(refused).toEqual({ code: 1, message: `${redis.url} (prefix ${keys}) already holds 1 key: refusing to merge into it (stop its gateways and give --force to replace them)` });
    expect(await inRedis.list('')).toEqual(['data/usage/2026-11-30.jsonl']);

    const forced = JSON.parse((await ok(['--to-redis', redis.url, '--prefix', keys, '--force', '--json'])).stdout);
    expect(forced).toMatchObject({ direction: 'to-redis', removed: 1, lines: LINES, skipped: ['config/secret'] });
    expect(await inRedis.get('data/usage/2026-11-30.jsonl')).toBe(await readFile(path.join(home, 'data/usage/2026-11-30.jsonl'), 'utf8'));

    // Back into a home that holds data: refused the same way, and its files untouched.
    const refusedHome = await fails(['--from-redis', redis.url, '--prefix', keys]);
    expect(refusedHome).toEqual({ code: 1, message: `${home} already holds 4 keys: refusing to merge into it (stop its gateways and give --force to replace them)` });
  });

  it('takes the home and the prefix from ROUTERLY_HOME and ROUTERLY_REDIS_PREFIX, as the gateway does', async () => {
    const keys = prefix();
    const other = path.join(user.home, 'elsewhere');
    await mkdir(path.join(other, 'config'), { recursive: true });
    await writeFile(path.join(other, 'config', 'settings.json'), '{}\n');
    const answer = JSON.parse((await ok(['--to-redis', redis.url, '--json'], { ROUTERLY_HOME: other, ROUTERLY_REDIS_PREFIX: keys })).stdout);
    expect(answer).toMatchObject({ home: other, prefix: keys, documents: 1, logs: 0, skipped: [] });
    expect(await createRedisStore(client, { prefix: keys }).get('config/settings.json')).toBe('{}\n');
    await rm(other, { recursive: true, force: true });
  });

  it('says what is wrong in one line, with the documented exit code', async () => {
    expect(await fails([])).toEqual({ code: 2, message: 'give one of --to-redis <url> and --from-redis <url>' });
    expect((await fails(['--to-redis', redis.url, '--from-redis', redis.url])).code).toBe(2);
    expect(await fails(['--to-redis', 'http://127.0.0.1:6379'])).toEqual({ code: 2, message: 'not a Redis URL: http: (redis://host:6379 or rediss://...)' });
    expect(await fails(['--to-redis', 'redis://'])).toEqual({ code: 2, message: 'the Redis URL has no host (redis://host:6379)' });
    const missing = path.join(user.home, 'no-such-home');
    expect(await fails(['--to-redis', redis.url, '--home', missing])).toEqual({ code: 4, message: `${missing} is not a folder: nothing to migrate (give --home, or set ROUTERLY_HOME)` });
    const empty = prefix();
    expect(await fails(['--from-redis', redis.url, '--prefix', empty, '--home', missing])).toEqual({
      code: 4,
      message: `${redis.url} (prefix ${empty}) holds no Routerly store: nothing to migrate (check the URL and --prefix)`,
    });

    // Nothing listens on a port just freed: the failure names it, never the URL's password.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const unreachable = await fails(['--to-redis', `redis://:hunter2@127.0.0.1:${port}`]);
    expect(unreachable).toEqual({ code: 1, message: `cannot reach Redis at redis://:***@127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}` });
  });
});
