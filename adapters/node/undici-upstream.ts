import { Pool, type Dispatcher } from 'undici';
import { HeaderFields, type ByteChunks, type ChunkRead, type UpstreamAnswer, type UpstreamSend } from '../../src/index.js';
import { ForbiddenAddressError, nodeTransport, type NodeFetchOptions, type NodeTransport } from './fetch.js';

/**
 * The Node adapter's upstream sender (GatewayDeps.upstream) on undici's dispatcher: one keep-alive
 * Pool per provider origin, and each call dispatched with a handler that receives the answer's
 * status, raw headers and body chunks as they arrive. Nothing per call is a stream, a
 * ClientRequest, an IncomingMessage or a WHATWG object: measured in the bench against a node:http
 * sender (http.request on keep-alive agents, which it replaced) and a fetch, it took about a
 * quarter off the gateway's CPU per non-streamed call and a third per streamed one.
 *
 * The same address rules as the node:http sender: a URL's host is judged before each call, and
 * every address a name resolves to when a connection opens (the transport's `lookup`).
 * Cancelling aborts the dispatch (and its connection) only when it happens.
 */
export function createUndiciUpstream(options: NodeFetchOptions = {}, transport: NodeTransport = nodeTransport(options)): UpstreamSend {
  const { lookup, refusalOf } = transport;
  const pools = new Map<string, Pool>();
  const connections = options.maxSockets ?? 256;
  return (request, control) => {
    let origin: string;
    let path: string;
    let hostname: string;
    try {
      // The origin and path of a URL: parsed once per URL (a model's endpoint), not per call.
      const cached = targets.get(request.url) ?? target(request.url);
      ({ origin, path, hostname } = cached);
    } catch (error) {
      return Promise.reject(error);
    }
    const refused = refusalOf(hostname);
    if (refused !== undefined) return Promise.reject(new ForbiddenAddressError(`refused to connect: ${refused}`));
    let pool = pools.get(origin);
    if (!pool) {
      // No undici timeouts: the core times every call (connect, total, idle) and says which ran out.
      pool = new Pool(origin, { connections, pipelining: 1, headersTimeout: 0, bodyTimeout: 0, connect: { lookup } });
      pools.set(origin, pool);
    }
    const dispatcher = pool;
    const headers = request.headers instanceof HeaderFields ? request.headers.record : toRecord(request.headers);
    return new Promise<UpstreamAnswer>((resolve, reject) => {
      const answer = new DispatchedAnswer(resolve, reject);
      control.onCancel((reason) => answer.abort(reason));
      dispatcher.dispatch({ origin, path, method: 'POST', headers, body: request.body }, answer);
    });
  };
}

/** A URL as a dispatch takes it. */
interface Target {
  origin: string;
  path: string;
  hostname: string;
}

/** Every sender of the process shares it: a gateway calls a few endpoints per model. */
const targets = new Map<string, Target>();
const TARGET_CACHE_LIMIT = 1024;

function target(raw: string): Target {
  const url = new URL(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`cannot send to ${url.protocol} URLs`);
  const parsed = { origin: url.origin, path: `${url.pathname}${url.search}`, hostname: url.hostname };
  if (targets.size >= TARGET_CACHE_LIMIT) targets.clear();
  targets.set(raw, parsed);
  return parsed;
}

function toRecord(headers: { forEach(callback: (value: string, name: string) => void): void }): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => (record[name] = value));
  return record;
}

/** Statuses whose answers carry no body. */
const NULL_BODY = new Set([101, 204, 205, 304]);
/** Bytes of a stream read ahead of the relay before the connection is paused. */
const STREAM_HIGH_WATER = 64 * 1024;
/** A refusal's unread body up to this size is drained, keeping its keep-alive connection; a larger one is cut. */
const DRAIN_LIMIT = 64 * 1024;

/** Whether a raw field name is `name` (lower-case), its ASCII letters compared without case as field names are (RFC 9110 5.1). */
function isFieldName(raw: Buffer, name: string): boolean {
  if (raw.length !== name.length) return false;
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i]!;
    if ((byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte) !== name.charCodeAt(i)) return false;
  }
  return true;
}

function view(chunk: Buffer): Uint8Array<ArrayBuffer> {
  return new Uint8Array(chunk.buffer as ArrayBuffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * One dispatch: undici's handler (onConnect … onComplete or onError) and the UpstreamAnswer the
 * core reads, in one object. Before `chunks()` or `bytes()` is asked for, chunks wait in `queue`.
 */
class DispatchedAnswer implements UpstreamAnswer, Dispatcher.DispatchHandler {
  status = 0;
  private rawHeaders: Buffer[] = [];
  /** undici's abort for this dispatch, from onConnect; a cancel before it is held in `failure`. */
  private abortDispatch: ((error: Error) => void) | undefined;
  private resumeDispatch: (() => void) | undefined;
  private failure: Error | undefined;
  private complete = false;
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private paused = false;
  /** The whole answer is read (`bytes`): its cap and what settles it. */
  private whole: { limit: number; resolve: (bytes: Uint8Array<ArrayBuffer> | null) => void; reject: (error: Error) => void } | undefined;
  /** A chunk read waiting for data. */
  private waiter: { resolve: (result: ChunkRead) => void; reject: (error: Error) => void } | undefined;
  /** Let go unread: the rest is drained, not kept. */
  private discarding = false;

  constructor(
    private readonly resolveSend: (answer: UpstreamAnswer) => void,
    private readonly rejectSend: (error: Error) => void,
  ) {}

  // undici's handler

  onConnect(abort: (error?: Error) => void): void {
    if (this.failure) abort(this.failure);
    else this.abortDispatch = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    this.status = statusCode;
    this.rawHeaders = rawHeaders;
    this.resumeDispatch = resume;
    this.resolveSend(this);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.discarding) return true;
    const whole = this.whole;
    if (whole) {
      this.queued += chunk.byteLength;
      if (this.queued > whole.limit) {
        this.whole = undefined;
        this.queue.length = 0;
        this.abort(new Error('the answer passed its cap'));
        whole.resolve(null);
        return false;
      }
      this.queue.push(chunk);
      return true;
    }
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter.resolve({ done: false, value: view(chunk) });
      return true;
    }
    this.queue.push(chunk);
    this.queued += chunk.byteLength;
    // Past the high-water mark the connection is no longer read: a slow client slows the provider's stream instead of filling memory.
    if (this.queued > STREAM_HIGH_WATER) this.paused = true;
    return !this.paused;
  }

  onComplete(): void {
    this.complete = true;
    const whole = this.whole;
    if (whole) {
      this.whole = undefined;
      whole.resolve(this.takeAll());
    }
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter.resolve({ done: true, value: undefined });
    }
  }

  onError(error: Error): void {
    if (this.status === 0) {
      this.failure ??= error;
      this.rejectSend(this.failure);
      return;
    }
    if (this.complete) return;
    this.fail(this.failure ?? error);
  }

  // UpstreamAnswer

  /**
   * Found where it is asked for, not from a map of them all: a provider's answer carries a dozen
   * or two headers (rate limits, tracing, cookies) and the gateway reads about eight names, most
   * of them absent, so only a header whose name matches is ever decoded. Repeated fields are
   * joined with ", " in the order they came (RFC 9110 5.3), as Headers joins them.
   */
  header(name: string): string | null {
    const raw = this.rawHeaders;
    let value: string | null = null;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      if (!isFieldName(raw[i]!, name)) continue;
      const next = raw[i + 1]!.toString('latin1');
      value = value === null ? next : `${value}, ${next}`;
    }
    return value;
  }

  bytes(limit: number): Promise<Uint8Array<ArrayBuffer> | null> {
    if (NULL_BODY.has(this.status)) {
      this.discarding = true;
      return Promise.resolve(new Uint8Array(0));
    }
    if (this.complete) return Promise.resolve(this.queued > limit ? null : this.takeAll());
    if (this.failure) return Promise.reject(this.failure);
    if (this.queued > limit) {
      this.abort(new Error('the answer passed its cap'));
      return Promise.resolve(null);
    }
    return new Promise((resolve, reject) => {
      this.whole = { limit, resolve, reject };
      this.unpause();
    });
  }

  chunks(): ByteChunks | null {
    if (NULL_BODY.has(this.status)) {
      this.discarding = true;
      return null;
    }
    return {
      read: () => {
        const next = this.queue.shift();
        if (next) {
          this.queued -= next.byteLength;
          if (this.queued <= STREAM_HIGH_WATER) this.unpause();
          return Promise.resolve({ done: false, value: view(next) });
        }
        if (this.failure) return Promise.reject(this.failure);
        if (this.complete) return Promise.resolve({ done: true, value: undefined });
        return new Promise<ChunkRead>((resolve, reject) => {
          this.waiter = { resolve, reject };
          this.unpause();
        });
      },
      cancel: () => {
        this.queue.length = 0;
        this.queued = 0;
        if (!this.complete) this.abort(new Error('the stream was cancelled'));
        return Promise.resolve();
      },
    };
  }

  cancel(): void {
    if (this.complete || this.failure) return;
    const length = Number(this.header('content-length'));
    if (Number.isInteger(length) && length <= DRAIN_LIMIT) {
      // Read to the end and dropped: the connection goes back to the pool.
      this.discarding = true;
      this.queue.length = 0;
      this.queued = 0;
      this.unpause();
      return;
    }
    this.abort(new Error('the answer was let go'));
  }

  /** The call was cancelled (a timeout, the client gone, a cap): the dispatch and its connection go. */
  abort(reason: Error): void {
    if (this.complete) return;
    if (this.status !== 0) this.fail(reason);
    else this.failure ??= reason;
    const abort = this.abortDispatch;
    this.abortDispatch = undefined;
    abort?.(reason);
  }

  private fail(error: Error): void {
    if (this.failure && this.failure !== error) return;
    this.failure = error;
    const whole = this.whole;
    this.whole = undefined;
    whole?.reject(error);
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(error);
  }

  private unpause(): void {
    if (!this.paused) return;
    this.paused = false;
    this.resumeDispatch?.();
  }

  private takeAll(): Uint8Array<ArrayBuffer> {
    const queue = this.queue;
    const chunk = queue.length === 1 ? queue[0]! : Buffer.concat(queue, this.queued);
    this.queue.length = 0;
    return view(chunk);
  }
}
