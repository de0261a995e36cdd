import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ResponsePresence } from '../../adapters/node/presence.js';

/** A server whose handler hands each response to `onResponse` and answers when told. */
async function serve(onResponse: (res: ServerResponse) => void) {
  const server = createServer((req, res) => {
    req.resume();
    onResponse(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

const servers: Array<{ close(): void; closeAllConnections(): void }> = [];
afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

describe('ResponsePresence: the Node client presence from the response', () => {
  it('says a client that hung up is gone, and tells each listener once', async () => {
    let presence!: ResponsePresence;
    let heard = 0;
    const left = new Promise<void>((resolve) => {
      void serve((res) => {
        presence = new ResponsePresence(res);
        expect(presence.gone).toBe(false);
        presence.onGone(() => {
          heard++;
          resolve();
        });
        presence.onGone(() => heard++);
      }).then(({ server, port }) => {
        servers.push(server);
        const req = request({ port, host: '127.0.0.1', method: 'POST' });
        req.on('error', () => undefined);
        req.end('x');
        setTimeout(() => req.destroy(), 30);
      });
    });
    await left;
    expect(presence.gone).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(heard).toBe(2);
  });

  it('says nothing of a client whose answer was complete, and stops telling a listener that stopped listening', async () => {
    let presence!: ResponsePresence;
    const calls: string[] = [];
    const { server, port } = await serve((res) => {
      presence = new ResponsePresence(res);
      presence.onGone(() => calls.push('kept'));
      const stop = presence.onGone(() => calls.push('stopped'));
      stop();
      res.end('done');
    });
    servers.push(server);
    const body = await new Promise<string>((resolve, reject) => {
      const req = request({ port, host: '127.0.0.1', method: 'POST' }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end('x');
    });
    expect(body).toBe('done');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(presence.gone).toBe(false);
    expect(calls).toEqual([]);
  });
});
