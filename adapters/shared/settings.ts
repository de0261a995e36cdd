import type { GatewaySettings } from '../../src/index.js';

/**
 * The environment variables every adapter reads, checked in one place: Node, Bun and Deno read
 * them from the process environment, the Workers entry from its bindings (vars arrive as
 * strings; a JSON var in wrangler.toml may be a number or a boolean). Pure: no runtime module,
 * so the Worker bundles it as is.
 *
 * Every mistake throws a ConfigError whose message is one line naming the variable and the
 * value it got, which each adapter shows as it shows errors (stderr, or a 500 on Workers).
 */

/** A configuration mistake. Its message is the whole story: one line, naming the variable or file. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * An environment: the process's, or a Worker's bindings (whose non-variable bindings are ignored
 * here). Any object, so a Worker's typed Env interface (which has no index signature) fits.
 */
export type EnvRecord = object;

function valueOf(env: EnvRecord, name: string): unknown {
  return (env as Readonly<Record<string, unknown>>)[name];
}

export const MIN_SECRET_LENGTH = 32;
/** setTimeout's ceiling: a longer grace would silently become 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** What a server (Node, Bun, Deno) needs before it can serve, besides the settings the gateway takes. */
export interface ServerConfig {
  /** ROUTERLY_HOME, or `<homeDir>/.routerly`; as given (the caller resolves it against its working directory). */
  home: string;
  host: string;
  port: number;
  /** The variable the port came from (`ROUTERLY_PORT` also when it is the default), for messages. */
  portVariable: 'ROUTERLY_PORT' | 'PORT';
  /** ROUTERLY_SECRET when set; otherwise the secret file under `home` is used. */
  secretFromEnv?: string;
  /** ROUTERLY_SHUTDOWN_GRACE_MS: how long requests in flight may run on after a stop signal. */
  graceMs: number;
  /** ROUTERLY_REDIS_URL and its companions: set, config, usage and counters live in Redis instead of files. */
  redis?: RedisConfig;
  settings: GatewaySettings;
}

/** What to do with a call whose budgets and rate limits cannot be counted because Redis is out of reach. */
export type CountersOnFailure = 'closed' | 'open';

/** Several nodes sharing one Redis (or Valkey): ROUTERLY_REDIS_URL, ROUTERLY_REDIS_PREFIX, ROUTERLY_REDIS_COUNTERS_ON_FAILURE. */
export interface RedisConfig {
  /** `redis://` or `rediss://` (TLS), as given: it may hold a password, so show it only through `redactedRedisUrl`. */
  url: string;
  /** Put before every Redis key (default `routerly:`): deployments sharing a server keep apart by it. */
  prefix: string;
  /** `closed` (default): such calls get a 503; `open`: they are served unchecked, and the outage is logged. */
  countersOnFailure: CountersOnFailure;
}

/** With Redis, other nodes' config changes arrive by pub/sub; this re-read is the backstop for a missed notice. */
export const REDIS_CONFIG_REFRESH_MS = 1000;
/** With Redis, how long a node cut off from it keeps serving the config it has (ROUTERLY_CONFIG_MAX_STALE_MS). */
export const REDIS_CONFIG_MAX_STALE_MS = 60_000;

/** A variable's text, or undefined when unset or blank (which means "the default"). */
function text(env: EnvRecord, name: string): string | undefined {
  const value = valueOf(env, name);
  const raw = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
  return raw === undefined || raw.trim() === '' ? undefined : raw;
}

/** An environment value as shown in a message: quoted, escaped onto one line, and short. */
export function shown(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

/** A decimal whole number within [min, max], or undefined when unset or blank. */
function wholeNumber(env: EnvRecord, name: string, min: number, max: number, what: string): number | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  const value = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || value < min || value > max) throw new ConfigError(`${name} must be ${what}, got ${shown(raw)}`);
  return value;
}

/** A yes/no variable: `1`/`true`/`yes` or `0`/`false`/`no` (unset or blank: no). */
function flag(env: EnvRecord, name: string): boolean {
  const raw = text(env, name);
  if (raw === undefined) return false;
  const value = raw.trim().toLowerCase();
  if (['1', 'true', 'yes'].includes(value)) return true;
  if (['0', 'false', 'no'].includes(value)) return false;
  throw new ConfigError(`${name} must be true or false, got ${shown(raw)}`);
}

const BYTES = 'a whole number of bytes, at least 1';

/** The gateway's settings from the environment; unset variables are left out (the core's defaults apply). */
export function gatewaySettingsFromEnv(env: EnvRecord): GatewaySettings {
  const settings: GatewaySettings = {};
  const numbers = {
    maxBodyBytes: wholeNumber(env, 'ROUTERLY_MAX_BODY_BYTES', 1, Number.MAX_SAFE_INTEGER, BYTES),
    sessionTtlSeconds: wholeNumber(env, 'ROUTERLY_SESSION_TTL_SECONDS', 1, Number.MAX_SAFE_INTEGER, 'a whole number of seconds, at least 1'),
    maxUpstreamBodyBytes: wholeNumber(env, 'ROUTERLY_MAX_UPSTREAM_BODY_BYTES', 1, Number.MAX_SAFE_INTEGER, BYTES),
    maxUpstreamEventBytes: wholeNumber(env, 'ROUTERLY_MAX_UPSTREAM_EVENT_BYTES', 1, Number.MAX_SAFE_INTEGER, BYTES),
    configRefreshMs: wholeNumber(env, 'ROUTERLY_CONFIG_REFRESH_MS', 0, MAX_TIMER_MS, `a whole number of milliseconds from 0 to ${MAX_TIMER_MS}`),
    configMaxStaleMs: wholeNumber(env, 'ROUTERLY_CONFIG_MAX_STALE_MS', 0, Number.MAX_SAFE_INTEGER, 'a whole number of milliseconds, at least 0'),
  };
  for (const [key, value] of Object.entries(numbers)) if (value !== undefined) settings[key as keyof typeof numbers] = value;
  if (flag(env, 'ROUTERLY_DURABLE_USAGE')) settings.durableUsage = true;
  if (flag(env, 'ROUTERLY_TRUST_PROXY')) settings.trustProxy = true;
  return settings;
}

/** ROUTERLY_SECRET when set, checked for length; undefined when unset or empty. */
export function secretFromEnv(env: EnvRecord): string | undefined {
  const value = valueOf(env, 'ROUTERLY_SECRET');
  if (typeof value !== 'string' || value === '') return undefined;
  if (value.length < MIN_SECRET_LENGTH) throw new ConfigError(`ROUTERLY_SECRET must be at least ${MIN_SECRET_LENGTH} characters, it has ${value.length}`);
  return value;
}

/**
 * Reads and checks every variable a server start uses. `homeDir` is the user's home folder (the
 * default ROUTERLY_HOME is `<homeDir>/.routerly`); without one, ROUTERLY_HOME must be set.
 * Throws a ConfigError on the first mistake.
 */
export function serverConfigFromEnv(env: EnvRecord, options: { homeDir: string | undefined }): ServerConfig {
  const portWhat = 'a port number from 0 to 65535';
  const routerlyPort = wholeNumber(env, 'ROUTERLY_PORT', 0, 65535, portWhat);
  const plainPort = routerlyPort === undefined ? wholeNumber(env, 'PORT', 0, 65535, portWhat) : undefined;
  const secret = secretFromEnv(env);
  const host = valueOf(env, 'ROUTERLY_HOST');
  const redis = redisConfigFromEnv(env);
  if (redis && secret === undefined) {
    // A secret generated per node would seal provider keys and sign sessions that no other node can open.
    throw new ConfigError('ROUTERLY_REDIS_URL is set but ROUTERLY_SECRET is not: every node sharing Redis needs the same ROUTERLY_SECRET (at least 32 characters)');
  }
  const settings = gatewaySettingsFromEnv(env);
  if (redis && settings.configRefreshMs === undefined) settings.configRefreshMs = REDIS_CONFIG_REFRESH_MS;
  if (redis && settings.configMaxStaleMs === undefined) settings.configMaxStaleMs = REDIS_CONFIG_MAX_STALE_MS;
  return {
    home: homeFolder(env, options.homeDir),
    host: typeof host === 'string' && host !== '' ? host : '127.0.0.1',
    port: routerlyPort ?? plainPort ?? 3000,
    portVariable: routerlyPort === undefined && plainPort !== undefined ? 'PORT' : 'ROUTERLY_PORT',
    ...(secret !== undefined ? { secretFromEnv: secret } : {}),
    graceMs: wholeNumber(env, 'ROUTERLY_SHUTDOWN_GRACE_MS', 0, MAX_TIMER_MS, `a whole number of milliseconds from 0 to ${MAX_TIMER_MS}`) ?? 30_000,
    ...(redis ? { redis } : {}),
    settings,
  };
}

/**
 * ROUTERLY_REDIS_URL with its prefix and failure policy, or undefined when it is unset (files).
 * The companions are checked even without the URL, so a typo is caught before the day it matters.
 */
export function redisConfigFromEnv(env: EnvRecord): RedisConfig | undefined {
  const policy = text(env, 'ROUTERLY_REDIS_COUNTERS_ON_FAILURE')?.trim().toLowerCase() ?? 'closed';
  if (policy !== 'closed' && policy !== 'open') {
    throw new ConfigError(`ROUTERLY_REDIS_COUNTERS_ON_FAILURE must be closed or open, got ${shown(text(env, 'ROUTERLY_REDIS_COUNTERS_ON_FAILURE')!)}`);
  }
  const prefix = text(env, 'ROUTERLY_REDIS_PREFIX') ?? 'routerly:';
  const url = text(env, 'ROUTERLY_REDIS_URL')?.trim();
  if (url === undefined) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') || parsed.hostname === '') {
    throw new ConfigError(`ROUTERLY_REDIS_URL must be a redis:// or rediss:// URL with a host, got ${shown(redactedRedisUrl(url))}`);
  }
  return { url, prefix, countersOnFailure: policy };
}

/** A Redis URL fit for a log or a message: its password (and a user name that may be one) replaced. */
export function redactedRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL: whatever sits between `//` and `@` may be a password.
    return url.replace(/\/\/[^/@]*@/, '//***@');
  }
}

/** ROUTERLY_HOME, or `.routerly` in the user's home folder (an empty ROUTERLY_HOME means the default, as for every variable). */
function homeFolder(env: EnvRecord, homeDir: string | undefined): string {
  const home = valueOf(env, 'ROUTERLY_HOME');
  if (typeof home === 'string' && home !== '') return home;
  if (homeDir === undefined || homeDir === '') throw new ConfigError('ROUTERLY_HOME is not set and there is no home folder to put .routerly in: set ROUTERLY_HOME');
  const separator = homeDir.includes('\\') && !homeDir.includes('/') ? '\\' : '/';
  return `${homeDir.replace(/[\\/]+$/, '')}${separator}.routerly`;
}
