import http from 'node:http';
import https from 'node:https';
import { fetchUpstream, HeaderFields, type ChunkRead, type UpstreamAnswer, type UpstreamChunks, type UpstreamSend } from '../../src/index.js';
import { createNodeFetch, ForbiddenAddressError, nodeTransport, type NodeFetchOptions, type NodeTransport } from './fetch.js';

/**
 * The Node adapter's native upstream sender (GatewayDeps.upstream): node:http(s) on the same
 * keep-alive agents and address checks as createNodeFetch, with the answer read straight from
 * the IncomingMessage. No Response, Headers, body stream or AbortController is built: a whole
 * answer is gathered into one buffer under the cap, a stream is handed over chunk by chunk as the
 * relay pulls, and cancelling destroys the request (and with it the socket) only when it happens.
 */
export function createNodeUpstream(options: NodeFetchOptions = {}, transport: NodeTransport = nodeTransport(options)): UpstreamSend {
  const { agents, refusalOf } = transport;
  let other: UpstreamSend | undefined;
  const targets = new Map<string, Target>();
  return (request, control) => {
    let target = targets.get(request.url);
    if (target === undefined) {
      target = targetOf(request.url);
      if (targets.size >= TARGET_CACHE_LIMIT) targets.clear();
      targets.set(request.url, target);
    }
    const protocol = target.protocol;
    // Neither http nor https: whatever the Node fetch makes of it.
    if (protocol !== 'http:' && protocol !== 'https:') return (other ??= fetchUpstream(createNodeFetch(options, transport)))(request, control);
    const refused = refusalOf(target.hostname);
    if (refused !== undefined) return Promise.reject(new ForbiddenAddressError(`refused to connect: ${refused}`));
    let headers: Record<string, string>;
    if (request.headers instanceof HeaderFields) headers = { ...request.headers.record };
    else {
      headers = {};
      request.headers.forEach((value, name) => (headers[name] = value));
    }
    headers['content-length'] = String(Buffer.byteLength(request.body));
    return new Promise<UpstreamAnswer>((resolve, reject) => {
      const outgoing = (protocol === 'https:' ? https : http).request({
        protocol,
        hostname: target.requestHost,
        port: target.port,
        path: target.path,
        method: 'POST',
        headers,
        agent: agents[protocol],
      });
      let answer: IncomingAnswer | undefined;
      // For the whole call: before the answer an error rejects the send, after it it fails the body.
      outgoing.on('error', (error) => (answer ? answer.fail(error) : reject(error)));
      outgoing.once('response', (incoming) => {
        answer = new IncomingAnswer(outgoing, incoming);
        resolve(answer);
      });
      outgoing.end(request.body);
      control.onCancel((reason) => {
        if (answer) answer.abort(reason);
        else outgoing.destroy(reason);
      });
    });
  };
}

/** A call's URL as node:http takes it, parsed once per URL (a model's endpoint) rather than per call. */
interface Target {
  protocol: string;
  /** As the URL has it (IPv6 in brackets): what the address rules judge. */
  hostname: string;
  /** What node:http connects to: IPv6 without brackets (as its own URL conversion does). */
  requestHost: string;
  port: string;
  path: string;
}

/** A gateway calls a few endpoints per model: past this many, the cache starts over. */
const TARGET_CACHE_LIMIT = 1024;

function targetOf(raw: string): Target {
  const url = new URL(raw);
  const hostname = url.hostname;
  const requestHost = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  return { protocol: url.protocol, hostname, requestHost, port: url.port, path: `${url.pathname}${url.search}` };
}

/** Statuses whose answers carry no body. */
const NULL_BODY = new Set([101, 204, 205, 304]);
/** Bytes of a stream read ahead of the relay before the socket is paused (as the web stream the Node fetch builds). */
const STREAM_HIGH_WATER = 64 * 1024;
/** A refusal's unread body up to this size is drained, keeping its keep-alive connection; a larger one is cut. */
const DRAIN_LIMIT = 64 * 1024;

function closedEarly(): Error {
  return new Error('the upstream connection closed early');
}

/** Bytes of a Buffer as a plain Uint8Array view (no copy). */
function view(chunk: Buffer): Uint8Array<ArrayBuffer> {
  return new Uint8Array(chunk.buffer as ArrayBuffer, chunk.byteOffset, chunk.byteLength);
}

type Waiter = { resolve: (result: ChunkRead) => void; reject: (error: Error) => void };

class IncomingAnswer implements UpstreamAnswer {
  readonly status: number;
  /** Why the body can no longer be read (a broken connection, a cancelled call). */
  private failure: Error | undefined;
  /** Told of a failure while a read is pending. */
  private onFailure: ((error: Error) => void) | undefined;

  constructor(
    private readonly outgoing: http.ClientRequest,
    private readonly incoming: http.IncomingMessage,
  ) {
    this.status = incoming.statusCode ?? 502;
    incoming.on('error', (error) => this.fail(error));
    // A connection cut before the end must fail the body, not end it quietly.
    incoming.once('aborted', () => this.fail(closedEarly()));
    incoming.once('close', () => {
      if (!incoming.complete) this.fail(closedEarly());
    });
  }

  header(name: string): string | null {
    const value = this.incoming.headers[name];
    if (value === undefined) return null;
    return typeof value === 'string' ? value : value.join(', ');
  }

  fail(error: Error): void {
    if (this.failure || this.incoming.complete) return;
    this.failure = error;
    const told = this.onFailure;
    this.onFailure = undefined;
    told?.(error);
  }

  /** The call was cancelled: the connection goes, and a pending read fails at once. */
  abort(reason: Error): void {
    this.fail(reason);
    this.destroy();
  }

  private destroy(): void {
    // A whole answer has let its connection go back to the pool: nothing to cut.
    if (this.incoming.complete) return;
    this.outgoing.destroy();
    this.incoming.destroy();
  }

  bytes(limit: number): Promise<Uint8Array<ArrayBuffer> | null> {
    const incoming = this.incoming;
    if (NULL_BODY.has(this.status)) {
      incoming.resume();
      return Promise.resolve(new Uint8Array(0));
    }
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      this.onFailure = (error) => {
        settled = true;
        reject(error);
      };
      incoming.on('data', (chunk: Buffer) => {
        if (settled) return;
        size += chunk.byteLength;
        if (size > limit) {
          settled = true;
          this.onFailure = undefined;
          this.destroy();
          resolve(null);
          return;
        }
        chunks.push(chunk);
      });
      incoming.once('end', () => {
        if (settled) return;
        settled = true;
        this.onFailure = undefined;
        // Most answers arrive in one chunk: hand it over without a copy.
        resolve(chunks.length === 1 ? view(chunks[0]!) : view(Buffer.concat(chunks, size)));
      });
    });
  }

  chunks(): UpstreamChunks | null {
    const incoming = this.incoming;
    if (NULL_BODY.has(this.status)) {
      incoming.resume();
      return null;
    }
    // Chunks wait here until the relay reads them; past STREAM_HIGH_WATER bytes the socket is no
    // longer read, so a slow client slows the upstream read instead of filling memory.
    const queue: Buffer[] = [];
    let queued = 0;
    let paused = false;
    let ended = false;
    let waiter: Waiter | undefined;
    incoming.on('data', (chunk: Buffer) => {
      const pending = waiter;
      if (pending) {
        waiter = undefined;
        this.onFailure = undefined;
        pending.resolve({ done: false, value: view(chunk) });
        return;
      }
      queue.push(chunk);
      queued += chunk.byteLength;
      if (queued > STREAM_HIGH_WATER && !paused) {
        paused = true;
        incoming.pause();
      }
    });
    incoming.once('end', () => {
      ended = true;
      const pending = waiter;
      waiter = undefined;
      this.onFailure = undefined;
      pending?.resolve({ done: true, value: undefined });
    });
    const flow = () => {
      if (paused && queued <= STREAM_HIGH_WATER) {
        paused = false;
        incoming.resume();
      }
    };
    return {
      read: () => {
        const next = queue.shift();
        if (next) {
          queued -= next.byteLength;
          flow();
          return Promise.resolve({ done: false, value: view(next) });
        }
        if (this.failure) return Promise.reject(this.failure);
        if (ended) return Promise.resolve({ done: true, value: undefined });
        return new Promise((resolve, reject) => {
          waiter = { resolve, reject };
          this.onFailure = (error) => {
            waiter = undefined;
            reject(error);
          };
          flow();
        });
      },
      cancel: () => {
        queue.length = 0;
        if (!incoming.complete) this.abort(new Error('the stream was cancelled'));
        return Promise.resolve();
      },
    };
  }

  cancel(): void {
    const incoming = this.incoming;
    if (incoming.complete || this.failure) return;
    const length = Number(incoming.headers['content-length']);
    if (Number.isInteger(length) && length <= DRAIN_LIMIT) {
      incoming.resume();
      return;
    }
    this.abort(new Error('the answer was let go'));
  }
}
