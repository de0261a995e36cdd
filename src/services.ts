import type { ConfigState } from './config/state.js';
import type { Counters } from './counters/port.js';
import type { CallEvent, CountTextTokens, Logger } from './deps.js';
import type { UpstreamSend } from './http/upstream.js';
import type { AuditLog, AuditNote } from './management/audit-log.js';
import type { Store } from './store.js';
import type { GatewayMetrics } from './metrics/gateway-metrics.js';
import type { Limits } from './limits/call-limits.js';
import type { Judge } from './routing/judge.js';
import type { ModelStatsTable } from './routing/stats.js';
import type { UsageRecorder } from './usage/recorder.js';

/** What route handlers share, built once by createGateway. */
export interface Services {
  store: Store;
  /** Budgets, reservations, rate limits and login throttling (GatewayDeps.counters). */
  counters: Counters;
  /** GatewayDeps.instanceId, or a random one. */
  instanceId: string;
  /** GatewayDeps.instanceId when the adapter named this node (the routing trace says which node served); else undefined. */
  node: string | undefined;
  config: ConfigState;
  usage: UsageRecorder;
  /** The management API's audit log (data/audit/), flushed by Gateway.flush. */
  audit: AuditLog;
  /** Outbound fetch, for the calls that are not proxied (the `llm` routing judge's). */
  fetch: typeof fetch;
  /** Every proxied call and model test goes out through this (GatewayDeps.upstream, or one over GatewayDeps.fetch). */
  upstream: UpstreamSend;
  now: () => number;
  logger: Logger;
  maxBodyBytes: number;
  /** GatewaySettings.durableUsage: records are stored before the client's last byte. */
  durableUsage: boolean;
  /** Caps on what a provider may send: a whole non-streamed answer, and one stream event. */
  upstreamLimits: { bodyBytes: number; eventBytes: number };
  sessionTtlSeconds: number;
  encryptionKey: CryptoKey;
  signingKey: Uint8Array<ArrayBuffer>;
  /** Makes each cookie session's CSRF token (management/session-cookie.ts). */
  csrfKey: CryptoKey;
  /** Live per-model statistics the routing policies read (per process, per isolate on Workers). */
  stats: ModelStatsTable;
  /** The `llm` routing policy's judge, with its cache of picks. */
  judge: Judge;
  metrics: GatewayMetrics;
  /** Budgets and rate limits: admission, reservations and settling, through `counters`. */
  limits: Limits;
  /** GatewaySettings.trustProxy: take the client address from X-Forwarded-For. Unset: false. */
  trustProxy?: boolean;
  /** GatewayDeps.onCall, as given: call it through `reportCall` (proxy/context.ts), which keeps its errors off the request. */
  onCall?: (event: CallEvent) => void;
  /** The OpenAI tokenizer, loaded once on first use; undefined when the adapter gives none. */
  openAITokenizer?: () => Promise<CountTextTokens>;
}

/** Hono's environment for every route: per-request bindings the gateway passes in. */
export interface AppEnv {
  /** `clientAddress`: RequestContext.clientAddress, as the adapter gave it (or not). */
  Bindings: { waitUntil: (promise: Promise<unknown>) => void; clientAddress?: string };
  /**
   * Set by requirePermission for a signed-in user (`userEmail` for the audit log; `session`:
   * the token and whether it came as a bearer token or in the session cookie); `auditNote` by
   * handlers, for the audit entry of a write (management/audit.ts).
   */
  Variables: { userId: string; role: string; userEmail: string; session: { token: string; via: 'bearer' | 'cookie' }; auditNote?: AuditNote };
}
