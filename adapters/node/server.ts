import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { backfillRollups, createGateway, type Gateway, type GatewaySettings, type Logger, type StaticAssets } from '../../src/index.js';
import { folderAssets } from './assets.js';
import { createFileStore, removeStaleTempFiles } from '../../storage/files.js';
import { loadOpenAITokenizer } from './tokenizer.js';
import { createNodeFetch } from './fetch.js';
import { jsonLogger } from './logger.js';
import { loadOrCreateSecret } from '../shared/secret.js';

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
  /** Outbound fetch; defaults to node:http(s) with keep-alive agents (see fetch.ts). */
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

/** Serves the gateway over node:http with the JSON-file store. Builds deps; nothing else. */
export async function startNodeServer(options: NodeServerOptions): Promise<NodeServer> {
  const logger = options.logger === false ? undefined : (options.logger ?? jsonLogger());
  const background = new Set<Promise<unknown>>();
  // A crash mid-write (kill -9) leaves its temp file: nothing reads it, but it would pile up.
  await removeStaleTempFiles(options.home);
  const store = createFileStore(options.home);
  // Once, before serving: usage recorded by an earlier version gets its rollups, which budgets warm from.
  await backfillRollups(store, logger ?? { info() {}, warn() {}, error() {} });
  const assets = options.assets ?? folderAssets();
  const gateway = createGateway({
    store,
    ...(assets ? { assets } : {}),
    secret: await loadOrCreateSecret(options.home, options.secret),
    settings: options.settings,
    fetch: options.fetch ?? createNodeFetch(),
    logger,
    loadOpenAITokenizer,
    ...(options.now ? { now: options.now } : {}),
    waitUntil(promise) {
      const tracked = promise.catch(() => undefined).finally(() => background.delete(tracked));
      background.add(tracked);
    },
  });

  // Refuse to start on a bad secret or a corrupt config file rather than serve 503s.
  await gateway.ready();

  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<Server>((resolve, reject) => {
    const created = serve(
      {
        // The socket's address is what login throttling counts by (RequestContext.clientAddress).
        fetch: (request, env: { incoming: { socket: { remoteAddress?: string | undefined } } }) =>
          gateway.fetch(request, { clientAddress: env.incoming.socket.remoteAddress }),
        hostname: host,
        port: options.port ?? 3000,
      },
      () => resolve(created as Server),
    ) as Server;
    created.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    gateway,
    async close(graceMs = 30_000) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
      await Promise.all(background);
      await gateway.flush();
    },
  };
}
