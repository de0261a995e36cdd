import type { GatewayError } from '../errors.js';
import type { ChunkRead, UpstreamChunks } from '../http/upstream.js';
import type { StreamObserver } from '../providers/types.js';
import { SseParser, type SseEvent } from '../sse/parser.js';
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
  | { kind: 'started'; stream: ReadableStream<Uint8Array> }
  | { kind: 'refused'; status: number; message: string }
  | { kind: 'failed'; cause: string };

const encoder = new TextEncoder();

/**
 * Reads an upstream SSE body until its first event and judges it: nothing reaches the client
 * until the provider has answered 2xx and its first event is not an error, so until then the
 * call can still go to another model. Once started, each upstream chunk is sent on at once;
 * only when the observer may rewrite events does a partial event wait for its end.
 * Pull-based, so a slow client slows the upstream read instead of filling memory, and a
 * client that goes away cancels the upstream request.
 */
export async function startRelay(reader: UpstreamChunks, call: UpstreamCall, hooks: RelayHooks): Promise<RelayStart> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const readWithIdleTimeout = async () => {
    const timer = setTimeout(() => call.abort('idle_timeout'), hooks.idleMs);
    try {
      return await reader.read();
    } finally {
      clearTimeout(timer);
    }
  };
  const giveUp = (): void => {
    call.finish();
    void reader.cancel().catch(() => undefined);
  };

  // What was read before the first whole event: sent on as it came once the stream is accepted.
  const head: Uint8Array[] = [];
  let events: SseEvent[] = [];
  while (events.length === 0) {
    let chunk: ChunkRead;
    try {
      chunk = await readWithIdleTimeout();
    } catch {
      giveUp();
      return { kind: 'failed', cause: call.cause ?? 'upstream_error' };
    }
    if (chunk.done) {
      giveUp();
      return { kind: 'failed', cause: 'empty_stream' };
    }
    head.push(chunk.value);
    events = parser.push(decoder.decode(chunk.value, { stream: true }));
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
  return { kind: 'started', stream: relayStarted(reader, parser, decoder, head, events, call, hooks, readWithIdleTimeout) };
}

function relayStarted(
  reader: UpstreamChunks,
  parser: SseParser,
  decoder: TextDecoder,
  head: Uint8Array[],
  firstEvents: SseEvent[],
  call: UpstreamCall,
  hooks: RelayHooks,
  read: () => Promise<ChunkRead>,
): ReadableStream<Uint8Array> {
  let ended = false;
  const end = (outcome: string): Promise<void> | undefined => {
    if (ended) return undefined;
    ended = true;
    call.finish();
    return hooks.onEnd(outcome);
  };

  // A client that goes away must end the stream at once, not when the pending upstream read
  // fails: on Workers a disconnect tears the request down, so cancel() below is never called and
  // that read never settles. The request signal's abort event (UpstreamCall turns it into
  // 'client_aborted' and cancels the call) is the only notice there, and recording from inside it
  // is what registers the usage write with waitUntil in time. Elsewhere the later cancel() or
  // failed read is a no-op.
  call.onCancel(() => {
    if (call.cause === 'client_aborted') void end('client_aborted');
  });

  /** What the client gets for a batch of events (and the raw chunks they came in, when nothing is rewritten). */
  const render = (events: SseEvent[], raw: Uint8Array[]): Uint8Array[] => {
    const { observer } = hooks;
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
  };
  let pendingHead: Uint8Array[] | undefined = render(firstEvents, head);

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (pendingHead) {
          const chunks = pendingHead;
          pendingHead = undefined;
          // A short stream can arrive whole with its first read: the same rule as below.
          if (hooks.holdLastBytes && !ended && hooks.observer.complete?.()) await end('ok');
          if (chunks.length > 0) {
            for (const chunk of chunks) controller.enqueue(chunk);
            return;
          }
        }
        for (;;) {
          let chunk: ChunkRead;
          try {
            chunk = await read();
          } catch {
            if (call.cause === 'client_aborted') return void end('client_aborted');
            const failure = hooks.errorEvent(call.failure());
            await end(call.cause ?? 'upstream_error');
            controller.enqueue(encoder.encode(failure));
            controller.close();
            return;
          }
          if (chunk.done) {
            const { observer } = hooks;
            const tail = observer.end ? observer.end() : observer.rewrites ? parser.rest() : '';
            await end('ok');
            if (tail) controller.enqueue(encoder.encode(tail));
            controller.close();
            return;
          }
          const out = render(parser.push(decoder.decode(chunk.value, { stream: true })), [chunk.value]);
          // The last event of a forwarded stream is in this chunk: with durable usage, store the record first.
          if (hooks.holdLastBytes && !ended && hooks.observer.complete?.()) await end('ok');
          if (parser.pendingLength > call.limits.eventBytes) {
            // One event past the cap: what came before it has gone out; the client is told the rest will not.
            call.abort('too_large');
            void reader.cancel().catch(() => undefined);
            await end('too_large');
            for (const piece of out) controller.enqueue(piece);
            controller.enqueue(encoder.encode(hooks.errorEvent(call.failure())));
            controller.close();
            return;
          }
          if (out.length > 0) {
            for (const piece of out) controller.enqueue(piece);
            return;
          }
        }
      },
      async cancel() {
        call.abort('client_aborted');
        void end('client_aborted');
        await reader.cancel().catch(() => undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
