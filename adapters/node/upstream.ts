import { HeaderFields, type ByteChunks, type ChunkRead, type UpstreamAnswer, type UpstreamSend } from '../../src/index.js';
import { ForbiddenAddressError, nodeTransport, type NodeFetchOptions, type NodeTransport } from './fetch.js';
import { Http1Pool, type ExchangeHandler } from './http1-pool.js';
import type { ResponseFields } from './http1-response.js';

/**
 * The Node adapter's upstream sender (GatewayDeps.upstream): one keep-alive pool per provider
 * origin (http1-pool.ts), and each call dispatched with a handler that receives the answer's
 * status, header fields and body chunks as they arrive. Nothing per call is a stream, a
 * ClientRequest, an IncomingMessage or a WHATWG object.
 *
 * The same address rules as the node:http fetch: a URL's host is judged before each call, and
 * every address a name resolves to when a connection opens (the transport's `lookup`).
 * Cancelling aborts the call (and its connection) only when it happens.
 */
export function createNodeUpstream(options: NodeFetchOptions = {}, transport: NodeTransport = nodeTransport(options)): UpstreamSend {
  const { lookup, refusalOf } = transport;
  const pools = new Map<string, Http1Pool>();
  const connections = options.maxSockets ?? 256;
  return (request, control) => {
    let parsed: Target;
    try {
      // The origin and path of a URL: parsed once per URL (a model's endpoint), not per call.
      parsed = targets.get(request.url) ?? target(request.url);
    } catch (error) {
      return Promise.reject(error);
    }
    const refused = refusalOf(parsed.hostname);
    if (refused !== undefined) return Promise.reject(new ForbiddenAddressError(`refused to connect: ${refused}`));
    let pool = pools.get(parsed.origin);
    if (!pool) {
      // No timeouts of its own: the core times every call (connect, total, idle) and says which ran out.
      pool = new Http1Pool(parsed.url, { connections, lookup });
      pools.set(parsed.origin, pool);
    }
    const dispatcher = pool;
    const headers = request.headers instanceof HeaderFields ? request.headers.record : toRecord(request.headers);
    return new Promise<UpstreamAnswer>((resolve, reject) => {
      const answer = new DispatchedAnswer(resolve, reject);
      control.onCancel((reason) => answer.abort(reason));
      dispatcher.dispatch({ path: parsed.path, headers, body: request.body }, answer);
    });
  };
}

/** A URL as a dispatch takes it. */
interface Target {
  url: URL;
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
  const parsed = { url, origin: url.origin, path: `${url.pathname}${url.search}`, hostname: url.hostname };
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
/** A refusal's unread body of a declared length up to this is drained, keeping its keep-alive connection; any other is cut. */
const DRAIN_LIMIT = 64 * 1024;
/** How long a drained body may take to arrive before its connection is cut after all. */
const DRAIN_MS = 1000;

function view(chunk: Buffer): Uint8Array<ArrayBuffer> {
  return new Uint8Array(chunk.buffer as ArrayBuffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * One call: the pool's handler (onStart, onHeaders … onComplete or onError) and the UpstreamAnswer the
 * core reads, in one object. Before `chunks()` or `bytes()` is asked for, chunks wait in `queue`.
 */
class DispatchedAnswer implements UpstreamAnswer, ExchangeHandler {
  status = 0;
  private fields: ResponseFields | undefined;
  /** The client's abort for this call, from onStart; a cancel before it is held in `failure`. */
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
  /** Cuts a drain that stalls: a server that stops mid-body does not keep the connection forever. */
  private drainTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly resolveSend: (answer: UpstreamAnswer) => void,
    private readonly rejectSend: (error: Error) => void,
  ) {}

  // The client's handler

  onStart(abort: (reason: Error) => void): void {
    if (this.failure) abort(this.failure);
    else this.abortDispatch = abort;
  }

  onHeaders(status: number, fields: ResponseFields, resume: () => void): void {
    this.status = status;
    this.fields = fields;
    this.resumeDispatch = resume;
    this.resolveSend(this);
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
    if (this.drainTimer !== undefined) clearTimeout(this.drainTimer);
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
    if (this.drainTimer !== undefined) clearTimeout(this.drainTimer);
    if (this.status === 0) {
      this.failure ??= error;
      this.rejectSend(this.failure);
      return;
    }
    if (this.complete) return;
    this.fail(this.failure ?? error);
  }

  // UpstreamAnswer

  header(name: string): string | null {
    return this.fields === undefined ? null : this.fields.get(name);
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
    const declared = this.header('content-length');
    // Only a body of a small declared length is worth its connection; a chunked one may run on.
    if (declared !== null && /^\d{1,5}$/.test(declared) && Number(declared) <= DRAIN_LIMIT) {
      // Read to the end and dropped: the connection goes back to the pool.
      this.discarding = true;
      this.queue.length = 0;
      this.queued = 0;
      this.drainTimer = setTimeout(() => this.abort(new Error('the answer was let go')), DRAIN_MS).unref();
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
