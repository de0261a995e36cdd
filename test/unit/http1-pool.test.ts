import { readFileSync } from 'node:fs';
import dns from 'node:dns';
import net, { type AddressInfo, type LookupFunction } from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { Http1Pool, type ExchangeHandler, type PoolCall } from '../../adapters/node/http1-pool.js';
import type { ResponseFields } from '../../adapters/node/http1-response.js';

const cert = readFileSync(new URL('../fixtures/tls/cert.pem', import.meta.url), 'utf8');
const key = readFileSync(new URL('../fixtures/tls/key.pem', import.meta.url), 'utf8');

/** A server speaking raw bytes: `answer` sees each request as it arrives, and writes what it likes. */
interface RawServer {
  port: number;
  /** Every connection accepted so far. */
  sockets: net.Socket[];
  /** Every request head and body read, in order. */
  requests: string[];
  close(): Promise<void>;
}

const servers: RawServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function rawServer(answer: (socket: net.Socket, request: string, index: number) => void, secure = false): Promise<RawServer> {
  const sockets: net.Socket[] = [];
  const requests: string[] = [];
  const onConnection = (socket: net.Socket) => {
    sockets.push(socket);
    let pending = '';
    socket.on('error', () => undefined);
    socket.on('data', (data: Buffer) => {
      pending += data.toString('utf8');
      // A request is whole once its head and Content-Length bytes are in.
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end === -1) return;
        const length = Number(/content-length: (\d+)/i.exec(pending.slice(0, end))?.[1] ?? 0);
        const bodyBytes = Buffer.from(pending.slice(end + 4), 'utf8');
        if (bodyBytes.length < length) return;
        const request = pending.slice(0, end + 4) + bodyBytes.subarray(0, length).toString('utf8');
        pending = bodyBytes.subarray(length).toString('utf8');
        requests.push(request);
        answer(socket, request, requests.length - 1);
      }
    });
  };
  const server = secure ? tls.createServer({ cert, key }, onConnection) : net.createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const raw: RawServer = {
    port: (server.address() as AddressInfo).port,
    sockets,
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  servers.push(raw);
  return raw;
}

const ok = (body: string, extra = '') => `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

/** A handler that gathers the answer; `done` settles when the call completes or fails. */
function collector() {
  let abort: ((reason: Error) => void) | undefined;
  let fields: ResponseFields | undefined;
  let status = 0;
  const chunks: Buffer[] = [];
  let settle!: (value: { status: number; body: string; fields: ResponseFields | undefined }) => void;
  let fail!: (error: Error) => void;
  const done = new Promise<{ status: number; body: string; fields: ResponseFields | undefined }>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  const handler: ExchangeHandler = {
    onStart: (a) => (abort = a),
    onHeaders(code, head) {
      status = code;
      fields = head;
    },
    onData(chunk) {
      chunks.push(chunk);
      return true;
    },
    onComplete: () => settle({ status, body: Buffer.concat(chunks).toString('utf8'), fields }),
    onError: fail,
  };
  return { handler, done, abort: (reason: Error) => abort!(reason) };
}

function call(pool: Http1Pool, request: Partial<PoolCall> = {}) {
  const collected = collector();
  pool.dispatch({ path: '/v1/chat', headers: { authorization: 'Bearer k' }, body: '{}', ...request }, collected.handler);
  return collected;
}

const pool = (port: number, connections = 8, secure = false, ca?: string) =>
  new Http1Pool(new URL(`${secure ? 'https' : 'http'}://127.0.0.1:${port}`), { connections, lookup: dns.lookup as LookupFunction, ...(ca ? { ca } : {}) });

describe('the upstream HTTP/1.1 pool', () => {
  it('writes one POST with its Host, its length in bytes and the caller’s fields, and reads the answer', async () => {
    const server = await rawServer((socket) => socket.write(ok('{"a":1}', 'X-Request-Id: r1\r\n')));
    const client = pool(server.port);
    const { done } = call(client, { headers: { authorization: 'Bearer k', 'x-extra': 'v', host: 'evil', 'content-length': '1', connection: 'close' }, body: '{"é":1}' });
    const answer = await done;
    expect(answer).toMatchObject({ status: 200, body: '{"a":1}' });
    expect(answer.fields!.get('x-request-id')).toBe('r1');
    expect(server.requests[0]).toBe(`POST /v1/chat HTTP/1.1\r\nhost: 127.0.0.1:${server.port}\r\nauthorization: Bearer k\r\nx-extra: v\r\ncontent-length: 8\r\n\r\n{"é":1}`);
    client.close();
  });

  it('refuses a field that could break the request, before writing anything', async () => {
    const server = await rawServer((socket) => socket.write(ok('{}')));
    const client = pool(server.port);
    expect(() => call(client, { headers: { 'x-a': 'one\r\nx-injected: two' } })).toThrow(TypeError);
    expect(() => call(client, { headers: { 'bad name': 'v' } })).toThrow(TypeError);
    await (await call(client).done).body;
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).not.toContain('x-injected');
    client.close();
  });

  it('writes a field value beyond ASCII as latin1 octets, and the body as UTF-8', async () => {
    const server = await rawServer((socket) => socket.write(ok('{}')));
    const client = pool(server.port);
    await call(client, { headers: { 'x-note': 'caf\u00e9' }, body: '{"\u00e9":1}' }).done;
    // The server reads UTF-8: a lone latin1 0xE9 is not one, the body's two-byte é is.
    expect(server.requests[0]).toContain('x-note: caf\ufffd\r\n');
    expect(server.requests[0]!.endsWith('content-length: 8\r\n\r\n{"\u00e9":1}')).toBe(true);
    client.close();
  });

  it('carries one call after another on one connection', async () => {
    const server = await rawServer((socket, _request, index) => socket.write(ok(`{"n":${index}}`, 'Keep-Alive: timeout=5\r\n')));
    const client = pool(server.port);
    for (let i = 0; i < 5; i++) expect((await call(client).done).body).toBe(`{"n":${i}}`);
    expect(server.sockets).toHaveLength(1);
    client.close();
  });

  it('opens a new connection after one the server closes, or asks to', async () => {
    const server = await rawServer((socket, _request, index) => {
      if (index === 0) socket.write(ok('{}', 'Connection: close\r\n'));
      else if (index === 1) socket.end(ok('{}'));
      else socket.write(ok('{}'));
    });
    const client = pool(server.port);
    for (let i = 0; i < 3; i++) {
      await call(client).done;
      // The server's close reaches the client before the next call, as it would between real calls.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(server.sockets).toHaveLength(3);
    client.close();
  });

  it('does not reuse a connection the server keeps alive for a second or less', async () => {
    const server = await rawServer((socket) => socket.write(ok('{}', 'Keep-Alive: timeout=1\r\n')));
    const client = pool(server.port);
    await call(client).done;
    await call(client).done;
    expect(server.sockets).toHaveLength(2);
  });

  it('keeps to its connection limit: calls past it wait, then run in order', async () => {
    const held: net.Socket[] = [];
    const server = await rawServer((socket) => held.push(socket));
    const client = pool(server.port, 2);
    const calls = Array.from({ length: 5 }, (_, i) => call(client, { body: `{"i":${i}}` }));
    await expect.poll(() => server.requests.length).toBe(2);
    expect(server.sockets).toHaveLength(2);
    // The third call is cancelled while it waits: it fails with the reason and is never sent.
    calls[2]!.abort(new Error('client_aborted'));
    await expect(calls[2]!.done).rejects.toThrow('client_aborted');
    while (held.length > 0) held.shift()!.write(ok('{}'));
    await expect.poll(() => server.requests.length).toBe(4);
    while (held.length > 0) held.shift()!.write(ok('{}'));
    await Promise.all([0, 1, 3, 4].map((i) => calls[i]!.done));
    expect(server.sockets).toHaveLength(2);
    expect(server.requests.map((request) => request.slice(-7))).toEqual(['{"i":0}', '{"i":1}', '{"i":3}', '{"i":4}']);
    client.close();
  });

  it('fails a call whose connection breaks, and cuts the connection of one cancelled', async () => {
    const server = await rawServer((socket, _request, index) => {
      if (index === 0) socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort');
      else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nsome');
    });
    const client = pool(server.port);
    await expect(call(client).done).rejects.toThrow(/closed before the response ended/);
    const cancelled = call(client);
    await expect.poll(() => server.requests.length).toBe(2);
    cancelled.abort(new Error('idle_timeout'));
    await expect(cancelled.done).rejects.toThrow('idle_timeout');
    await expect.poll(() => server.sockets[1]!.destroyed || server.sockets[1]!.readableEnded).toBe(true);
  });

  it('drops a connection on which the server speaks out of turn', async () => {
    const server = await rawServer((socket, _request, index) => {
      socket.write(ok('{}'));
      if (index === 0) setTimeout(() => socket.write('HTTP/1.1 200 OK\r\n\r\n'), 5);
    });
    const client = pool(server.port);
    await call(client).done;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect((await call(client).done).status).toBe(200);
    expect(server.sockets).toHaveLength(2);
  });

  it('fails a call to a port nothing listens on', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    await expect(call(pool(port)).done).rejects.toThrow(/ECONNREFUSED/);
  });

  it('speaks TLS, refusing a certificate it cannot verify', async () => {
    const server = await rawServer((socket) => socket.write(ok('{"tls":true}')), true);
    await expect(call(pool(server.port, 8, true)).done).rejects.toThrow(/self.signed|certificate/i);
    const trusting = pool(server.port, 8, true, cert);
    expect((await call(trusting).done).body).toBe('{"tls":true}');
    expect((await call(trusting).done).body).toBe('{"tls":true}');
    // The refused handshake never reached the server's handler: one connection, carrying both calls.
    expect(server.sockets).toHaveLength(1);
    trusting.close();
  });
});
