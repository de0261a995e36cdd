// listenNode's response writing: a streamed answer's headers go out with its first chunk, in one
// write, not on their own before it (Hono flushes them for a stream body); and a streamed body made
// by the context's streamBody (no WHATWG stream) is written whole, cancelled when the client goes,
// and cut when its chunks break off.

import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listenNode } from '../../adapters/node/listen.js';
import type { Listener } from '../../adapters/shared/lifecycle.js';
import type { ByteChunks, ChunkRead } from '../../src/index.js';

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

  describe('a body made by streamBody', () => {
    const encoder = new TextEncoder();
    /** Chunks that come one per `gapMs`, then end (or fail at `failAt`); records whether they were cancelled. */
    function pacedChunks(texts: string[], gapMs: number, failAt?: number) {
      const state = { cancelled: false, reads: 0 };
      const chunks: ByteChunks = {
        async read(): Promise<ChunkRead> {
          await new Promise((resolve) => setTimeout(resolve, gapMs));
          const index = state.reads++;
          if (index === failAt) throw new Error('the provider broke off');
          const text = texts[index];
          return text === undefined ? { done: true, value: undefined } : { done: false, value: encoder.encode(text) };
        },
        async cancel() {
          state.cancelled = true;
        },
      };
      return { chunks, state };
    }

    async function serve(chunks: ByteChunks): Promise<number> {
      listener = await listenNode({
        hostname: '127.0.0.1',
        port: 0,
        handler: async (_request, context) => {
          expect(context.streamBody).toBeTypeOf('function');
          return new Response(context.streamBody!(chunks), { headers: { 'content-type': 'text/event-stream' } });
        },
      });
      return listener.port;
    }

    it('writes every chunk in order and ends the response', async () => {
      const texts = ['data: one\n\n', 'data: two\n\n', 'data: [DONE]\n\n'];
      const { chunks } = pacedChunks(texts, 5);
      const port = await serve(chunks);
      const text = (await arrivals(port, 400)).map((piece) => piece.text).join('');
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      expect(body).toBe(texts.map((piece) => `${piece.length.toString(16)}\r\n${piece}\r\n`).join('') + '0\r\n\r\n');
    });

    it('cancels the chunks when the client goes away mid-stream', async () => {
      const { chunks, state } = pacedChunks(Array.from({ length: 1000 }, (_, i) => `data: ${i}\n\n`), 2);
      const port = await serve(chunks);
      await arrivals(port, 60);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(state.cancelled).toBe(true);
      expect(state.reads).toBeLessThan(1000);
    });

    it('cuts the connection, without the last chunk, when the chunks break off', async () => {
      const { chunks } = pacedChunks(['data: one\n\n', 'data: two\n\n'], 5, 1);
      const port = await serve(chunks);
      const text = (await arrivals(port, 300)).map((piece) => piece.text).join('');
      expect(text).toContain('data: one');
      expect(text).not.toContain('0\r\n\r\n');
    });
  });
});

/** Sends a raw POST over one socket: the body `delayMs` after the headers (0: in the same write); resolves with the answer. */
function rawPost(port: number, body: string, delayMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      const head = `POST /echo HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`;
      if (delayMs === 0) socket.write(head + body);
      else {
        socket.write(head);
        setTimeout(() => socket.write(body), delayMs);
      }
    });
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('readBody (the request body straight from node:http)', () => {
  async function echoServer(): Promise<number> {
    listener = await listenNode({
      hostname: '127.0.0.1',
      port: 0,
      handler: async (request, context) => {
        const bytes = await context.readBody!(Number(request.headers.get('content-length')));
        return new Response(`got ${bytes.byteLength}: ${new TextDecoder().decode(bytes)}`);
      },
    });
    return listener.port;
  }

  it('reads a body that came with its headers', async () => {
    const port = await echoServer();
    expect(await rawPost(port, '{"model":"m","messages":[]}', 0)).toMatch(/\r\n\r\ngot 27: \{"model":"m","messages":\[\]\}$/);
  });

  it('waits for a body that comes after its headers', async () => {
    const port = await echoServer();
    expect(await rawPost(port, 'late body – with UTF-8', 100)).toMatch(/\r\n\r\ngot 24: late body – with UTF-8$/);
  });

  it('reads an empty body as empty', async () => {
    const port = await echoServer();
    expect(await rawPost(port, '', 0)).toMatch(/\r\n\r\ngot 0: $/);
  });

  it('reads a body larger than one socket read whole', async () => {
    const port = await echoServer();
    const large = 'x'.repeat(1024 * 1024);
    const answer = await rawPost(port, large, 0);
    expect(answer).toContain(`got ${large.length}: xxxx`);
    expect(answer.endsWith(large)).toBe(true);
  });
});
