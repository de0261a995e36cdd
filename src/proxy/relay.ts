import type { GatewayError } from '../errors.js';
import type { ByteChunks, ChunkRead } from '../http/chunks.js';
import type { StreamObserver } from '../providers/types.js';
import { SseParser, type SseEvent } from '../sse/parser.js';
import { Utf8Chunks } from '../sse/utf8-chunks.js';
import type { UpstreamCall } from './upstream.js';

export interface RelayHooks {
  observer: StreamObserver;
  idleMs: number;
  /** The event that tells the client its stream broke off, in its own format. */
  errorEvent(error: GatewayError): string;
  /** Durable usage: store the record before the chunk with the stream's last event goes out. */
  holdLastBytes?: boolean;
  /** The provider error the stream's first event reports, if it is one (Anthropic can answer 200, then `overloaded_error`). */
  startError(event: SseEvent): { status: number; message: string } | undefined;
  /**
   * Called once, however a started stream ends: `ok`, `upstream_error`, a timeout cause or
   * `client_aborted`. A promise it returns (durable usage) is awaited before the stream's
   * last bytes go to the client.
   */
  onEnd(outcome: string): Promise<void> | undefined;
}

/** How an upstream stream began: with a real first event (the client's stream), an error event, or nothing. */
export type RelayStart =
  | { kind: 'started'; chunks: ByteChunks }
  | { kind: 'refused'; status: number; message: string }
  | { kind: 'failed'; cause: string };

const encoder = new TextEncoder();

/**
 * Reads an upstream SSE body until its first event and judges it: nothing reaches the client
 * until the provider has answered 2xx and its first event is not an error, so until then the
 * call can still go to another model. Once started, each upstream chunk is sent on at once;
 * only when the observer may rewrite events does a partial event wait for its end.
 * The client's stream is pull-based chunks (the runtime makes a body of them:
 * RequestContext.streamBody), so a slow client slows the upstream read instead of filling
 * memory, and a client that goes away cancels the upstream request.
 */
export async function startRelay(reader: ByteChunks, call: UpstreamCall, hooks: RelayHooks): Promise<RelayStart> {
  const parser = new SseParser();
  const decoder = new Utf8Chunks();
  const idle = new IdleWatch(hooks.idleMs, () => call.abort('idle_timeout'));
  const giveUp = (): void => {
    idle.stop();
    call.finish();
    void reader.cancel().catch(() => undefined);
  };

  // What was read before the first whole event: sent on as it came once the stream is accepted.
  const head: Uint8Array[] = [];
  let events: SseEvent[] = [];
  while (events.length === 0) {
    let chunk: ChunkRead;
    idle.begin();
    try {
      chunk = await reader.read();
    } catch {
      idle.end();
      giveUp();
      return { kind: 'failed', cause: call.cause ?? 'upstream_error' };
    }
    idle.end();
    if (chunk.done) {
      giveUp();
      return { kind: 'failed', cause: 'empty_stream' };
    }
    head.push(chunk.value);
    events = parser.push(decoder.decode(chunk.value));
    if (parser.pendingLength > call.limits.eventBytes) {
      call.abort('too_large');
      giveUp();
      return { kind: 'failed', cause: 'too_large' };
    }
  }
  const refused = hooks.startError(events[0]!);
  if (refused) {
    call.abort('refused');
    giveUp();
    return { kind: 'refused', ...refused };
  }
  return { kind: 'started', chunks: new RelayedChunks(reader, parser, decoder, head, events, call, hooks, idle) };
}

/**
 * A stream's idle timeout: the provider may be silent for at most `ms` while the relay waits for
 * its next chunk. One timer for the stream rather than one per read (on Node a timer is an object
 * and a list insertion; two per chunk added up): a read notes when it began (`begin`) and that it
 * ended (`end`), and the timer, when it fires, re-arms for what is left unless the read in
 * progress has waited `ms`. Time the relay spends not reading (a client slower than the provider)
 * does not count. Stopped on every way a stream ends.
 */
class IdleWatch {
  /** When the read in progress began; undefined between reads. */
  private waitingSince: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly ms: number,
    private readonly onIdle: () => void,
  ) {}

  begin(): void {
    this.waitingSince = Date.now();
    if (this.timer === undefined && !this.stopped) this.timer = setTimeout(this.check, this.ms);
  }

  end(): void {
    this.waitingSince = undefined;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly check = (): void => {
    this.timer = undefined;
    const since = this.waitingSince;
    // Not reading: the next read arms the timer again.
    if (since === undefined || this.stopped) return;
    const waited = Date.now() - since;
    if (waited >= this.ms) this.onIdle();
    else this.timer = setTimeout(this.check, this.ms - waited);
  };
}

const DONE: ChunkRead = { done: true, value: undefined };

/**
 * The client's side of a started relay: each read answers with the next chunk to send on,
 * reading upstream only when nothing is ready. First come the chunks the stream started with.
 */
class RelayedChunks implements ByteChunks {
  private ended = false;
  /** Chunks ready to go out, first to last. */
  private ready: Uint8Array[];
  /** Nothing follows what is in `ready`. */
  private closed = false;
  /** The stream's first chunks have not been read yet (the durable-usage check below runs on them too). */
  private atHead = true;

  constructor(
    private readonly reader: ByteChunks,
    private readonly parser: SseParser,
    private readonly decoder: Utf8Chunks,
    head: Uint8Array[],
    firstEvents: SseEvent[],
    private readonly call: UpstreamCall,
    private readonly hooks: RelayHooks,
    private readonly idle: IdleWatch,
  ) {
    // A client that goes away must end the stream at once, not when the pending upstream read
    // fails: on Workers a disconnect tears the request down, so cancel() below is never called and
    // that read never settles. The request signal's abort event (UpstreamCall turns it into
    // 'client_aborted' and cancels the call) is the only notice there, and recording from inside it
    // is what registers the usage write with waitUntil in time. Elsewhere the later cancel() or
    // failed read is a no-op.
    call.onCancel(() => {
      if (call.cause === 'client_aborted') void this.end('client_aborted');
    });
    this.ready = this.render(firstEvents, head);
  }

  read(): Promise<ChunkRead> {
    if (this.atHead) {
      this.atHead = false;
      // A short stream can arrive whole with its first read: the same rule as in `took`.
      if (this.hooks.holdLastBytes && !this.ended && this.hooks.observer.complete?.()) return Promise.resolve(this.answer(this.end('ok')));
    }
    return this.next();
  }

  async cancel(): Promise<void> {
    this.call.abort('client_aborted');
    void this.end('client_aborted');
    this.ready = [];
    this.closed = true;
    await this.reader.cancel().catch(() => undefined);
  }

  private end(outcome: string): Promise<void> | undefined {
    if (this.ended) return undefined;
    this.ended = true;
    this.idle.stop();
    this.call.finish();
    return this.hooks.onEnd(outcome);
  }

  /**
   * The next chunk for the client: one ready, or the next upstream read's. Plain promise
   * reactions rather than async functions awaiting each other: every chunk of every stream goes
   * through here, and each await it saved was a microtask turn between the provider's chunk and
   * the client's write. At one connection a relay that lags the provider by a few µs a chunk falls
   * further behind with every chunk; the stream's last byte waits for all of it.
   */
  private next(): Promise<ChunkRead> {
    const ready = this.ready.shift();
    if (ready) return Promise.resolve({ done: false, value: ready });
    if (this.closed) return Promise.resolve(DONE);
    this.idle.begin();
    return this.reader.read().then(this.took, this.failed);
  }

  /**
   * What the client gets once `pending` (the end of the stream being recorded, with durable usage)
   * is done: at once (no extra turn) when nothing is pending.
   */
  private answer(pending: Promise<void> | undefined): ChunkRead | Promise<ChunkRead> {
    if (pending) return pending.then(() => this.next());
    const ready = this.ready.shift();
    if (ready) return { done: false, value: ready };
    return this.closed ? DONE : this.next();
  }

  /** One upstream read came back: what the client gets of it (possibly nothing: then the next one's). */
  private readonly took = (chunk: ChunkRead): ChunkRead | Promise<ChunkRead> => {
    this.idle.end();
    const { call, hooks, parser } = this;
    if (chunk.done) {
      const { observer } = hooks;
      const tail = observer.end ? observer.end() : observer.rewrites ? parser.rest() : '';
      this.closed = true;
      if (tail) this.ready.push(encoder.encode(tail));
      return this.answer(this.end('ok'));
    }
    const events = parser.push(this.decoder.decode(chunk.value));
    const out = this.render(events, [chunk.value]);
    let pending: Promise<void> | undefined;
    // The last event of a forwarded stream is in this chunk: with durable usage, store the record first.
    if (hooks.holdLastBytes && !this.ended && hooks.observer.complete?.()) pending = this.end('ok');
    if (parser.pendingLength > call.limits.eventBytes) {
      // One event past the cap: what came before it has gone out; the client is told the rest will not.
      call.abort('too_large');
      void this.reader.cancel().catch(() => undefined);
      this.closed = true;
      // A no-op when the stream was just recorded as ended above: then `pending` is that record.
      pending ??= this.end('too_large');
      this.ready.push(...out, encoder.encode(hooks.errorEvent(call.failure())));
      return this.answer(pending);
    }
    // The common case: the chunk goes out as it came, with nothing queued before it.
    if (out.length === 1 && !pending && this.ready.length === 0) return { done: false, value: out[0]! };
    this.ready.push(...out);
    return this.answer(pending);
  };

  /** The upstream read failed: the stream ends, with the error event unless the client left. */
  private readonly failed = (): ChunkRead | Promise<ChunkRead> => {
    this.idle.end();
    const { call, hooks } = this;
    this.closed = true;
    if (call.cause === 'client_aborted') {
      void this.end('client_aborted');
      return this.answer(undefined);
    }
    const failure = hooks.errorEvent(call.failure());
    const pending = this.end(call.cause ?? 'upstream_error');
    this.ready.push(encoder.encode(failure));
    return this.answer(pending);
  };

  /** What the client gets for a batch of events (the raw chunks they came in, when nothing is rewritten). */
  private render(events: SseEvent[], raw: Uint8Array[]): Uint8Array[] {
    const { observer } = this.hooks;
    if (!observer.rewrites) {
      for (const event of events) observer.onEvent(event);
      return raw;
    }
    let out = '';
    for (const event of events) {
      const replacement = observer.onEvent(event);
      if (replacement === undefined) out += event.raw;
      else if (replacement !== null) out += replacement;
    }
    return out ? [encoder.encode(out)] : [];
  }
}
