// The Node adapter's body reader (RequestContext.readBody): a body that came with its headers is
// read whole in one call, and the request still reaches its end once its response is written
// (GatewayResponse.end), so that @hono/node-server does not drain it again (timers and listeners
// on every call) once the response closes.

import { createServer, request, ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayResponse } from '../../adapters/node/listen.js';
import { incomingBody } from '../../adapters/node/request-body.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

interface Seen {
  body: string;
  /** Whether the fallback read was used. */
  fellBack: boolean;
  /** Whether the request was still paused when its response began to end: resuming it waits for the answer. */
  pausedUntilAnswer: boolean;
  /** The request's `readableEnded` when its response closed: what @hono/node-server's close handler looks at. */
  endedAtClose: boolean;
}

/**
 * A server with the gateway's responses that reads each request with incomingBody, answers a
 * little later (as the gateway does, after its provider's answer: the parser has long reached the
 * request's end by then), and reports what it saw.
 */
async function serveOnce(send: (port: number) => void): Promise<Seen> {
  return new Promise<Seen>((resolve, reject) => {
    server = createServer({ ServerResponse: GatewayResponse as typeof ServerResponse }, (incoming: IncomingMessage, outgoing) => {
      let fellBack = false;
      const fallback = () => {
        fellBack = true;
        return new Promise<ArrayBuffer>((done) => {
          const parts: Buffer[] = [];
          incoming.on('data', (part: Buffer) => parts.push(part));
          incoming.on('end', () => {
            const whole = Buffer.concat(parts);
            done(whole.buffer.slice(whole.byteOffset, whole.byteOffset + whole.byteLength) as ArrayBuffer);
          });
        });
      };
      incomingBody(incoming, fallback)(Number(incoming.headers['content-length']))
        .then((bytes) => {
          const body = new TextDecoder().decode(bytes);
          let pausedUntilAnswer = false;
          outgoing.on('close', () => resolve({ body, fellBack, pausedUntilAnswer, endedAtClose: incoming.readableEnded }));
          setTimeout(() => {
            pausedUntilAnswer = incoming.readableFlowing === null;
            outgoing.end('ok');
          }, 10);
        })
        .catch(reject);
    });
    server.listen(0, '127.0.0.1', () => send((server!.address() as AddressInfo).port));
  });
}

function post(port: number, parts: string[]): void {
  const length = parts.reduce((sum, part) => sum + Buffer.byteLength(part), 0);
  const outgoing = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'content-type': 'application/json', 'content-length': length } }, (answer) => answer.resume());
  const [first, ...rest] = parts;
  outgoing.write(first ?? '');
  // Later parts after a pause: the server has emitted `request` with only part of the body.
  setTimeout(() => {
    for (const part of rest) outgoing.write(part);
    outgoing.end();
  }, 30);
}

describe('incomingBody', () => {
  it('reads a body that came with the headers in one call, and the request reaches its end once answered', async () => {
    const seen = await serveOnce((port) => post(port, ['{"model":"m","messages":[]}']));
    expect(seen).toEqual({ body: '{"model":"m","messages":[]}', fellBack: false, pausedUntilAnswer: true, endedAtClose: true });
  });

  it('an empty body reads as empty, and the request reaches its end', async () => {
    const seen = await serveOnce((port) => post(port, ['']));
    expect(seen).toEqual({ body: '', fellBack: false, pausedUntilAnswer: true, endedAtClose: true });
  });

  it('falls back to reading the stream when the body is still arriving', async () => {
    const seen = await serveOnce((port) => post(port, ['{"model":', '"m"}']));
    // Read as a stream, the request flows to its end by itself.
    expect(seen).toEqual({ body: '{"model":"m"}', fellBack: true, pausedUntilAnswer: false, endedAtClose: true });
  });
});
