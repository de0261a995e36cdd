/**
 * Cloudflare Workers entry point: builds deps from the Worker's bindings and hands every request
 * to the gateway. Only Web APIs and Workers bindings here; all behaviour lives in the core.
 */
import { createGateway, type Gateway, type Logger } from '../../src/index.js';
import { ConfigError, gatewaySettingsFromEnv, secretFromEnv } from '../shared/settings.js';
import { createKvStore, type KVNamespaceLike } from '../../storage/kv.js';
import { assetsFromBinding, type AssetsBindingLike } from './assets.js';
import { durableObjectCounters, type DurableObjectNamespaceLike } from './counters-object.js';

/** wrangler.toml binds ROUTERLY_COUNTERS to this class: it must be exported from the entry point. */
export { RouterlyCounters } from './counters-object.js';

// Bindings and context are typed structurally rather than with workers-types' globals, so this file
// also type-checks where it is imported from Node-typed code (test/workers wraps it).

/** The bindings wrangler.toml and `wrangler secret put` provide. Vars arrive as strings. */
interface Env {
  ROUTERLY_KV: KVNamespaceLike;
  /** The Durable Object budgets, rate limits and login throttling count in, across every isolate. */
  ROUTERLY_COUNTERS: DurableObjectNamespaceLike;
  /** The built dashboard (wrangler.toml `[assets]`); without it /dashboard answers 404 saying it is not built. */
  ASSETS?: AssetsBindingLike;
  ROUTERLY_SECRET?: string;
  /** How soon writes made by other isolates are seen, in ms. Default 10 000. */
  ROUTERLY_CONFIG_REFRESH_MS?: string;
  ROUTERLY_MAX_BODY_BYTES?: string;
  ROUTERLY_MAX_UPSTREAM_BODY_BYTES?: string;
  ROUTERLY_MAX_UPSTREAM_EVENT_BYTES?: string;
  ROUTERLY_SESSION_TTL_SECONDS?: string;
  ROUTERLY_DURABLE_USAGE?: string;
}

/** The part of the Workers ExecutionContext the gateway needs. */
interface WorkerContext {
  waitUntil(promise: Promise<unknown>): void;
}

/** Many isolates share one KV namespace, so each re-reads config this often (see GatewaySettings). */
const DEFAULT_CONFIG_REFRESH_MS = 10_000;

/** One JSON line per entry: what `wrangler tail` and Workers Logs show. */
const consoleLogger: Logger = {
  info: (message, fields) => console.log(JSON.stringify({ level: 'info', message, ...fields })),
  warn: (message, fields) => console.warn(JSON.stringify({ level: 'warn', message, ...fields })),
  error: (message, fields) => console.error(JSON.stringify({ level: 'error', message, ...fields })),
};

function buildGateway(env: Env, now: (() => number) | undefined): Gateway {
  const secret = secretFromEnv(env);
  if (secret === undefined) {
    throw new ConfigError('ROUTERLY_SECRET is not set: run `wrangler secret put ROUTERLY_SECRET` (locally: put it in .dev.vars)');
  }
  if (!env.ROUTERLY_COUNTERS) {
    throw new ConfigError('ROUTERLY_COUNTERS is not bound: copy the [[durable_objects.bindings]] and [[migrations]] sections of wrangler.toml in the repository');
  }
  // One reading of the variables for every adapter. X-Forwarded-For is the client's own to write
  // on Workers (Cloudflare's address is CF-Connecting-IP, used below), so trustProxy is not taken.
  const { trustProxy: _ignored, ...settings } = gatewaySettingsFromEnv(env);
  settings.configRefreshMs ??= DEFAULT_CONFIG_REFRESH_MS;
  return createGateway({
    store: createKvStore(env.ROUTERLY_KV),
    counters: durableObjectCounters(env.ROUTERLY_COUNTERS),
    ...(env.ASSETS ? { assets: assetsFromBinding(env.ASSETS) } : {}),
    secret,
    settings,
    logger: consoleLogger,
    ...(now ? { now } : {}),
  });
}

export interface WorkerOptions {
  /** The gateway's clock; defaults to Date.now. Tests move it to cross budget periods. */
  now?: () => number;
}

/** The Worker's handler; the default export is this with the defaults. */
export function createWorker(options: WorkerOptions = {}) {
  /** Built on the first request and kept for the isolate's life: bindings do not change within an isolate. */
  let gateway: Gateway | undefined;
  return {
    async fetch(request: Request, env: Env, ctx: WorkerContext): Promise<Response> {
      try {
        gateway ??= buildGateway(env, options.now);
      } catch (error) {
        // A misconfigured deployment answers every request with the reason rather than crashing the isolate.
        const message = error instanceof ConfigError ? error.message : 'the gateway could not be created: see the Worker logs';
        if (!(error instanceof ConfigError)) consoleLogger.error('gateway creation failed', { error: String(error) });
        return Response.json({ error: { code: 'misconfigured', message } }, { status: 500 });
      }
      // Cloudflare sets CF-Connecting-IP itself; a client cannot choose it. Login throttling counts by it.
      return gateway.fetch(request, { waitUntil: ctx.waitUntil.bind(ctx), clientAddress: request.headers.get('cf-connecting-ip') ?? undefined });
    },
  };
}

export default createWorker();
