import { randomBytes } from 'node:crypto';
import { mkdir, open, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadOrCreateSecret } from '../shared/secret.js';

/**
 * What `npm start` needs before it can serve, read from the environment and checked up front,
 * so that every configuration mistake ends the process with one line naming what to fix
 * (see `describeStartupError`) instead of a stack trace or a server that fails later.
 */

/** A configuration mistake. Its message is the whole story: one line, naming the variable or file. */
export class StartupError extends Error {
  override name = 'StartupError';
}

export interface NodeStartConfig {
  home: string;
  host: string;
  port: number;
  /** The variable the port came from (`ROUTERLY_PORT` also when it is the default), for messages. */
  portVariable: 'ROUTERLY_PORT' | 'PORT';
  /** ROUTERLY_SECRET when set; otherwise the secret file under `home` is used. */
  secretFromEnv?: string;
  graceMs: number;
  maxBodyBytes?: number;
  sessionTtlSeconds?: number;
  maxUpstreamBodyBytes?: number;
  maxUpstreamEventBytes?: number;
  durableUsage: boolean;
  trustProxy: boolean;
}

export const MIN_SECRET_LENGTH = 32;
/** setTimeout's ceiling: a longer grace would silently become 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

type Env = Record<string, string | undefined>;

/** An environment value as shown in a message: quoted, escaped onto one line, and short. */
function shown(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

/** A decimal whole number within [min, max], or undefined when unset or empty (which means "the default"). */
function wholeNumber(env: Env, name: string, min: number, max: number, what: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const text = raw.trim();
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new StartupError(`${name} must be ${what}, got ${shown(raw)}`);
  }
  return value;
}

/** A yes/no variable: `1`/`true`/`yes` or `0`/`false`/`no` (unset or empty: no). */
function flag(env: Env, name: string): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return false;
  if (['1', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  throw new StartupError(`${name} must be true or false, got ${shown(env[name]!)}`);
}

/** Reads and checks every variable `npm start` uses. Throws a StartupError on the first mistake. */
export function readStartConfig(env: Env): NodeStartConfig {
  const home = path.resolve(env.ROUTERLY_HOME || path.join(os.homedir(), '.routerly'));
  const portWhat = 'a port number from 0 to 65535';
  const routerlyPort = wholeNumber(env, 'ROUTERLY_PORT', 0, 65535, portWhat);
  const plainPort = routerlyPort === undefined ? wholeNumber(env, 'PORT', 0, 65535, portWhat) : undefined;
  const secretFromEnv = env.ROUTERLY_SECRET || undefined;
  if (secretFromEnv !== undefined && secretFromEnv.length < MIN_SECRET_LENGTH) {
    throw new StartupError(`ROUTERLY_SECRET must be at least ${MIN_SECRET_LENGTH} characters, it has ${secretFromEnv.length}`);
  }
  return {
    home,
    host: env.ROUTERLY_HOST || '127.0.0.1',
    port: routerlyPort ?? plainPort ?? 3000,
    portVariable: routerlyPort === undefined && plainPort !== undefined ? 'PORT' : 'ROUTERLY_PORT',
    secretFromEnv,
    graceMs: wholeNumber(env, 'ROUTERLY_SHUTDOWN_GRACE_MS', 0, MAX_TIMER_MS, `a whole number of milliseconds from 0 to ${MAX_TIMER_MS}`) ?? 30_000,
    maxBodyBytes: wholeNumber(env, 'ROUTERLY_MAX_BODY_BYTES', 1, Number.MAX_SAFE_INTEGER, 'a whole number of bytes, at least 1'),
    sessionTtlSeconds: wholeNumber(env, 'ROUTERLY_SESSION_TTL_SECONDS', 1, Number.MAX_SAFE_INTEGER, 'a whole number of seconds, at least 1'),
    maxUpstreamBodyBytes: wholeNumber(env, 'ROUTERLY_MAX_UPSTREAM_BODY_BYTES', 1, Number.MAX_SAFE_INTEGER, 'a whole number of bytes, at least 1'),
    maxUpstreamEventBytes: wholeNumber(env, 'ROUTERLY_MAX_UPSTREAM_EVENT_BYTES', 1, Number.MAX_SAFE_INTEGER, 'a whole number of bytes, at least 1'),
    durableUsage: flag(env, 'ROUTERLY_DURABLE_USAGE'),
    trustProxy: flag(env, 'ROUTERLY_TRUST_PROXY'),
  };
}

/** An error's message on one line. */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
}

/**
 * Creates ROUTERLY_HOME if needed and proves the gateway can write where it will write
 * (the home, and its config/, data/ and data/usage/ folders where they exist), so a
 * read-only or foreign-owned folder stops the start instead of failing the first change.
 */
export async function prepareHome(home: string): Promise<void> {
  try {
    await mkdir(home, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new StartupError(`ROUTERLY_HOME ${home} cannot be created: ${oneLine(error)}`);
  }
  for (const folder of [home, path.join(home, 'config'), path.join(home, 'data'), path.join(home, 'data', 'usage')]) {
    // Named like the file store's temp files (a leading dot), which no key can address.
    const probe = path.join(folder, `.write-check.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const handle = await open(probe, 'wx', 0o600);
      await handle.close();
      await unlink(probe);
    } catch (error) {
      // A subfolder that does not exist yet is created by the store, inside the (writable) home.
      if (folder !== home && (error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      const { code } = error as NodeJS.ErrnoException;
      const why = code ? `cannot create files in ${folder} (${code})` : oneLine(error);
      throw new StartupError(`ROUTERLY_HOME ${home} is not writable: ${why}`);
    }
  }
}

/** ROUTERLY_SECRET, or the secret file under `home` (created on first start), checked for length. */
export async function loadSecret(config: Pick<NodeStartConfig, 'home' | 'secretFromEnv'>): Promise<string> {
  if (config.secretFromEnv !== undefined) return config.secretFromEnv;
  const file = path.join(config.home, 'config', 'secret');
  let secret: string;
  try {
    secret = await loadOrCreateSecret(config.home, undefined);
  } catch (error) {
    throw new StartupError(`the secret file ${file} cannot be read or created: ${oneLine(error)}`);
  }
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new StartupError(`the secret file ${file} must hold at least ${MIN_SECRET_LENGTH} characters, it holds ${secret.length}`);
  }
  return secret;
}

/**
 * The one line printed when the start fails: a StartupError as is, a failed listen naming
 * ROUTERLY_PORT or ROUTERLY_HOST, a bad config file with its full path, anything else on one line.
 */
export function describeStartupError(error: unknown, config?: NodeStartConfig): string {
  if (error instanceof StartupError) return error.message;
  const { code, syscall } = (error ?? {}) as NodeJS.ErrnoException;
  if (config && syscall === 'listen') {
    const where = `${config.host}:${config.port}`;
    const port = `${config.portVariable} ${config.port}`;
    if (code === 'EADDRINUSE') return `${port}: ${where} is already in use by another process`;
    if (code === 'EACCES') return `${port}: permission denied to listen on ${where} (ports below 1024 need privileges)`;
    if (code === 'EADDRNOTAVAIL') return `ROUTERLY_HOST ${shown(config.host)} is not an address of this machine`;
    return `cannot listen on ${where} (${config.portVariable}, ROUTERLY_HOST): ${oneLine(error)}`;
  }
  if (config && syscall === 'getaddrinfo') return `ROUTERLY_HOST ${shown(config.host)} does not resolve to an address (${code})`;
  const message = oneLine(error);
  // The gateway names config files relative to the home ("config/models.json is not valid JSON").
  if (config && message.startsWith('config/')) return `${config.home}${path.sep}${message}`;
  return message;
}
