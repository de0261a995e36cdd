import net, { type LookupFunction } from 'node:net';
import tls from 'node:tls';
import { ResponseParser, type ResponseEvents, type ResponseFields } from './http1-response.js';

/**
 * The Node adapter's HTTP/1.1 client for calls to providers: keep-alive connections to one
 * origin, each call written in one write and its answer read by http1-response.ts straight
 * from the socket's data. It replaced undici's Pool, whose request objects, queues, timers and
 * WebAssembly parser took about 17 µs of CPU a call under load (perf, bench round 14), for
 * what a gateway asks of a client: a POST of a string, one answer at a time per connection.
 *
 * Cancelling a call destroys its connection; a connection whose answer was read to its end
 * goes back to the pool, newest first, and is closed once idle past the server's Keep-Alive
 * timeout (less a second) or 4 seconds.
 */

/** What the client reports for one call, in order: onStart, then onHeaders, onData…, onComplete; or onError. */
export interface ExchangeHandler {
  /** The call is under way; `abort` ends it (and its connection), reported through onError. */
  onStart(abort: (reason: Error) => void): void;
  /** The final answer's head. `resume` restarts reading after onData asked to pause. */
  onHeaders(status: number, fields: ResponseFields, resume: () => void): void;
  /** A chunk of the body; false pauses the connection until `resume`. */
  onData(chunk: Buffer): boolean;
  onComplete(): void;
  onError(error: Error): void;
}

/** One call: always a POST of a string body. */
export interface PoolCall {
  path: string;
  /** Lower-case names. Host, Content-Length and the connection's own fields are the client's to write. */
  headers: Readonly<Record<string, string>>;
  body: string;
}

export interface Http1PoolOptions {
  /** Connections open at once; calls past them wait for one. */
  connections: number;
  /** Resolves the host when a connection opens (the address rules live there). */
  lookup: LookupFunction;
  /** Certificates to trust instead of Node's bundled ones (a private CA; NODE_EXTRA_CA_CERTS adds to them instead). */
  ca?: string | Buffer;
}

/** How long an idle connection is kept when the server gives no Keep-Alive timeout (undici's default). */
const DEFAULT_IDLE_MS = 4000;
/** Taken off a server's Keep-Alive timeout: a connection is not reused just as the server drops it. */
const IDLE_MARGIN_MS = 1000;

/** Header names the client writes itself, whatever the call's headers say. */
const OWN_FIELDS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'expect']);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
const ASCII_VALUE = /^[\t\x20-\x7e]*$/;
/** A field value: visible characters, spaces, tabs and obs-text, nothing that could end a line (RFC 9110 5.5). */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** One call on its way: waiting for a connection, or on one. */
class Call {
  connection: Connection | undefined;
  cancelled = false;

  constructor(
    /** Head and body, as written (UTF-8); or the head alone, as latin1, when `body` is apart. Let go once written. */
    public request: string,
    readonly handler: ExchangeHandler,
    /** The body, when a field value beyond ASCII made the head latin1 (field bytes are octets, the body UTF-8). */
    public body?: string,
  ) {}
}

export class Http1Pool {
  private readonly idle: Connection[] = [];
  private readonly waiting: Call[] = [];
  private open = 0;
  private sweeper: ReturnType<typeof setInterval> | undefined;
  /** The last TLS session, offered when a connection opens: a resumed handshake is much cheaper. */
  private session: Buffer | undefined;
  private readonly secure: boolean;
  private readonly host: string;
  private readonly port: number;
  /** The Host field: the URL's host, its port left out when it is the scheme's default. */
  private readonly hostField: string;

  constructor(
    origin: URL,
    private readonly options: Http1PoolOptions,
  ) {
    this.secure = origin.protocol === 'https:';
    // An IPv6 literal comes bracketed in a URL, and connects without.
    this.host = origin.hostname.startsWith('[') ? origin.hostname.slice(1, -1) : origin.hostname;
    this.port = origin.port === '' ? (this.secure ? 443 : 80) : Number(origin.port);
    this.hostField = origin.host;
  }

  /** Sends `request`; throws (synchronously) a TypeError for a header that cannot be written. */
  dispatch(request: PoolCall, handler: ExchangeHandler): void {
    const call = this.serialize(request, handler);
    handler.onStart((reason) => this.abort(call, reason));
    // Already cancelled (onStart aborted at once): nothing is sent.
    if (call.cancelled) return;
    const now = Date.now();
    for (;;) {
      const connection = this.idle.pop();
      if (connection === undefined) break;
      if (connection.idleUntil > now && connection.alive) return connection.send(call);
      connection.destroy();
    }
    if (this.open < this.options.connections) return this.connect().send(call);
    this.waiting.push(call);
  }

  /** Closes every idle connection; calls in flight finish. */
  close(): void {
    for (const connection of this.idle.splice(0)) connection.destroy();
    this.stopSweeping();
  }

  /** The call's bytes: usually one string, its head then its body. */
  private serialize(request: PoolCall, handler: ExchangeHandler): Call {
    let head = `POST ${request.path} HTTP/1.1\r\nhost: ${this.hostField}\r\n`;
    let ascii = true;
    const headers = request.headers;
    for (const name in headers) {
      if (OWN_FIELDS.has(name)) continue;
      const value = headers[name]!;
      if (!TOKEN.test(name)) throw new TypeError(`invalid header name ${JSON.stringify(name)}`);
      if (!ASCII_VALUE.test(value)) {
        if (!FIELD_VALUE.test(value)) throw new TypeError(`invalid value for header ${JSON.stringify(name)}`);
        ascii = false;
      }
      head += `${name}: ${value}\r\n`;
    }
    head += `content-length: ${Buffer.byteLength(request.body)}\r\n\r\n`;
    return ascii ? new Call(head + request.body, handler) : new Call(head, handler, request.body);
  }

  private connect(): Connection {
    const { host, port } = this;
    const socket = this.secure
      ? tls.connect({
          host,
          port,
          lookup: this.options.lookup,
          ...(net.isIP(host) === 0 ? { servername: host } : {}),
          ALPNProtocols: ['http/1.1'],
          ...(this.options.ca !== undefined ? { ca: this.options.ca } : {}),
          ...(this.session ? { session: this.session } : {}),
        })
      : net.connect({ host, port, lookup: this.options.lookup });
    // Counted once the socket exists: a connect that throws takes no slot.
    this.open++;
    socket.setNoDelay(true);
    if (this.secure) socket.on('session', (session: Buffer) => (this.session = session));
    return new Connection(this, socket);
  }

  private abort(call: Call, reason: Error): void {
    if (call.cancelled) return;
    call.cancelled = true;
    if (call.connection !== undefined) return call.connection.abort(call, reason);
    const index = this.waiting.indexOf(call);
    if (index !== -1) this.waiting.splice(index, 1);
    call.handler.onError(reason);
  }

  /** A connection finished its call and can carry another. */
  release(connection: Connection, idleMs: number): void {
    const next = this.waiting.shift();
    if (next !== undefined) return connection.send(next);
    connection.idleUntil = Date.now() + idleMs;
    this.idle.push(connection);
    this.sweeper ??= setInterval(() => this.sweep(), 1000).unref();
  }

  /** A connection closed: it is no longer counted, and a waiting call may open another. */
  forget(connection: Connection): void {
    this.open--;
    const index = this.idle.indexOf(connection);
    if (index !== -1) this.idle.splice(index, 1);
    const next = this.waiting.shift();
    if (next !== undefined) this.connect().send(next);
  }

  /** Closes the idle connections past their time. */
  private sweep(): void {
    const now = Date.now();
    for (let i = this.idle.length - 1; i >= 0; i--) {
      const connection = this.idle[i]!;
      if (connection.idleUntil <= now) connection.destroy();
    }
    if (this.idle.length === 0) this.stopSweeping();
  }

  private stopSweeping(): void {
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}

/** One keep-alive connection, carrying one call at a time. */
class Connection implements ResponseEvents {
  private readonly parser = new ResponseParser(this);
  private call: Call | undefined;
  /** The response ended during this read: the connection is released after it. */
  private ended = false;
  idleUntil = 0;

  constructor(
    private readonly pool: Http1Pool,
    private readonly socket: net.Socket,
  ) {
    socket.on('data', (data: Buffer) => this.read(data));
    // The server is done with the connection: no call may be written to it from now on ('close' follows).
    socket.on('end', () => this.socket.destroy());
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.onClose());
  }

  send(call: Call): void {
    call.connection = this;
    this.call = call;
    this.parser.reset();
    // An idle connection does not hold the process open (a server that has stopped can exit at once).
    this.socket.ref();
    const body = call.body;
    if (body === undefined) this.socket.write(call.request);
    else {
      // One writev: the head's bytes as latin1, the body's as UTF-8.
      this.socket.cork();
      this.socket.write(call.request, 'latin1');
      this.socket.write(body);
      this.socket.uncork();
      call.body = undefined;
    }
    call.request = '';
  }

  /** Whether a call can still be written to it (an idle connection may have been closed under it). */
  get alive(): boolean {
    return !this.socket.destroyed;
  }

  abort(call: Call, reason: Error): void {
    if (this.call === call) this.fail(reason);
  }

  destroy(): void {
    this.socket.destroy();
  }

  // ResponseEvents, from the parser

  head(status: number, fields: ResponseFields): void {
    const call = this.call;
    if (call === undefined) return;
    call.handler.onHeaders(status, fields, () => {
      if (this.call === call) this.socket.resume();
    });
  }

  body(chunk: Buffer): void {
    const call = this.call;
    if (call !== undefined && !call.handler.onData(chunk)) this.socket.pause();
  }

  end(): void {
    const call = this.call;
    // Failed already (aborted mid-read, say): its connection is gone, not to be released.
    if (call === undefined) return;
    this.call = undefined;
    this.ended = true;
    call.handler.onComplete();
  }

  private read(data: Buffer): void {
    if (this.call === undefined) {
      // Nothing was asked on this connection: a server talking out of turn is not trusted again.
      this.socket.destroy();
      return;
    }
    try {
      this.parser.feed(data);
    } catch (error) {
      this.ended = false;
      this.fail(error as Error);
      return;
    }
    if (!this.ended) return;
    this.ended = false;
    // The handler may have cut the connection while it completed.
    if (this.socket.destroyed) return;
    const seconds = this.parser.keepAliveSeconds;
    const idleMs = seconds === undefined ? DEFAULT_IDLE_MS : seconds * 1000 - IDLE_MARGIN_MS;
    if (!this.parser.reusable || idleMs <= 0) {
      this.socket.destroy();
      return;
    }
    if (this.socket.isPaused()) this.socket.resume();
    this.socket.unref();
    this.pool.release(this, idleMs);
  }

  /** The call in flight, if any, fails with `error`, and the connection goes. */
  private fail(error: Error): void {
    const call = this.call;
    this.call = undefined;
    this.socket.destroy();
    call?.handler.onError(error);
  }

  private onClose(): void {
    this.pool.forget(this);
    const call = this.call;
    if (call === undefined) return;
    try {
      // A body that runs to the close ends here; any other is cut short.
      this.parser.close();
    } catch (error) {
      this.call = undefined;
      call.handler.onError(error as Error);
    }
  }
}
