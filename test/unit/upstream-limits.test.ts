import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUTS } from '../../src/config/state.js';
import { GatewayError } from '../../src/errors.js';
import { responseAnswer } from '../../src/http/upstream.js';
import { readableStreamOf } from '../../src/http/chunks.js';
import { startRelay } from '../../src/proxy/relay.js';
import { UpstreamCall } from '../../src/proxy/upstream.js';

const limits = { bodyBytes: 1000, eventBytes: 100 };
const encoder = new TextEncoder();

/** A body that yields `chunks` and records whether the reader cancelled it (the upstream call aborted). */
function body(chunks: string[]) {
  const state = { cancelled: false, pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks[state.pulled++];
      if (next === undefined) controller.close();
      else controller.enqueue(encoder.encode(next));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

const newCall = () => new UpstreamCall(DEFAULT_TIMEOUTS, undefined, undefined, limits);

describe('the cap on a whole answer', () => {
  it('reads an answer within the cap whole', async () => {
    const call = newCall();
    const bytes = await call.readBody(responseAnswer(new Response(body(['a'.repeat(600), 'b'.repeat(400)]).stream)));
    expect(bytes.byteLength).toBe(1000);
  });

  it('stops reading past the cap, cancels the upstream body and fails as too large', async () => {
    const { stream, state } = body(Array.from({ length: 100 }, () => 'x'.repeat(300)));
    const call = newCall();
    const error = await call.readBody(responseAnswer(new Response(stream))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).message).toMatch(/exceeded the gateway's limit/);
    expect(call.cause).toBe('too_large');
    expect(state.pulled).toBeLessThan(10);
    expect(call.aborted).toBe(true);
    expect(state.cancelled).toBe(true);
  });

  it('refuses a declared content-length past the cap before reading a byte', async () => {
    const { stream, state } = body(['x']);
    const call = newCall();
    await expect(call.readBody(responseAnswer(new Response(stream, { headers: { 'content-length': '5000' } })))).rejects.toThrow(/exceeded/);
    // The stream's own start may pull once into its queue; nothing more is read.
    expect(state.pulled).toBeLessThanOrEqual(1);
    expect(call.cause).toBe('too_large');
  });
});

describe('the cap on one stream event', () => {
  const hooks = (ended: string[]) => ({
    observer: { rewrites: false, onEvent: () => undefined, usage: () => undefined },
    idleMs: 10_000,
    errorEvent: (error: GatewayError) => `event: error\ndata: ${error.message}\n\n`,
    startError: () => undefined,
    onEnd: (outcome: string) => void ended.push(outcome),
  });

  it('fails before the stream starts when the first event grows past the cap', async () => {
    const { stream } = body(Array.from({ length: 20 }, () => `data: ${'y'.repeat(40)}`));
    const call = newCall();
    const started = await startRelay(stream.getReader(), call, hooks([]));
    expect(started).toEqual({ kind: 'failed', cause: 'too_large' });
  });

  it('ends a started stream with an error event when a later event grows past the cap', async () => {
    const { stream, state } = body(['data: first\n\n', ...Array.from({ length: 20 }, () => `data: ${'z'.repeat(40)}`)]);
    const call = newCall();
    const ended: string[] = [];
    const started = await startRelay(stream.getReader(), call, hooks(ended));
    if (started.kind !== 'started') throw new Error(started.kind);
    const text = await new Response(readableStreamOf(started.chunks)).text();
    expect(text.startsWith('data: first\n\n')).toBe(true);
    expect(text).toMatch(/event: error\ndata: .*exceeded the gateway's limit/);
    expect(ended).toEqual(['too_large']);
    expect(state.cancelled).toBe(true);
  });
});
