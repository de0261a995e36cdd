import { Hono } from 'hono';
import { ConfigState } from './config/state.js';
import { memoryCounters } from './counters/memory.js';
import { randomId } from './crypto/encoding.js';
import { deriveKeys } from './crypto/keys.js';
import type { Gateway, GatewayDeps, Logger, RequestContext } from './deps.js';
import { errorResponse, GatewayError, toGatewayError, type ErrorFormat } from './errors.js';
import { DEFAULT_MAX_BODY_BYTES } from './http/body.js';
import { AuditLog } from './management/audit-log.js';
import { dashboardRoutes } from './dashboard/serve.js';
import { managementApi } from './management/index.js';
import { metricsHandlers } from './management/metrics-route.js';
import { fetchUpstream } from './http/upstream.js';
import { guardOutboundFetch, guardUpstream } from './proxy/outbound-guard.js';
import { handleProxy } from './proxy/handler.js';
import { directProxyEndpoint, proxyApi } from './proxy/routes.js';
import type { AppEnv, Services } from './services.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import type { SpendHistory } from './limits/budgets.js';
import { Limits } from './limits/call-limits.js';
import { chargedSince } from './usage/summary.js';
import { Judge } from './routing/judge.js';
import { ModelStatsTable } from './routing/stats.js';
import { DEFAULT_UPSTREAM_LIMITS } from './proxy/upstream.js';
import { DEFAULT_BATCH_WINDOW_MS, UsageRecorder } from './usage/recorder.js';

const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** Errors answer in the format of the API the client called. */
function formatFor(path: string): ErrorFormat {
  if (path.startsWith('/v1/messages')) return 'anthropic';
  if (path.startsWith('/v1/')) return 'openai';
  return 'api';
}

/**
 * Builds the gateway from what the runtime provides. Keys are derived and config loaded
 * once, in the background; requests that arrive first wait for it, and if it fails every
 * request (/health included) answers 503 in its API's error format.
 */
export function createGateway(deps: GatewayDeps): Gateway {
  const logger = deps.logger ?? silentLogger;
  const now = deps.now ?? Date.now;
  const outboundFetch = deps.fetch ?? ((input, init) => fetch(input, init));
  const defaultWaitUntil = deps.waitUntil ?? ((promise: Promise<unknown>) => void promise.catch(() => undefined));
  const durableUsage = deps.settings?.durableUsage === true;
  const maxStaleMs = deps.settings?.configMaxStaleMs;
  // Durable: no gathering window, each record goes out at once (same-tick records still share a write).
  // One id for everything this instance writes that others may write too (its rollup documents).
  const instanceId = deps.instanceId ?? randomId('gw');
  const usage = new UsageRecorder(deps.store, logger, durableUsage ? 0 : DEFAULT_BATCH_WINDOW_MS, { instanceId, background: deps.waitUntil, durable: durableUsage });
  const stats = new ModelStatsTable(now);
  const counters = deps.counters ?? memoryCounters();
  const audit = new AuditLog(deps.store, logger);

  const ready: Promise<{ app: Hono<AppEnv>; config: ConfigState; services: Services }> = (async () => {
    const keys = await deriveKeys(deps.secret);
    // With configChanges (nodes sharing a store), other nodes' changes arrive as notices; configRefreshMs is the backstop.
    const config = new ConfigState(deps.store, keys.encryption, { now, refreshMs: deps.settings?.configRefreshMs, logger, ...(deps.configChanges ? { changes: deps.configChanges } : {}) });
    await config.load();
    // Every upstream call, the judge's included, goes through the address rules of the stored settings.
    const forbidPrivate = () => config.snapshot.settings.forbidPrivateAddresses === true;
    const guardedFetch = guardOutboundFetch(outboundFetch, forbidPrivate, logger);
    const upstream = guardUpstream(deps.upstream ?? fetchUpstream(outboundFetch), forbidPrivate, logger);
    const services: Services = {
      store: deps.store,
      counters,
      instanceId,
      node: deps.instanceId,
      config,
      usage,
      audit,
      fetch: guardedFetch,
      upstream,
      now,
      logger,
      maxBodyBytes: deps.settings?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      durableUsage,
      trustProxy: deps.settings?.trustProxy ?? false,
      upstreamLimits: {
        bodyBytes: deps.settings?.maxUpstreamBodyBytes ?? DEFAULT_UPSTREAM_LIMITS.bodyBytes,
        eventBytes: deps.settings?.maxUpstreamEventBytes ?? DEFAULT_UPSTREAM_LIMITS.eventBytes,
      },
      sessionTtlSeconds: deps.settings?.sessionTtlSeconds ?? 3600,
      stats,
      judge: new Judge({ fetch: guardedFetch, now, logger }),
      metrics: new GatewayMetrics(stats, now),
      limits: new Limits(counters, spendHistory(deps.store, usage, logger), logger, now),
      encryptionKey: keys.encryption,
      signingKey: keys.signing,
      csrfKey: keys.csrf,
      ...(deps.loadOpenAITokenizer ? { openAITokenizer: once(deps.loadOpenAITokenizer) } : {}),
      ...(deps.onCall ? { onCall: deps.onCall } : {}),
    };
    const app = new Hono<AppEnv>();
    app.get('/health', (c) => c.json({ status: 'ok' }));
    app.route('/', dashboardRoutes(deps.assets));
    app.get('/metrics', ...metricsHandlers(services));
    app.route('/api', managementApi(services));
    app.route('/', proxyApi(services));
    app.notFound((c) => errorResponse(new GatewayError('not_found', `no route ${c.req.method} ${c.req.path}`), formatFor(c.req.path)));
    app.onError((error, c) => {
      const gatewayError = toGatewayError(error);
      if (gatewayError.code === 'internal') logger.error('unhandled error', { path: c.req.path, error: String(error) });
      return errorResponse(gatewayError, formatFor(c.req.path));
    });
    return { app, config, services };
  })();
  ready.catch((error: unknown) => logger.error('gateway failed to start', { error: String(error) }));
  // Once started, a call does not wait a microtask turn on `ready` for what it already knows.
  let running: Awaited<typeof ready> | undefined;
  ready.then(
    (started) => (running = started),
    () => undefined,
  );

  return {
    async fetch(request: Request, context?: RequestContext): Promise<Response> {
      let started = running;
      if (!started) {
        try {
          started = await ready;
        } catch {
          const path = new URL(request.url).pathname;
          return errorResponse(new GatewayError('not_ready', 'the gateway failed to start: see its log'), formatFor(path));
        }
      }
      const waitUntil = context?.waitUntil ?? defaultWaitUntil;
      started.config.refreshIfStale(waitUntil);
      if (maxStaleMs !== undefined && started.config.failingFor(now()) > maxStaleMs) {
        const path = new URL(request.url).pathname;
        if (path === '/health') return Response.json({ status: 'stale', reason: 'the config store has not answered for too long' }, { status: 503 });
        return errorResponse(new GatewayError('not_ready', `the config store has not answered for more than ${maxStaleMs} ms: this node stops serving until it does`, { headers: { 'retry-after': '1' } }), formatFor(path));
      }
      // A proxied call, the hot path, goes straight to its handler (see directProxyEndpoint).
      const endpoint = directProxyEndpoint(request.method, request.url);
      if (endpoint) return handleProxy(request, endpoint, started.services, waitUntil, context);
      return started.app.fetch(request, context?.clientAddress === undefined ? { waitUntil } : { waitUntil, clientAddress: context.clientAddress });
    },
    ready: () => ready.then(() => undefined),
    // Usage and the audit log both write off the request path: a shutdown waits for both.
    flush: async () => {
      await Promise.all([usage.flush(), audit.flush()]);
    },
  };
}

/**
 * Where budgets warm a period's spend from when the counters start empty (a restart on Node):
 * the usage rollups, after writing out the records still gathering, so none is missed.
 */
function spendHistory(store: GatewayDeps['store'], usage: UsageRecorder, logger: Logger): SpendHistory {
  return {
    async chargedBetween(scope, from) {
      await usage.flush();
      // No `to`: the window runs to now, read whole from the coarsest documents.
      const charged = await chargedSince(store, { ...scope, from }, logger);
      return { nanoUsd: charged.nanoUsd, tokens: charged.tokens };
    },
  };
}

/** Runs `load` the first time it is asked for and shares that promise; a failed load is retried next time. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
