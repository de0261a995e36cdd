import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeUpstream } from '../../adapters/node/upstream.js';
import type { UpstreamControl } from '../../src/http/upstream.js';

/** A control the test cancels by hand, as UpstreamCall does on a timeout or a client gone. */
function control() {
  const listeners: ((reason: Error) => void)[] = [];
  let cancelled: Error | undefined;
  const handle: UpstreamControl & { cancel(reason: string): void } = {
    onCancel(callback) {
      if (cancelled) callback(cancelled);
      else listeners.push(callback);
    },
    cancel(reason) {
      cancelled = new Error(reason);
      for (const listener of listeners.splice(0)) listener(cancelled);
    },
  };
  return handle;
}

let server: http.Server;
let base: string;
const closed: string[] = [];
/** Connections the server accepted; the paths asked on each; the paths asked on connections now closed. */
let connections = 0;
const pathsOn = new WeakMap<Socket, string[]>();
const socketsClosed: string[] = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    pathsOn.get(request.socket)?.push(request.url!);
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      response.on('close', () => closed.push(request.url!));
      switch (request.url) {
        case '/json':
          response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'r1', 'retry-after': '2' });
          response.end(JSON.stringify({ echo: body, header: request.headers['x-test'], length: request.headers['content-length'] }));
          return;
        case '/headers':
          // Names in the case a provider may send them, a field repeated, and a value beyond ASCII.
          response.writeHead(200, [
            'Content-Type', 'application/json',
            'X-RateLimit-Remaining-Requests', '99',
            'Set-Cookie', 'a=1',
            'set-cookie', 'b=2',
            'Retry-After-Ms', '250',
            'X-Note', 'caf\u00e9',
          ]);
          response.end('{}');
          return;
        case '/big':
          response.writeHead(200, { 'content-type': 'application/json' });
          for (let i = 0; i < 50; i++) response.write('x'.repeat(1000));
          response.end();
          return;
        case '/stream':
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          response.write('data: one\n\n');
          setTimeout(() => response.end('data: two\n\n'), 20);
          return;
        case '/large-stream':
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          for (let i = 0; i < 200; i++) response.write(`data: ${String(i).padStart(4, '0')}${'z'.repeat(4000)}\n\n`);
          response.end();
          return;
        case '/broken':
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          response.write('data: one\n\n');
          setTimeout(() => response.destroy(), 20);
          return;
        case '/silent':
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          response.write('data: one\n\n');
          return;
        case '/whole-big':
          // The head first, then the whole body in one write: the cap is passed in the read that ends the answer.
          response.writeHead(200, { 'content-type': 'application/json', 'content-length': 2_000 });
          response.flushHeaders();
          setTimeout(() => response.end('x'.repeat(2_000)), 20);
          return;
        case '/refusal':
          response.writeHead(429, { 'content-type': 'application/json', 'content-length': 20 });
          response.end('{"error":"slow down"}'.slice(0, 20));
          return;
        case '/refusal-chunked':
          response.writeHead(429, { 'content-type': 'application/json' });
          response.write('{"error":');
          setTimeout(() => response.end('"slow down"}'), 20);
          return;
        case '/refusal-stalled':
          response.writeHead(429, { 'content-type': 'application/json', 'content-length': 100 });
          response.write('{"error":');
          return;
        case '/no-content':
          response.writeHead(204);
          response.end();
          return;
        default:
          // Never answers: the caller must cancel.
          return;
      }
    });
  });
  server.on('connection', (socket: Socket) => {
    connections++;
    const paths: string[] = [];
    pathsOn.set(socket, paths);
    socket.once('close', () => socketsClosed.push(...paths));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const request = (path: string) => ({ url: `${base}${path}`, headers: new Headers({ 'x-test': 'yes', 'content-type': 'application/json' }), body: '{"a":"é"}' });
const text = (bytes: Uint8Array | null) => new TextDecoder().decode(bytes!);

const send = createNodeUpstream();

describe('the Node upstream sender', () => {
  it('posts the body with its headers and length, and reads a whole answer with its headers', async () => {
    const answer = await send(request('/json'), control());
    expect(answer.status).toBe(200);
    expect(answer.header('content-type')).toBe('application/json');
    expect(answer.header('x-request-id')).toBe('r1');
    expect(answer.header('retry-after')).toBe('2');
    expect(answer.header('x-missing')).toBeNull();
    expect(JSON.parse(text(await answer.bytes(10_000)))).toEqual({ echo: '{"a":"é"}', header: 'yes', length: '10' });
  });

  it('finds a header by its lower-case name whatever case it came in, repeated fields joined in order', async () => {
    const answer = await send(request('/headers'), control());
    expect(answer.header('content-type')).toBe('application/json');
    expect(answer.header('x-ratelimit-remaining-requests')).toBe('99');
    expect(answer.header('set-cookie')).toBe('a=1, b=2');
    expect(answer.header('retry-after-ms')).toBe('250');
    expect(answer.header('retry-after')).toBeNull();
    expect(answer.header('x-note')).toBe('caf\u00e9');
    expect(text(await answer.bytes(100))).toBe('{}');
  });

  it('answers null past the cap, and lets the connection go', async () => {
    const answer = await send(request('/big'), control());
    expect(await answer.bytes(10_000)).toBeNull();
    expect((await send(request('/big'), control()).then((a) => a.bytes(100_000)))?.byteLength).toBe(50_000);
  });

  it('does not reuse a connection cut for its cap in the read that ended the answer', async () => {
    const own = createNodeUpstream();
    expect(await (await own(request('/whole-big'), control())).bytes(1_000)).toBeNull();
    // At once, before the cut connection's close is seen: the next call must not be written to it.
    const next = await own(request('/json'), control());
    expect(next.status).toBe(200);
    expect(JSON.parse(text(await next.bytes(10_000))).header).toBe('yes');
  });

  it('drains a small refusal it lets go, keeping its connection, and cuts a chunked or stalled one', async () => {
    const own = createNodeUpstream();
    await (await own(request('/json'), control())).bytes(10_000);
    const before = connections;
    (await own(request('/refusal'), control())).cancel();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await (await own(request('/json'), control())).bytes(10_000);
    expect(connections).toBe(before);

    (await own(request('/refusal-chunked'), control())).cancel();
    await expect.poll(() => socketsClosed.includes('/refusal-chunked')).toBe(true);

    (await own(request('/refusal-stalled'), control())).cancel();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(socketsClosed).not.toContain('/refusal-stalled');
    await expect.poll(() => socketsClosed.includes('/refusal-stalled'), { timeout: 2000 }).toBe(true);
  });

  it('reads an empty body for a status without one', async () => {
    const answer = await send(request('/no-content'), control());
    expect(answer.status).toBe(204);
    expect((await answer.bytes(10))?.byteLength).toBe(0);
  });

  it('hands a stream over chunk by chunk, then ends', async () => {
    const answer = await send(request('/stream'), control());
    const chunks = answer.chunks()!;
    let all = '';
    for (;;) {
      const { done, value } = await chunks.read();
      if (done) break;
      all += new TextDecoder().decode(value);
    }
    expect(all).toBe('data: one\n\ndata: two\n\n');
  });

  it('reads a stream larger than what it reads ahead whole and in order, however slowly it is read', async () => {
    const answer = await send(request('/large-stream'), control());
    const chunks = answer.chunks()!;
    let all = '';
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      const { done, value } = await chunks.read();
      if (done) break;
      all += new TextDecoder().decode(value);
    }
    const events = all.split('\n\n').filter(Boolean);
    expect(events).toHaveLength(200);
    expect(events.map((event) => Number(event.slice(6, 10)))).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('fails a stream whose connection breaks, after what came before it', async () => {
    const answer = await send(request('/broken'), control());
    const chunks = answer.chunks()!;
    expect(text((await chunks.read()).value!)).toBe('data: one\n\n');
    await expect(chunks.read()).rejects.toThrow();
  });

  it('fails a pending read at once when the call is cancelled, and cuts the connection', async () => {
    const ctl = control();
    const answer = await send(request('/silent'), ctl);
    const chunks = answer.chunks()!;
    await chunks.read();
    const pending = chunks.read();
    ctl.cancel('idle_timeout');
    await expect(pending).rejects.toThrow('idle_timeout');
    await expect.poll(() => closed.includes('/silent')).toBe(true);
  });

  it('rejects the send when cancelled before any answer, and when cancelled already', async () => {
    const ctl = control();
    const pending = send(request('/hang'), ctl);
    setTimeout(() => ctl.cancel('connect_timeout'), 20);
    await expect(pending).rejects.toThrow('connect_timeout');
    const gone = control();
    gone.cancel('client_aborted');
    await expect(send(request('/json'), gone)).rejects.toThrow('client_aborted');
  });

  it('refuses a cloud metadata address before connecting', async () => {
    await expect(send({ ...request('/json'), url: 'http://169.254.169.254/latest' }, control())).rejects.toThrow(/refused to connect/);
  });

  it('fails to reach a closed port', async () => {
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    await expect(send({ ...request('/json'), url: `http://127.0.0.1:${port}/` }, control())).rejects.toThrow();
  });
});
