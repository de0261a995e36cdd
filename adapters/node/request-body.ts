import type { IncomingMessage } from 'node:http';

/**
 * The whole body of a request that declared its `length` (RequestContext.readBody), read from
 * node:http's request. The server emits `request` once the headers are parsed; a body that came
 * in the same read is pushed into the request before the next microtask runs (its end only
 * later). So one microtask on, a request holding as many bytes as it declared has its whole body,
 * read in one synchronous call: no listeners, no ticks of a flowing Readable. Otherwise (a body
 * still arriving) it is read as @hono/node-server reads it, through `fallback`.
 *
 * The request is left paused: finishReading resumes it once its response is being written.
 */
export function incomingBody(incoming: IncomingMessage, fallback: () => Promise<ArrayBuffer>): (length: number) => Promise<Uint8Array> {
  return (length) =>
    Promise.resolve().then(() => {
      if (incoming.readableDidRead || incoming.readableFlowing || incoming.readableLength !== length) {
        return fallback().then((buffer) => new Uint8Array(buffer));
      }
      // Everything buffered, in one piece; nothing at all for an empty body.
      const whole = incoming.read() as Buffer | null;
      return whole === null ? new Uint8Array(0) : new Uint8Array(whole.buffer, whole.byteOffset, whole.byteLength);
    });
}

/**
 * Resumes a request whose body incomingBody read, as its response is written (GatewayResponse.end),
 * so that it emits its end: a request read with one `read()` is otherwise never `readableEnded`
 * (its end is only emitted to a later read), and @hono/node-server, seeing a POST not read to its
 * end when the response closes, drains it: three timers, a resume and three listeners on every
 * call (about 1 KiB allocated). Resumed here rather than once the body is read, the work it sets
 * off (a tick to flow, another to emit the end) runs after the answer is written instead of
 * between the upstream request's dispatch and its write.
 */
export function finishReading(incoming: IncomingMessage): void {
  // Not when the body was never read (the close handler drains it) or is read as a stream already.
  if (incoming.readableDidRead && incoming.readableFlowing === null && !incoming.readableEnded) incoming.resume();
}
