import type { GatewayError } from '../errors.js';
import type { StreamObserver } from '../providers/types.js';
import { SseParser } from '../sse/parser.js';
import type { UpstreamCall } from './upstream.js';

export interface RelayHooks {
  observer: StreamObserver;
  idleMs: number;
  /** The event that tells the client its stream broke off, in its own format. */
  errorEvent(error: GatewayError): string;
  onFirstByte(): void;
  /** Called once, however the stream ends: `ok`, `upstream_error`, a timeout cause or `client_aborted`. */
  onEnd(outcome: string): void;
}

const encoder = new TextEncoder();

/**
 * Relays an upstream SSE body to the client as it arrives. Each upstream chunk is sent
 * on at once; only when the observer may rewrite events does a partial event wait for
 * its end. Pull-based, so a slow client slows the upstream read instead of filling memory,
 * and a client that goes away cancels the upstream request.
 */
export function relaySse(body: ReadableStream<Uint8Array>, call: UpstreamCall, hooks: RelayHooks): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const parser = new SseParser();
  const decoder = new TextDecoder();
  let seenFirstByte = false;
  let ended = false;
  const end = (outcome: string) => {
    if (ended) return;
    ended = true;
    call.finish();
    hooks.onEnd(outcome);
  };

  // A client that goes away must end the stream at once, not when the pending upstream read
  // fails: on Workers a disconnect tears the request down, so cancel() below is never called and
  // that read never settles. The request signal's abort event (UpstreamCall turns it into
  // 'client_aborted') is the only notice there, and recording from inside it is what registers
  // the usage write with waitUntil in time. Elsewhere the later cancel() or failed read is a no-op.
  const onAbort = () => {
    if (call.cause === 'client_aborted') end('client_aborted');
  };
  if (call.controller.signal.aborted) onAbort();
  else call.controller.signal.addEventListener('abort', onAbort, { once: true });

  const readWithIdleTimeout = async () => {
    const timer = setTimeout(() => call.abort('idle_timeout'), hooks.idleMs);
    try {
      return await reader.read();
    } finally {
      clearTimeout(timer);
    }
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          let chunk: ReadableStreamReadResult<Uint8Array>;
          try {
            chunk = await readWithIdleTimeout();
          } catch {
            if (call.cause === 'client_aborted') return end('client_aborted');
            controller.enqueue(encoder.encode(hooks.errorEvent(call.failure())));
            controller.close();
            return end(call.cause ?? 'upstream_error');
          }
          if (chunk.done) {
            const { observer } = hooks;
            const tail = observer.end ? observer.end() : observer.rewrites ? parser.rest() : '';
            if (tail) controller.enqueue(encoder.encode(tail));
            controller.close();
            return end('ok');
          }
          if (!seenFirstByte) {
            seenFirstByte = true;
            hooks.onFirstByte();
          }
          const events = parser.push(decoder.decode(chunk.value, { stream: true }));
          if (!hooks.observer.rewrites) {
            for (const event of events) hooks.observer.onEvent(event);
            controller.enqueue(chunk.value);
            return;
          }
          let out = '';
          for (const event of events) {
            const replacement = hooks.observer.onEvent(event);
            if (replacement === undefined) out += event.raw;
            else if (replacement !== null) out += replacement;
          }
          if (out) {
            controller.enqueue(encoder.encode(out));
            return;
          }
        }
      },
      async cancel() {
        call.abort('client_aborted');
        end('client_aborted');
        await reader.cancel().catch(() => undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
