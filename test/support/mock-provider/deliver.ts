// Writing an answer to the socket, with the pacing and failures the behaviours ask for.
// Answers are built first (as a JSON body or a list of ready-made SSE frames) and written here,
// so that every failure mode works the same way for both APIs.

import type { ServerResponse } from 'node:http';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { Behaviour } from './types.js';
import { splitForStreaming } from './answer.js';

export type Reply =
  | { kind: 'json'; status: number; headers: Record<string, string>; body: unknown }
  | {
      kind: 'sse';
      status: number;
      headers: Record<string, string>;
      /** Complete SSE frames, each ending with a blank line. */
      events: string[];
      /**
       * The frame(s) this API sends when it fails mid-stream, or a function of the number of events
       * sent before (for APIs whose frames are numbered); absent when it just drops the connection.
       */
      midStreamErrorEvent?: string | ((afterEvents: number) => string);
    };

export interface DeliveryContext {
  res: ServerResponse;
  /** Aborted when the client goes away or the mock closes: every wait ends then. */
  signal: AbortSignal;
  /** Destroys the connection on the mock's side (not counted as a client abort). */
  cut(): void;
}

/** Resolves when the signal aborts: "go silent until the client gives up". */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

function serializeBody(body: unknown): string {
  return typeof body === 'string' ? body : JSON.stringify(body);
}

export async function deliver(reply: Reply, behaviour: Behaviour | undefined, ctx: DeliveryContext): Promise<void> {
  if (reply.kind === 'json') await deliverJson(reply, behaviour, ctx);
  else await deliverEvents(reply, behaviour, ctx);
}

async function deliverJson(reply: Extract<Reply, { kind: 'json' }>, behaviour: Behaviour | undefined, ctx: DeliveryContext) {
  const { res, signal } = ctx;
  const text = serializeBody(reply.body);
  const firstHalf = text.slice(0, Math.floor(text.length / 2));
  switch (behaviour?.kind) {
    case 'slowStream': {
      // No content-length: the body goes out in pieces with chunked encoding.
      res.writeHead(reply.status, reply.headers);
      res.flushHeaders();
      for (const piece of splitForStreaming(text, behaviour.chunks ?? 4)) {
        await sleep(behaviour.chunkDelayMs, undefined, { signal });
        res.write(piece);
      }
      res.end();
      return;
    }
    case 'stallStream':
      res.writeHead(reply.status, reply.headers);
      res.write(firstHalf);
      await untilAborted(signal);
      return;
    case 'midStreamError':
      res.writeHead(reply.status, reply.headers);
      res.write(firstHalf);
      // Give the half body a turn to reach the socket before the connection is cut.
      await nextTurn(undefined, { signal });
      ctx.cut();
      return;
    default:
      res.writeHead(reply.status, { ...reply.headers, 'content-length': String(Buffer.byteLength(text)) });
      res.end(text);
  }
}

async function deliverEvents(reply: Extract<Reply, { kind: 'sse' }>, behaviour: Behaviour | undefined, ctx: DeliveryContext) {
  const { res, signal } = ctx;
  res.writeHead(reply.status, reply.headers);
  // Headers go out before the first event, as a real provider does once generation starts.
  res.flushHeaders();
  for (let index = 0; index <= reply.events.length; index++) {
    if (behaviour?.kind === 'stallStream' && index === behaviour.afterEvents) {
      await untilAborted(signal);
      return;
    }
    if (behaviour?.kind === 'midStreamError' && index === behaviour.afterEvents) {
      const errorEvent = reply.midStreamErrorEvent;
      if (errorEvent !== undefined) {
        res.end(typeof errorEvent === 'function' ? errorEvent(index) : errorEvent);
      } else {
        await nextTurn(undefined, { signal });
        ctx.cut();
      }
      return;
    }
    const event = reply.events[index];
    if (event === undefined) break;
    // Each event is written on its own turn (or after the slowStream delay), so that it leaves
    // as its own chunk and a test can tell a streaming client from a buffering one.
    if (behaviour?.kind === 'slowStream') await sleep(behaviour.chunkDelayMs, undefined, { signal });
    else await nextTurn(undefined, { signal });
    res.write(event);
  }
  res.end();
}
