// The relay's idle timeout (src/proxy/relay.ts IdleWatch): the provider may be silent for at most
// idleMs while the relay waits for a chunk; a stream that keeps coming runs as long as it runs,
// time the client takes to ask for the next chunk does not count, and no timer outlives the stream.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_TIMEOUTS } from '../../src/config/state.js';
import type { ByteChunks, ChunkRead } from '../../src/http/chunks.js';
import { startRelay } from '../../src/proxy/relay.js';
import { UpstreamCall } from '../../src/proxy/upstream.js';

const IDLE_MS = 1_000;
const encoder = new TextEncoder();

/** Upstream chunks that each come `gapsMs[i]` after they are asked for (Infinity: never), then done. */
function pacedUpstream(gapsMs: number[]) {
  let index = 0;
  const state = { cancelled: false };
  const chunks: ByteChunks = {
    read(): Promise<ChunkRead> {
      const at = index++;
      const gap = gapsMs[at];
      if (gap === undefined) return Promise.resolve({ done: true, value: undefined });
      return new Promise((resolve, reject) => {
        if (gap === Infinity) {
          cancelReads.push(() => reject(new Error('cancelled')));
          return;
        }
        setTimeout(() => resolve({ done: false, value: encoder.encode(`data: ${at}\n\n`) }), gap);
      });
    },
    async cancel() {
      state.cancelled = true;
      for (const cancel of cancelReads.splice(0)) cancel();
    },
  };
  const cancelReads: Array<() => void> = [];
  return { chunks, state };
}

function relay(gapsMs: number[]) {
  // Timeouts far past the test's span but the idle one, so only it can end the call.
  const call = new UpstreamCall({ ...DEFAULT_TIMEOUTS, totalMs: 3_600_000, idleMs: IDLE_MS }, undefined, undefined);
  const upstream = pacedUpstream(gapsMs);
  call.onCancel(() => void upstream.chunks.cancel());
  const ended: string[] = [];
  const started = startRelay(upstream.chunks, call, {
    observer: { rewrites: false, onEvent: () => undefined, usage: () => undefined },
    idleMs: IDLE_MS,
    errorEvent: (error) => `event: error\ndata: ${error.message}\n\n`,
    startError: () => undefined,
    onEnd: (outcome) => void ended.push(outcome),
  });
  return { call, started, ended, upstream };
}

/** Moves fake time on in small steps until `promise` settles (never past the call's total timeout). */
async function settled<T>(promise: Promise<T>): Promise<T> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let step = 0; step < 100_000 && !done; step++) await vi.advanceTimersByTimeAsync(10);
  return promise;
}

/** Reads a started relay to its end, waiting `pauseMs` (fake time) before asking for each next chunk. */
async function readAll(chunks: ByteChunks, pauseMs = 0): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const next = await settled(chunks.read());
    if (next.done) return text;
    text += decoder.decode(next.value);
    if (pauseMs) await vi.advanceTimersByTimeAsync(pauseMs);
  }
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the relay idle timeout', () => {
  it('lets a stream whose chunks keep coming run for many times the idle timeout', async () => {
    const { started, ended, call } = relay(Array.from({ length: 20 }, () => IDLE_MS * 0.6));
    const start = await settled(started);
    if (start.kind !== 'started') throw new Error(start.kind);
    const text = await readAll(start.chunks);
    expect(text.match(/data: /g)).toHaveLength(20);
    expect(ended).toEqual(['ok']);
    expect(call.cause).toBeUndefined();
    // Nothing of the stream's is left armed.
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ends the stream when the provider is silent for the idle timeout', async () => {
    const { started, ended, call, upstream } = relay([10, 10, Infinity]);
    const start = await settled(started);
    if (start.kind !== 'started') throw new Error(start.kind);
    const text = await readAll(start.chunks);
    expect(call.cause).toBe('idle_timeout');
    expect(text).toMatch(/event: error\ndata: .*silent for 1000 ms/);
    expect(ended).toEqual(['idle_timeout']);
    expect(upstream.state.cancelled).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not count the time the client takes to ask for the next chunk', async () => {
    const { started, ended, call } = relay([10, 10, 10, 10]);
    const start = await settled(started);
    if (start.kind !== 'started') throw new Error(start.kind);
    await readAll(start.chunks, IDLE_MS * 3);
    expect(call.cause).toBeUndefined();
    expect(ended).toEqual(['ok']);
  });

  it('fails a stream whose first chunk never comes, and leaves no timer behind', async () => {
    const { started, call } = relay([Infinity]);
    await vi.advanceTimersByTimeAsync(IDLE_MS + 1);
    expect(await started).toEqual({ kind: 'failed', cause: 'idle_timeout' });
    expect(call.cause).toBe('idle_timeout');
    expect(vi.getTimerCount()).toBe(0);
  });
});
