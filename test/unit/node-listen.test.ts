// listenNode's response writing: a streamed answer's headers go out with its first chunk, in one
// write, not on their own before it (Hono flushes them for a stream body).

import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listenNode } from '../../adapters/node/listen.js';
import type { Listener } from '../../adapters/shared/lifecycle.js';

let listener: Listener | undefined;
afterEach(async () => {
  await listener?.close(0);
  listener = undefined;
});

/** The bytes of one GET as they arrive, each with its time after the request was sent. */
function arrivals(port: number, untilMs: number): Promise<Array<{ atMs: number; text: string }>> {
  return new Promise((resolve, reject) => {
    const seen: Array<{ atMs: number; text: string }> = [];
    const socket = connect(port, '127.0.0.1', () => {
      const sentAt = performance.now();
      socket.on('data', (chunk) => seen.push({ atMs: performance.now() - sentAt, text: chunk.toString('latin1') }));
      socket.write('GET /stream HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
      setTimeout(() => {
        socket.destroy();
        resolve(seen);
      }, untilMs);
    });
    socket.on('error', reject);
  });
}

describe('listenNode', () => {
  it('sends a stream’s headers with its first chunk, not before it', async () => {
    const FIRST_CHUNK_AFTER_MS = 300;
    listener = await listenNode({
      hostname: '127.0.0.1',
      port: 0,
      handler: async () => {
        const body = new ReadableStream<Uint8Array>({
          async pull(controller) {
            await new Promise((resolve) => setTimeout(resolve, FIRST_CHUNK_AFTER_MS));
            controller.enqueue(new TextEncoder().encode('data: first\n\n'));
            controller.close();
          },
        });
        return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
      },
    });
    const seen = await arrivals(listener.port, FIRST_CHUNK_AFTER_MS + 500);
    expect(seen.length).toBeGreaterThan(0);
    // Nothing before the first chunk, then the headers and it together.
    expect(seen[0]!.atMs).toBeGreaterThanOrEqual(FIRST_CHUNK_AFTER_MS - 50);
    expect(seen[0]!.text).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n[0-9a-f]+\r\ndata: first\n\n\r\n/);
  });
});
