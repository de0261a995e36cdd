import { type Gateway, type GatewaySettings, type Logger, type StaticAssets, type UpstreamSend } from '../../src/index.js';
import { createConsoleLog } from '../shared/console-log.js';
import { createFileGateway } from '../shared/file-gateway.js';
import { createNodeFetch, nodeTransport } from './fetch.js';
import { listenNode } from './listen.js';
import { createNodeUpstream } from './upstream.js';

export interface NodeServerOptions {
  /** ROUTERLY_HOME: config and data live here. */
  home: string;
  host?: string;
  port?: number;
  /** The master secret; when absent, read from or generated into `<home>/config/secret`. */
  secret?: string;
  settings?: GatewaySettings;
  /** `false` silences logs (tests, bench). */
  logger?: Logger | false;
  /**
   * Outbound fetch; defaults to node:http(s) with keep-alive agents (see fetch.ts). Given, every
   * upstream call goes through it; by default proxied calls use the native sender in upstream.ts.
   */
  fetch?: typeof fetch;
  /** The gateway's clock (tests move it to cross budget periods); defaults to Date.now. */
  now?: () => number;
  /** The dashboard's files; defaults to the build in dashboard/dist, when there is one. */
  assets?: StaticAssets;
}

export interface NodeServer {
  url: string;
  port: number;
  gateway: Gateway;
  /**
   * Stops accepting connections, lets requests in flight (streams included) finish
   * within `graceMs`, cuts what is left, then writes out pending usage.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * Node's own outbound: a fetch (the routing judge's) on node:http's keep-alive agents, and the
 * upstream sender every proxied call goes through (upstream.ts, on the HTTP/1.1 pool of
 * http1-pool.ts: no Response, Headers, stream or AbortController per call), with the same
 * address rules. Measured side by side in the bench, an undici dispatcher sender took about a
 * quarter of the gateway's CPU per non-streamed call and a third per streamed one off node:http
 * and a fetch; the pool took another 15 to 23 µs a non-streamed call off undici's (round 15).
 */
export function nodeOutbound(): { fetch: typeof fetch; upstream: UpstreamSend } {
  const transport = nodeTransport();
  return { fetch: createNodeFetch({}, transport), upstream: createNodeUpstream({}, transport) };
}

/**
 * Serves the gateway over node:http with the JSON-file store, for embedding and tests (the
 * `routerly/node` export). `npm start` runs the same building blocks through run.ts.
 */
export async function startNodeServer(options: NodeServerOptions): Promise<NodeServer> {
  // By default the console's own JSON Lines (escaped, secrets redacted), the format routerly start
  // writes when stderr is not a terminal: one log line format, not two.
  const logger =
    options.logger === false
      ? undefined
      : (options.logger ?? createConsoleLog({ level: 'info', format: 'json', write: (line) => process.stderr.write(line) }).logger);
  const { gateway, settle } = await createFileGateway({
    home: options.home,
    ...(options.secret !== undefined ? { secret: options.secret } : {}),
    ...(options.settings ? { settings: options.settings } : {}),
    ...(logger ? { logger } : {}),
    ...(options.fetch ? { fetch: options.fetch } : nodeOutbound()),
    ...(options.now ? { now: options.now } : {}),
    ...(options.assets ? { assets: options.assets } : {}),
  });
  const listener = await listenNode({
    hostname: options.host ?? '127.0.0.1',
    port: options.port ?? 3000,
    handler: (request, context) => gateway.fetch(request, context),
  });
  return {
    url: listener.url,
    port: listener.port,
    gateway,
    async close(graceMs = 30_000) {
      await listener.close(graceMs);
      await settle();
    },
  };
}
