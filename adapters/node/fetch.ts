import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { classifyHost, hostRefusal, type AddressClass, type AddressRules } from '../../src/config/base-url.js';

export interface NodeFetchOptions {
  maxSockets?: number;
  /**
   * Also refuse loopback, private and link-local addresses (the stored setting of the same
   * name; a function is asked at each call and connection, so it can follow that setting).
   * Cloud metadata endpoints are refused regardless. Default false.
   */
  forbidPrivateAddresses?: boolean | (() => boolean);
  /** The resolver behind the address check; dns.lookup by default (tests inject their own). */
  resolve?: Resolver;
}

/**
 * The outbound `fetch` the Node adapter hands the gateway: node:http(s) with keep-alive
 * agents, the same transport a hand-written Node proxy uses. Node's global fetch (undici)
 * builds a Request, a body stream and abort plumbing per call and writes the body apart
 * from the headers; on the proxy's hot path that was a fifth of the gateway's CPU.
 *
 * It covers what the gateway sends (a string or no body, `signal`, no redirects followed,
 * no content decoding: the gateway asks for none) and defers anything else to the global fetch.
 *
 * It refuses to connect to a cloud metadata endpoint (src/config/base-url.ts), and with
 * `forbidPrivateAddresses` to loopback, private and link-local addresses: by the URL's host
 * (a literal address or a known name) before each call, and by every address DNS answers for
 * a name when a connection is opened (the agents' `lookup`). So a model stored before these
 * rules, or a name whose DNS answer changes after it was checked (rebinding), cannot reach
 * one either, and a reused keep-alive connection costs nothing extra.
 */
export function createNodeFetch(options: NodeFetchOptions = {}, transport: NodeTransport = nodeTransport(options)): typeof fetch {
  const { agents, lookup, refusalOf } = transport;
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const refused = url.protocol === 'http:' || url.protocol === 'https:' ? refusalOf(url.hostname) : undefined;
    if (refused !== undefined) return Promise.reject(new ForbiddenAddressError(`refused to connect: ${refused}`));
    const body = init?.body;
    if ((body !== undefined && body !== null && typeof body !== 'string') || input instanceof Request || !(url.protocol in agents)) {
      // The global fetch does its own DNS: check the name's addresses first (a rebinding
      // between the two goes unseen here; the gateway itself never sends such calls).
      if (!(url.protocol in agents)) return fetch(input, init);
      return checkResolved(lookup, url.hostname).then(() => fetch(input, init));
    }
    return new Promise<Response>((resolve, reject) => {
      const signal = init?.signal ?? undefined;
      if (signal?.aborted) return reject(signal.reason);
      const headers: Record<string, string> = {};
      new Headers(init?.headers).forEach((value, name) => (headers[name] = value));
      if (typeof body === 'string') headers['content-length'] = String(Buffer.byteLength(body));

      const protocol = url.protocol as keyof typeof agents;
      const request = (protocol === 'https:' ? https : http).request(url, {
        method: init?.method ?? 'GET',
        headers,
        agent: agents[protocol],
        signal,
      });
      request.once('error', reject);
      request.once('response', (response) => {
        if (isSmallWholeBody(response)) {
          // A short JSON answer is read whole right away by the gateway anyway: collecting it
          // here spares a web stream per call. The request's errors still reject until then.
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.once('end', () => resolve(webResponse(response, Buffer.concat(chunks) as Uint8Array<ArrayBuffer>)));
          response.once('error', reject);
          response.once('aborted', () => reject(new Error('the upstream connection closed early')));
          return;
        }
        // After this the request's errors (an abort, a reset) surface through the body stream.
        request.off('error', reject);
        request.on('error', () => undefined);
        resolve(toWebResponse(response));
      });
      request.end(body ?? undefined);
    });
  };
}

/** The keep-alive agents and address checks a Node fetch and upstream sender share (one connection pool). */
export interface NodeTransport {
  agents: { 'http:': http.Agent; 'https:': https.Agent };
  lookup: LookupFunction;
  /** Why a call to `hostname` is refused (by its name or literal address), or undefined. */
  refusalOf(hostname: string): string | undefined;
}

export function nodeTransport(options: NodeFetchOptions = {}): NodeTransport {
  const forbid = options.forbidPrivateAddresses;
  const rules = (): AddressRules => ({ forbidPrivateAddresses: typeof forbid === 'function' ? forbid() : forbid === true });
  const lookup = guardedLookup(rules, options.resolve);
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 256, scheduling: 'lifo' as const, lookup };
  const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };
  // The class of each host seen recently, and the refusal of each that is not public under each
  // setting: one or two Map reads per call (a private provider, Ollama on localhost, is common).
  const classes = new Map<string, AddressClass>();
  const refusals = [new Map<string, string | null>(), new Map<string, string | null>()];
  const refusalOf = (hostname: string): string | undefined => {
    let verdict = classes.get(hostname);
    if (verdict === undefined) {
      if (classes.size >= 1024) classes.clear();
      verdict = classifyHost(hostname);
      classes.set(hostname, verdict);
    }
    if (verdict === 'public') return undefined;
    const current = rules();
    const cache = refusals[current.forbidPrivateAddresses ? 1 : 0]!;
    let refusal = cache.get(hostname);
    if (refusal === undefined) {
      if (cache.size >= 1024) cache.clear();
      refusal = hostRefusal(hostname, current) ?? null;
      cache.set(hostname, refusal);
    }
    return refusal ?? undefined;
  };
  return { agents, lookup, refusalOf };
}

/** A call refused because of where it would connect (a cloud metadata endpoint, a private address). */
export class ForbiddenAddressError extends Error {
  readonly code = 'ERR_ROUTERLY_FORBIDDEN_ADDRESS';
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenAddressError';
  }
}

/** dns.lookup with `all: true`: every address of a name. */
export type Resolver = (
  hostname: string,
  options: dns.LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
) => void;

const systemResolver: Resolver = (hostname, options, callback) => dns.lookup(hostname, options, callback);

/**
 * A `lookup` for sockets (net.connect, http.Agent) that resolves every address of the name
 * and fails the connection if any of them is refused by `rules`, or the name itself is.
 * Node calls it for each new connection to a name (never for a literal address), so the
 * addresses checked are the ones connected to.
 */
export function guardedLookup(rulesOrGetter: AddressRules | (() => AddressRules), resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    const rules = typeof rulesOrGetter === 'function' ? rulesOrGetter() : rulesOrGetter;
    const fail = (error: NodeJS.ErrnoException) => callback(error, options.all ? [] : '');
    const named = hostRefusal(hostname, rules);
    if (named !== undefined) {
      process.nextTick(fail, new ForbiddenAddressError(`refused to connect: ${named}`));
      return;
    }
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return fail(error);
      for (const { address } of addresses) {
        const refused = hostRefusal(address, rules);
        if (refused !== undefined) return fail(new ForbiddenAddressError(`refused to connect to ${hostname}: its address ${refused}`));
      }
      const first = addresses[0];
      if (first === undefined) return fail(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }));
      if (options.all) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

/** Runs `lookup` on a URL hostname (a literal address needs none: the caller checked it). */
function checkResolved(lookup: LookupFunction, hostname: string): Promise<void> {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) !== 0) return Promise.resolve();
  return new Promise((resolve, reject) => lookup(host, { all: true }, (error) => (error ? reject(error) : resolve())));
}

/** Bodies up to this size with a declared length and no event stream are handed over whole. */
const WHOLE_BODY_LIMIT = 256 * 1024;

function isSmallWholeBody(response: http.IncomingMessage): boolean {
  const length = Number(response.headers['content-length']);
  const type = response.headers['content-type'] ?? '';
  return Number.isInteger(length) && length <= WHOLE_BODY_LIMIT && !type.startsWith('text/event-stream');
}

function responseHeaders(response: http.IncomingMessage): Headers {
  const headers = new Headers();
  const raw = response.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return headers;
}

function webResponse(response: http.IncomingMessage, body: Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array> | null): Response {
  const status = response.statusCode ?? 502;
  return new Response(NULL_BODY.has(status) ? null : body, { status, statusText: response.statusMessage, headers: responseHeaders(response) });
}

/** Statuses whose Response may not carry a body. */
const NULL_BODY = new Set([101, 204, 205, 304]);

function toWebResponse(response: http.IncomingMessage): Response {
  if (NULL_BODY.has(response.statusCode ?? 502)) {
    response.resume();
    return webResponse(response, null);
  }
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let settled = false;
        const fail = (error: Error) => {
          if (settled) return;
          settled = true;
          controller.error(error);
        };
        response.on('data', (chunk: Buffer) => {
          if (settled) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          // Backpressure: stop reading the socket until the consumer pulls again.
          if ((controller.desiredSize ?? 1) <= 0) response.pause();
        });
        response.once('end', () => {
          if (settled) return;
          settled = true;
          controller.close();
        });
        response.once('error', fail);
        // A connection cut before the end must fail the body, not end it quietly.
        response.once('aborted', () => fail(new Error('the upstream connection closed early')));
      },
      pull() {
        response.resume();
      },
      cancel() {
        response.destroy();
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
  return webResponse(response, body);
}
