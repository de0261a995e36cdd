import type { Counters } from './counters/port.js';
import type { UpstreamSend } from './http/upstream.js';
import type { Store } from './store.js';
import type { ByteChunks } from './http/chunks.js';
import type { ClientPresence } from './http/client-presence.js';
import type { HeaderReader } from './http/header-fields.js';

/** Structured log sink. Messages never carry provider keys or tokens. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Gateway-wide settings an adapter may set (for example from environment variables). */
export interface GatewaySettings {
  /** Request bodies larger than this are refused with 413. Default 32 MiB. */
  maxBodyBytes?: number;
  /** Lifetime of a dashboard/API session JWT, in seconds. Default 3600. */
  sessionTtlSeconds?: number;
  /**
   * How long in-memory config may be served before it is re-read from the store, in ms.
   * Unset (the default) means never: right for a single process that makes every write itself.
   * Runtimes with many isolates sharing one store (Workers) set it so that writes made
   * elsewhere are seen within that time.
   */
  configRefreshMs?: number;
  /**
   * How long the config in memory may keep serving once re-reading it fails (a Redis gone away),
   * in ms. Past it the gateway answers 503 (`/health` too, so that a load balancer takes the
   * node out) until a re-read succeeds: a token revoked on another node must not keep working
   * here for good. Unset: served for as long as the store fails.
   */
  configMaxStaleMs?: number;
  /**
   * The largest non-streamed answer a provider may send, in bytes (default 64 MiB). Past it
   * the upstream call is aborted and the client gets a 502: one runaway answer must not take
   * the gateway's memory with it.
   */
  maxUpstreamBodyBytes?: number;
  /** The largest single event of a provider's stream, in bytes (default 8 MiB); the same applies. */
  maxUpstreamEventBytes?: number;
  /**
   * Durable usage: a call's record is stored (appended and, on Node, fsynced) before its
   * client receives the last byte of the answer. Off (the default), records gather for 25 ms
   * and are written in one batch after the answer, so a crash (kill -9) can lose the records
   * of calls that finished in roughly the last 25–60 ms; see the README for what this costs.
   */
  durableUsage?: boolean;
  /**
   * Take the client address (which login throttling counts by) from the last entry of
   * `X-Forwarded-For`, the one the reverse proxy in front of the gateway appended, instead of
   * RequestContext.clientAddress. Only for a gateway reachable solely through one such proxy:
   * otherwise clients can pick their own address and escape the throttle. Default false.
   */
  trustProxy?: boolean;
}

/**
 * One finished proxied call, as `GatewayDeps.onCall` receives it: what a console line or a log
 * collector needs, and nothing secret (no token, key, header or prompt text).
 */
export interface CallEvent {
  /** When the call started (ISO 8601). */
  ts: string;
  requestId: string;
  projectId: string;
  /** The project's name, as configured when the call came in. */
  projectName?: string;
  /** The API path the client called (`/v1/chat/completions`). */
  endpoint: string;
  /** The gateway model that served; the last one tried when none did; the requested name when none was tried. */
  model: string;
  stream: boolean;
  /**
   * The call's status, as its usage record has it: the one the client got when an attempt
   * answered (for a stream, the one it started with); for a failure the provider's status or the
   * gateway's error status (499 when the client left before any answer).
   */
  status: number;
  /** `ok`, or why the call did not complete: `upstream_error`, `timeout`, `client_aborted`, `budget_exceeded`, … */
  outcome: string;
  /** From the call's arrival to its end (for a stream, to its last byte). */
  latencyMs: number;
  /** Upstream attempts made, failed ones included: 0 for a call refused before any (budget, rate limit). */
  attempts: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** Files of the built dashboard, as a runtime provides them (a folder on Node, the assets binding on Workers). */
export interface StaticAssets {
  /**
   * The file at `path`, relative to the dashboard's root (`index.html`, `assets/app-3f2a1c.js`), or null.
   * The body is typed through Response rather than as BodyInit, which only the DOM lib declares: an
   * embedding app compiled with Node's types alone must be able to read this declaration.
   */
  get(path: string): Promise<{ body: ConstructorParameters<typeof Response>[0]; contentType?: string } | null>;
}

/**
 * How gateways that share one store keep their in-memory config in step (GatewayDeps.configChanges):
 * several nodes on one Redis. Config is read on every request from memory, so a change made
 * through one node must reach the others' memory, and two nodes must not write it at once from
 * memories that differ (the second would undo the first's change).
 */
export interface ConfigChanges {
  /**
   * Runs `write` while no other gateway sharing the store runs one (a lock across nodes); rejects,
   * and runs nothing, when the lock cannot be had. Each config change runs in it: it re-reads the
   * stored config, changes it, stores it and publishes.
   */
  exclusive<T>(write: () => Promise<T>): Promise<T>;
  /** Tells the other gateways that config changed, once the change is stored. */
  publish(): Promise<void>;
  /**
   * `onChange` is called when another gateway published, and whenever a notice may have been
   * missed (the channel was down): the gateway then re-reads its config from the store.
   */
  subscribe(onChange: () => void): void;
}

/** Everything that differs between runtimes, handed in by an adapter. */
export interface GatewayDeps {
  store: Store;
  /** The built dashboard, served at /dashboard; without it /dashboard answers 404 saying so. */
  assets?: StaticAssets;
  /**
   * Where budgets, reservations, rate limits and login throttling count. Default: this
   * process's memory (exact for one process). Workers pass a Durable Object, so that every
   * isolate counts in one place.
   */
  counters?: Counters;
  /**
   * Names this gateway instance in what it writes that others may write too (its usage rollup
   * documents). Default: a random id per instance.
   */
  instanceId?: string;
  /**
   * Where several gateways share the store (nodes on one Redis): config changes are made under a
   * lock across them and announced, and each re-reads its config on the others' notices. Set
   * `settings.configRefreshMs` too, as the backstop for a lost notice. Without it, this gateway
   * assumes it makes every config write itself (or re-reads by `configRefreshMs` alone).
   */
  configChanges?: ConfigChanges;
  /** Master secret: encrypts provider keys at rest and signs session tokens. At least 32 characters. */
  secret: string;
  settings?: GatewaySettings;
  /** Outbound fetch used for every upstream call (unless `upstream` is given). Defaults to the global fetch. */
  fetch?: typeof fetch;
  /**
   * The runtime's native sender for proxied calls and model tests, whose answers need not be a
   * WHATWG Response (the Node adapter reads its own HTTP/1.1 client's answers directly). Without it they go out through
   * `fetch`. The `llm` routing judge always uses `fetch`.
   */
  upstream?: UpstreamSend;
  /** Milliseconds since the epoch. Defaults to Date.now. */
  now?: () => number;
  logger?: Logger;
  /**
   * Told once per finished proxied call, after its last attempt (for a stream, once the stream
   * ended): the server's console prints one line per call from it. Called synchronously on the
   * request's path, so it must be quick; what it throws (or a promise it returns rejects with)
   * is logged and otherwise ignored. Without it no event is built.
   */
  onCall?: (event: CallEvent) => void;
  /** Keeps background work (usage recording) alive after the response is sent, where the runtime needs it. */
  waitUntil?: (promise: Promise<unknown>) => void;
  /**
   * Loads an exact tokenizer for OpenAI models (o200k_base), used by count_tokens. Called on
   * first use, so its megabytes of ranks cost nothing until needed. Without it OpenAI models
   * are estimated like every other non-Anthropic model (src/ir/token-estimate.ts).
   */
  loadOpenAITokenizer?: () => Promise<CountTextTokens>;
}

/**
 * Tokens in a piece of text, by some model family's tokenizer. A tokenizer whose cost can
 * grow past a few milliseconds on one text (a BPE tokenizer on a long run without spaces)
 * also offers `inSlices`: the same count in installments, each a bounded amount of work, so
 * the gateway yields to the event loop between them (src/ir/token-estimate.ts countInputTokens).
 */
export interface CountTextTokens {
  (text: string): number;
  /** Partial counts that sum to the count, each costing at most a few milliseconds. */
  inSlices?: (text: string) => Iterable<number>;
}

/** Per-request context an adapter may pass, e.g. the Workers ExecutionContext. */
export interface RequestContext {
  waitUntil?: (promise: Promise<unknown>) => void;
  /**
   * The client's IP address as the runtime saw it (Node: the socket's remoteAddress; Workers:
   * CF-Connecting-IP). Login throttling counts by it; without it, it can only throttle per account.
   */
  clientAddress?: string;
  /**
   * Whether the client is still there (src/http/client-presence.ts). Given by an adapter that can
   * tell without `request.signal` (Node: the response's close event); otherwise the request's
   * signal is asked, when a call first needs to know.
   */
  client?: ClientPresence;
  /**
   * Makes a streamed answer's body of its chunks, in the form this runtime's server writes
   * fastest. Default: a ReadableStream pulling one chunk per read (readableStreamOf). The Node
   * adapter's server gives @hono/node-server an object shaped like the part of a ReadableStream
   * it reads (adapters/node/stream-body.ts): on Node 20 a WHATWG stream and its per-chunk
   * promises cost about a tenth of a streamed call's CPU (measured side by side, with and without).
   */
  streamBody?: (chunks: ByteChunks) => ReadableStream<Uint8Array>;
  /**
   * Runs work that changes nothing the client gets (reading the usage off a forwarded answer,
   * the usage record, settling the budget reservation, the model's stats) once the answer has been
   * handed to the server, so that it is not part of the call's latency. Default: at once, before
   * the answer is returned, which a runtime that may end a request with its response needs
   * (Workers). Node's server runs it when this turn's writes are done (adapters/node/listen.ts).
   * Durable usage never waits for it: its record is stored before the answer goes out.
   */
  afterResponse?: (task: () => void) => void;
  /**
   * Reads the whole body of a request that declared its Content-Length (a proxied call's),
   * `length` bytes, the way this runtime does it fastest. Default: request.arrayBuffer(). The Node adapter's server
   * reads it straight from node:http's request (adapters/node/request-body.ts): a body that came
   * with its headers is all there once they are handled, and @hono/node-server's own read goes
   * through four listeners and two ticks of a Readable for it.
   */
  readBody?: (length: number) => Promise<Uint8Array>;
  /**
   * The request's headers, read by name, when the runtime has a cheaper view of them than
   * `request.headers`. Default: request.headers. The Node adapter's server reads node:http's raw
   * fields (adapters/node/raw-headers.ts): @hono/node-server builds a WHATWG Headers of every
   * field for the first one asked, about 0.4 µs a field on Node 20, and an SDK sends a dozen.
   */
  headers?: HeaderReader;
}

export interface Gateway {
  fetch(request: Request, context?: RequestContext): Promise<Response>;
  /**
   * Settles once keys are derived and config is loaded; rejects with the reason when that
   * failed (a short secret, a corrupt config file). Adapters that can refuse to start await it.
   */
  ready(): Promise<void>;
  /** Writes out buffered usage records; adapters call it before shutting down. */
  flush(): Promise<void>;
}
