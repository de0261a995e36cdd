import { stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import type { Store } from '../../src/store.js';
import { CliError, EXIT, notFound, usageError } from '../errors.js';
import { count, printFields, printJson, say } from '../output.js';

/**
 * `routerly migrate --to-redis <url>` / `--from-redis <url>`: moves a ROUTERLY_HOME into the Redis
 * store that several gateway nodes share (issue 13), or back into a folder. It opens both stores
 * itself (storage/files.ts, storage/redis/store.ts) and copies with storage/migrate.ts, which
 * refuses a non-empty target without --force and verifies the copy. No gateway is involved, and
 * none should be running on either side meanwhile (a running one would change the source under
 * the copy, which the verification then reports). The stores are loaded only here, so other
 * commands never load ioredis.
 */

const DEFAULT_PREFIX = 'routerly:';

interface MigrateOptions {
  toRedis?: string;
  fromRedis?: string;
  home?: string;
  prefix?: string;
  force?: boolean;
  json?: boolean;
}

/** --home, else ROUTERLY_HOME, else ~/.routerly: the folder `routerly start` would use. */
function homeOf(option: string | undefined): string {
  const fromEnv = process.env.ROUTERLY_HOME;
  if (option !== undefined) return path.resolve(option);
  if (fromEnv) return path.resolve(fromEnv);
  return path.join(os.homedir(), '.routerly');
}

/** A redis:// or rediss:// URL, checked before anything is opened (a usage error otherwise). */
function redisUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(`not a Redis URL: ${JSON.stringify(value)} (redis://host:6379 or rediss://...)`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw usageError(`not a Redis URL: ${url.protocol} (redis://host:6379 or rediss://...)`);
  if (url.hostname === '') throw usageError('the Redis URL has no host (redis://host:6379)');
  return url;
}

/** The URL as it may be shown: never its password. */
function shown(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password) copy.password = '***';
  return copy.href.replace(/\/$/, '');
}

export function migrateCommand(program: Command): void {
  program
    .command('migrate')
    .description("copy this machine's config and usage (ROUTERLY_HOME) into Redis for several gateway nodes, or back from Redis into a folder")
    .option('--to-redis <url>', 'copy the home into the Redis at this URL (redis://host:6379, rediss://user:password@host:6380/0)')
    .option('--from-redis <url>', 'copy the store in the Redis at this URL into the home')
    .option('--home <dir>', 'the home to copy from or into (ROUTERLY_HOME; default ~/.routerly)')
    .option('--prefix <prefix>', `the prefix of the Routerly keys in Redis, as the nodes use it (ROUTERLY_REDIS_PREFIX; default ${DEFAULT_PREFIX})`)
    .option('--force', 'replace what the target already holds (its keys are deleted first, never merged)')
    .option('--json', 'print the report as JSON, instead of a list')
    .addHelpText(
      'after',
      `
Stop the gateways on both sides first: a gateway writing to the source during the copy makes the
verification fail. The copy is verified (same keys, equal documents, equal log line counts) and the
source is left as it was. A target that already holds keys is refused unless --force.

The master secret (<home>/config/secret) is never copied into Redis. Provider keys are copied
encrypted as they are stored, so every node must run with the same ROUTERLY_SECRET.

Examples:
  routerly migrate --to-redis redis://127.0.0.1:6379
  routerly migrate --from-redis redis://127.0.0.1:6379 --home ./routerly-home`,
    )
    .action(async (options: MigrateOptions) => {
      if ((options.toRedis === undefined) === (options.fromRedis === undefined)) throw usageError('give one of --to-redis <url> and --from-redis <url>');
      const toRedis = options.toRedis !== undefined;
      const url = redisUrl((options.toRedis ?? options.fromRedis)!);
      const home = homeOf(options.home);
      // As the nodes read it: ROUTERLY_REDIS_PREFIX, an empty one meaning the default.
      const prefix = options.prefix ?? (process.env.ROUTERLY_REDIS_PREFIX || DEFAULT_PREFIX);
      if (toRedis && !(await isFolder(home))) throw notFound(`${home} is not a folder: nothing to migrate (give --home, or set ROUTERLY_HOME)`);

      const [{ createFileStore }, { createRedisClient, connectRedis }, { createRedisStore }, migrate] = await Promise.all([
        import('../../storage/files.js'),
        import('../../storage/redis/client.js'),
        import('../../storage/redis/store.js'),
        import('../../storage/migrate.js'),
      ]);
      // A copy sends batches of about a megabyte: give each more than the gateway's 2 s on a slow link.
      const client = createRedisClient(url.href, { commandTimeoutMs: 60_000 });
      // ioredis reports connection failures as events (and prints them when nobody listens); the last one says why.
      let connectionError: Error | undefined;
      client.on('error', (error: Error) => (connectionError = error));
      try {
        try {
          await connectRedis(client);
        } catch (error) {
          const why = connectionError ?? error;
          throw new CliError(`cannot reach Redis at ${shown(url)}: ${why instanceof Error ? why.message : String(why)}`, EXIT.failed);
        }
        const files = createFileStore(home);
        const redis = createRedisStore(client, { prefix });
        const [from, to]: [Store, Store] = toRedis ? [files, redis] : [redis, files];
        const source = toRedis ? home : `${shown(url)} (prefix ${prefix})`;
        const target = toRedis ? `${shown(url)} (prefix ${prefix})` : home;

        let report;
        try {
          report = await migrate.copyStore(from, to, { force: options.force, onKey: progress.show });
        } catch (error) {
          if (error instanceof migrate.SourceEmptyError) {
            throw notFound(toRedis ? `${home} holds no config or data: nothing to migrate (check --home)` : `${source} holds no Routerly store: nothing to migrate (check the URL and --prefix)`);
          }
          if (error instanceof migrate.TargetNotEmptyError) {
            throw new CliError(`${target} already holds ${error.keys} key${error.keys === 1 ? '' : 's'}: refusing to merge into it (stop its gateways and give --force to replace them)`, EXIT.failed);
          }
          if (error instanceof migrate.CopyVerificationError) throw new CliError(`copied into ${target}, but ${error.message}`, EXIT.failed);
          throw error;
        } finally {
          progress.clear();
        }

        const secretNote = toRedis
          ? `Provider keys were copied encrypted, as stored: start every node with ROUTERLY_SECRET set to the secret this home's gateway used (its ROUTERLY_SECRET, else the contents of ${path.join(home, 'config', 'secret')}); the secret itself was not copied.`
          : (await isFile(path.join(home, 'config', 'secret')))
            ? `Provider keys were copied encrypted, as stored: ${path.join(home, 'config', 'secret')} must hold the nodes' ROUTERLY_SECRET, or start the gateway here with ROUTERLY_SECRET set to it.`
            : `Provider keys were copied encrypted, as stored: start the gateway here with the nodes' ROUTERLY_SECRET (or write it to ${path.join(home, 'config', 'secret')}, mode 0600); without it a new secret would be made and the keys could not be decrypted.`;
        if (options.json) {
          printJson({
            direction: toRedis ? 'to-redis' : 'from-redis',
            home,
            redis: shown(url),
            prefix,
            ...report,
            verified: true,
            note: secretNote,
          });
          return;
        }
        say(`copied ${source} into ${target}`);
        printFields({
          documents: count(report.documents),
          logs: count(report.logs),
          'log lines': count(report.lines),
          bytes: count(report.bytes),
          replaced: report.removed > 0 ? `${count(report.removed)} keys the target held were deleted first (--force)` : undefined,
          'not copied': report.skipped.length > 0 ? `${report.skipped.join(', ')} (the master secret stays out of the store)` : undefined,
          verified: 'same keys on both sides, documents equal, logs with equal line counts',
        });
        say(`\n${secretNote}`);
        const samePrefix = prefix === DEFAULT_PREFIX ? '' : ` and ROUTERLY_REDIS_PREFIX=${prefix}`;
        say(toRedis ? `Then start the nodes with ROUTERLY_REDIS_URL=${shown(url)}${samePrefix}. ${home} was left as it was.` : 'The store in Redis was left as it was.');
      } finally {
        client.disconnect();
      }
    });
}

async function isFolder(folder: string): Promise<boolean> {
  return (await stat(folder).catch(() => undefined))?.isDirectory() ?? false;
}

async function isFile(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined))?.isFile() ?? false;
}

/** On a terminal, one line on stderr that says which log is being copied (a big one takes minutes); elsewhere nothing. */
const progress = {
  show({ key, kind, index, total }: { key: string; kind: string; index: number; total: number }): void {
    if (kind === 'log' && process.stderr.isTTY) process.stderr.write(`\r\x1b[Kcopying ${key} (${index + 1} of ${total})`);
  },
  clear(): void {
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  },
};
