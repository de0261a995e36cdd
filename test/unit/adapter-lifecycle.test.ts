import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runServer, type Listener, type RequestHandler, type ServerHost, type StopSignal } from '../../adapters/shared/lifecycle.js';

/** A host whose process and server are fakes: what the shared start does with them is what is tested. */
function fakeHost(env: Record<string, string>, listen?: (handler: RequestHandler) => Promise<Listener>) {
  const lines: string[] = [];
  let signal: ((name: StopSignal) => void) | undefined;
  let exited: (code: number) => void = () => undefined;
  const exit = new Promise<number>((resolve) => (exited = resolve));
  const closes: number[] = [];
  let handler: RequestHandler | undefined;
  const host: ServerHost = {
    runtime: 'fake 1.0',
    env,
    homeDir: undefined,
    stderr: { write: (text) => void lines.push(...text.split('\n').filter((line) => line !== '')), isTTY: false },
    onStopSignal: (listener) => void (signal = listener),
    exit: (code) => exited(code),
    listen:
      listen === undefined
        ? async (options) => {
            handler = options.handler;
            return { url: 'http://fake.test:1', port: 1, close: async (graceMs) => void closes.push(graceMs) };
          }
        : (options) => listen(options.handler),
  };
  return { host, lines, exit, closes, signal: (name: StopSignal) => signal!(name), handler: () => handler! };
}

const homes: string[] = [];
async function home(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'routerly-lifecycle-'));
  homes.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(homes.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const SECRET = 'a lifecycle test secret of 32+ characters';

describe('runServer (the shared start of Node, Bun and Deno)', () => {
  it('serves through the host, prints the banner with needsSetup, and on a signal closes with the grace, then exits 0', async () => {
    const fake = fakeHost({ ROUTERLY_HOME: await home(), ROUTERLY_SECRET: SECRET, ROUTERLY_SHUTDOWN_GRACE_MS: '1234' });
    await runServer(fake.host);
    const banner = JSON.parse(fake.lines.find((line) => line.includes('"started"'))!);
    expect(banner).toMatchObject({ url: 'http://fake.test:1', dashboardUrl: 'http://fake.test:1/dashboard', runtime: 'fake 1.0', needsSetup: true });
    const health = await fake.handler()(new Request('http://fake.test:1/health'), { clientAddress: '127.0.0.1' });
    expect(health.status).toBe(200);

    fake.signal('SIGTERM');
    fake.signal('SIGINT'); // a second signal changes nothing
    expect(await fake.exit).toBe(0);
    expect(fake.closes).toEqual([1234]);
    expect(fake.lines.filter((line) => line.includes('finishing requests in flight'))).toHaveLength(1);
  });

  it('keeps a signal that arrives during the start, and drains once it is up', async () => {
    let release: () => void = () => undefined;
    const up = new Promise<void>((resolve) => (release = resolve));
    const closes: number[] = [];
    const fake = fakeHost({ ROUTERLY_HOME: await home(), ROUTERLY_SECRET: SECRET, ROUTERLY_SHUTDOWN_GRACE_MS: '5' }, async () => {
      await up;
      return { url: 'http://fake.test:2', port: 2, close: async (graceMs) => void closes.push(graceMs) };
    });
    const running = runServer(fake.host);
    await new Promise((resolve) => setTimeout(resolve, 50));
    fake.signal('SIGINT');
    release();
    await running;
    expect(await fake.exit).toBe(0);
    expect(closes).toEqual([5]);
  });

  it.each([
    [{ ROUTERLY_PORT: 'x' }, 'Routerly could not start: ROUTERLY_PORT must be a port number from 0 to 65535, got "x"'],
    [{}, 'Routerly could not start: ROUTERLY_HOME is not set and there is no home folder to put .routerly in: set ROUTERLY_HOME'],
  ])('ends a bad start (%o) with one line and exit 1', async (env, line) => {
    const fake = fakeHost(env);
    await runServer(fake.host);
    expect(await fake.exit).toBe(1);
    expect(fake.lines).toEqual([line]);
  });

  it('names the port when the host cannot listen, and prints nothing the start logged before', async () => {
    const fake = fakeHost({ ROUTERLY_HOME: await home(), ROUTERLY_SECRET: SECRET, ROUTERLY_PORT: '8080' }, () =>
      Promise.reject(Object.assign(new Error('in use'), { code: 'EADDRINUSE' })),
    );
    await runServer(fake.host);
    expect(await fake.exit).toBe(1);
    expect(fake.lines).toEqual(['Routerly could not start: ROUTERLY_PORT 8080: 127.0.0.1:8080 is already in use by another process']);
  });
});
