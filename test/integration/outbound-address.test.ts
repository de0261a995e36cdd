import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeFetch, guardedLookup, type Resolver } from '../../adapters/node/fetch.js';

/**
 * The Node adapter's outbound fetch refuses to connect to a cloud metadata endpoint (and, with
 * forbidPrivateAddresses, to private addresses), whatever name leads there: it checks every
 * address DNS answers when it opens a connection. DNS is replaced by an injected resolver;
 * names it maps to 127.0.0.1 reach a real local server.
 */

let server: http.Server;
let port: number;
let hits = 0;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    hits++;
    // Closing after each answer makes the next call open (and look up) a new connection.
    response.writeHead(200, { 'content-type': 'application/json', connection: request.headers['x-close'] ? 'close' : 'keep-alive' });
    response.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A resolver from a table; a name with several answers (or a function: rebinding) gets them all. */
function fakeDns(table: Record<string, string[] | (() => string[])>) {
  const asked: string[] = [];
  const resolve: Resolver = (hostname, _options, callback) => {
    asked.push(hostname);
    const entry = table[hostname];
    const addresses = typeof entry === 'function' ? entry() : entry;
    setImmediate(() => {
      if (!addresses) return callback(Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
      callback(
        null,
        addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
      );
    });
  };
  return { resolve, asked };
}

const post = (f: typeof fetch, url: string, headers: Record<string, string> = {}) =>
  f(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });

describe('guardedLookup', () => {
  function run(lookup: ReturnType<typeof guardedLookup>, hostname: string, options: LookupOptions) {
    return new Promise<{ error: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number }>((resolve) =>
      lookup(hostname, options, (error, address, family) => resolve({ error, address, family })),
    );
  }

  it('answers like dns.lookup for allowed names, in both shapes Node asks for', async () => {
    const dns = fakeDns({ 'good.test': ['127.0.0.1', '::1'] });
    const lookup = guardedLookup({}, dns.resolve);
    expect(await run(lookup, 'good.test', { all: true })).toMatchObject({
      error: null,
      address: [
        { address: '127.0.0.1', family: 4 },
        { address: '::1', family: 6 },
      ],
    });
    expect(await run(lookup, 'good.test', {})).toMatchObject({ error: null, address: '127.0.0.1', family: 4 });
  });

  it.each([
    ['169.254.169.254'],
    ['169.254.170.2'],
    ['::ffff:169.254.169.254'],
    ['fd00:ec2::254'],
    ['100.100.100.200'],
  ])('refuses a name that resolves to %s, also among other addresses', async (bad) => {
    const dns = fakeDns({ 'evil.test': ['93.184.216.34', bad] });
    const answer = await run(guardedLookup({}, dns.resolve), 'evil.test', {});
    expect(answer.error?.message).toMatch(/evil\.test.*metadata/);
    expect((answer.error as { code?: string }).code).toBe('ERR_ROUTERLY_FORBIDDEN_ADDRESS');
  });

  it('refuses metadata names without asking DNS', async () => {
    const dns = fakeDns({});
    for (const name of ['metadata.google.internal', 'metadata', 'metadata.goog.']) {
      expect((await run(guardedLookup({}, dns.resolve), name, { all: true })).error?.message, name).toMatch(/metadata/);
    }
    expect(dns.asked).toEqual([]);
  });

  it('refuses private addresses only when told to', async () => {
    const dns = fakeDns({ 'inside.test': ['10.0.0.7'] });
    expect((await run(guardedLookup({}, dns.resolve), 'inside.test', {})).error).toBeNull();
    expect((await run(guardedLookup({ forbidPrivateAddresses: true }, dns.resolve), 'inside.test', {})).error?.message).toMatch(/forbidPrivateAddresses/);
    expect((await run(guardedLookup({ forbidPrivateAddresses: true }, dns.resolve), 'localhost', {})).error?.message).toMatch(/forbidPrivateAddresses/);
  });

  it('passes DNS errors on', async () => {
    const answer = await run(guardedLookup({}, fakeDns({}).resolve), 'nowhere.test', {});
    expect(answer.error?.code).toBe('ENOTFOUND');
  });
});

describe('createNodeFetch', () => {
  it('connects to a name that resolves to an allowed address', async () => {
    const fetchFn = createNodeFetch({ resolve: fakeDns({ 'good.test': ['127.0.0.1'] }).resolve });
    const response = await post(fetchFn, `http://good.test:${port}/v1/chat/completions`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it('refuses to connect to a name that resolves to 169.254.169.254', async () => {
    const dns = fakeDns({ 'evil.test': ['169.254.169.254'] });
    const fetchFn = createNodeFetch({ resolve: dns.resolve });
    await expect(post(fetchFn, `http://evil.test:${port}/v1/chat/completions`)).rejects.toThrow(/evil\.test.*169\.254\.169\.254.*metadata/);
    await expect(post(fetchFn, `https://evil.test:${port}/v1/chat/completions`)).rejects.toThrow(/metadata/);
    expect(dns.asked).toEqual(['evil.test', 'evil.test']);
  });

  it('catches a DNS answer that changes to a metadata address after a first good connection (rebinding)', async () => {
    let answers = 0;
    const dns = fakeDns({ 'rebind.test': () => (++answers === 1 ? ['127.0.0.1'] : ['169.254.169.254']) });
    const fetchFn = createNodeFetch({ resolve: dns.resolve });
    const before = hits;
    const first = await post(fetchFn, `http://rebind.test:${port}/v1/chat/completions`, { 'x-close': '1' });
    expect(first.status).toBe(200);
    await first.text();
    await expect(post(fetchFn, `http://rebind.test:${port}/v1/chat/completions`)).rejects.toThrow(/metadata/);
    expect(hits - before).toBe(1);
    expect(answers).toBe(2);
  });

  it('reuses a kept-alive connection without looking the name up again', async () => {
    const dns = fakeDns({ 'alive.test': ['127.0.0.1'] });
    const fetchFn = createNodeFetch({ resolve: dns.resolve });
    for (let i = 0; i < 3; i++) await (await post(fetchFn, `http://alive.test:${port}/v1/x`)).text();
    expect(dns.asked).toEqual(['alive.test']);
  });

  it.each([
    'http://169.254.169.254/latest/meta-data',
    'http://2852039166/',
    'http://[::ffff:169.254.169.254]/',
    'http://[fd00:ec2::254]/',
    'http://metadata.google.internal/computeMetadata/v1',
    'http://100.100.100.200/',
  ])('refuses %s before any connection or lookup', async (url) => {
    const dns = fakeDns({});
    const fetchFn = createNodeFetch({ resolve: dns.resolve });
    await expect(post(fetchFn, url)).rejects.toThrow(/metadata/);
    // The path the gateway never takes (a Request, a non-string body) is checked as well.
    await expect(fetchFn(new Request(url, { method: 'POST', body: '{}' }))).rejects.toThrow(/metadata/);
    expect(dns.asked).toEqual([]);
  });

  it('checks the addresses of a name on the global-fetch path too', async () => {
    const fetchFn = createNodeFetch({ resolve: fakeDns({ 'evil.test': ['169.254.169.254'] }).resolve });
    await expect(fetchFn(new Request(`http://evil.test:${port}/`, { method: 'POST', body: '{}' }))).rejects.toThrow(/metadata/);
  });

  it('refuses loopback and private addresses only with forbidPrivateAddresses', async () => {
    const open = createNodeFetch({ resolve: fakeDns({}).resolve });
    expect((await post(open, `http://127.0.0.1:${port}/v1/x`)).status).toBe(200);
    const strict = createNodeFetch({ forbidPrivateAddresses: true, resolve: fakeDns({ 'inside.test': ['127.0.0.1'] }).resolve });
    await expect(post(strict, `http://127.0.0.1:${port}/v1/x`)).rejects.toThrow(/forbidPrivateAddresses/);
    await expect(post(strict, `http://inside.test:${port}/v1/x`)).rejects.toThrow(/forbidPrivateAddresses/);
  });

  it('follows forbidPrivateAddresses given as a function (a setting that can change)', async () => {
    let forbid = false;
    const dns = fakeDns({ 'inside.test': ['127.0.0.1'] });
    const following = createNodeFetch({ forbidPrivateAddresses: () => forbid, resolve: dns.resolve });
    expect((await post(following, `http://127.0.0.1:${port}/v1/x`, { 'x-close': '1' })).status).toBe(200);
    expect((await post(following, `http://inside.test:${port}/v1/x`, { 'x-close': '1' })).status).toBe(200);
    forbid = true;
    await expect(post(following, `http://127.0.0.1:${port}/v1/x`)).rejects.toThrow(/forbidPrivateAddresses/);
    await expect(post(following, `http://inside.test:${port}/v1/x`)).rejects.toThrow(/forbidPrivateAddresses/);
  });
});
