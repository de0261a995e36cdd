import { serve } from '@hono/node-server';
import { ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Listener, RequestHandler } from '../shared/lifecycle.js';
import { ResponsePresence } from './presence.js';
import { RawHeaders } from './raw-headers.js';
import { finishReading, incomingBody } from './request-body.js';
import { honoStreamBody } from './stream-body.js';

/** Serves `handler` over node:http (@hono/node-server). */
export async function listenNode(options: { hostname: string; port: number; handler: RequestHandler }): Promise<Listener> {
  const { hostname, handler } = options;
  const server = await new Promise<Server>((resolve, reject) => {
    const created = serve(
      {
        // The socket's address is what login throttling counts by (RequestContext.clientAddress).
        // An HTTP/1 server (createServer's default): its bindings are node:http's request and response.
        fetch: (request, env) => {
          const { incoming, outgoing } = env as { incoming: IncomingMessage; outgoing: ServerResponse };
          return handler(request, {
            clientAddress: incoming.socket.remoteAddress,
            client: new ResponsePresence(outgoing),
            streamBody: honoStreamBody,
            afterResponse,
            readBody: incomingBody(incoming, () => request.arrayBuffer()),
            headers: new RawHeaders(incoming.rawHeaders),
          });
        },
        hostname,
        port: options.port,
        serverOptions: { ServerResponse: GatewayResponse as typeof ServerResponse },
      },
      () => resolve(created as Server),
    ) as Server;
    created.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${urlHost(hostname)}:${port}`,
    port,
    async close(graceMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Cutting a connection aborts its request's signal: the gateway records the call as cut.
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}

/**
 * The server's responses. Hono flushes a streamed response's headers on their own before its
 * body. Every stream the gateway answers with has its first chunk ready (a relay starts once the
 * provider's first event is in), so the headers wait for it and go out in the same write, as
 * node:http sends them when nobody flushes: one write and one wake-up of the client fewer per
 * stream. And the end of a response resumes its request, read whole by incomingBody
 * (finishReading): after the answer's write, not on the way to the provider.
 */
export class GatewayResponse extends ServerResponse {
  override flushHeaders(): void {}

  override end(...args: unknown[]): this {
    finishReading(this.req);
    return (ServerResponse.prototype.end as (...args: unknown[]) => this).apply(this, args);
  }
}

/**
 * A call's accounting (RequestContext.afterResponse), once its answer is written. The gateway's
 * promise settles in a microtask and @hono/node-server writes the answer in the next ones; an
 * immediate runs after all of them, in this turn of the event loop, and before the next turn
 * reads any new request, so the same client's next call already sees this one settled.
 */
function afterResponse(task: () => void): void {
  setImmediate(task);
}

/** The host part of the URL clients reach a server at: brackets for IPv6, and 0.0.0.0 reached via loopback. */
export function urlHost(hostname: string): string {
  if (hostname === '0.0.0.0') return '127.0.0.1';
  if (hostname === '::') return '[::1]';
  return hostname.includes(':') ? `[${hostname}]` : hostname;
}
