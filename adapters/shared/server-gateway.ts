import { createGateway, type Gateway, type GatewayDeps } from '../../src/index.js';
import { folderAssets } from '../node/assets.js';
import { loadOpenAITokenizer } from '../node/tokenizer.js';

/**
 * The gateway of a server process (Node, Bun, Deno), whatever it stores in: the JSON files under
 * ROUTERLY_HOME (file-gateway.ts) or a Redis shared with other nodes (redis-gateway.ts). node:fs
 * and node:path run on all three; the dashboard's files and the OpenAI tokenizer come from
 * adapters/node/, plain node:fs and pure JavaScript.
 */
/**
 * What a server passes through to createGateway, as GatewayDeps says. `upstream` is Node's
 * (adapters/node/upstream.ts); Bun and Deno leave it out and go through `fetch`. `assets`
 * defaults to the build in dashboard/dist, when there is one.
 */
export type ServerGatewayOptions = Pick<GatewayDeps, 'settings' | 'logger' | 'fetch' | 'upstream' | 'now' | 'assets' | 'onCall'>;

export interface ServerGateway {
  gateway: Gateway;
  /** Waits for the work handed to waitUntil (usage writes after a response), then writes out buffered usage. */
  settle(): Promise<void>;
}

/** Where the gateway keeps its state, and the secret that seals it: what differs between files and Redis. */
export type GatewayStorage = Pick<GatewayDeps, 'store' | 'counters' | 'configChanges' | 'instanceId' | 'secret'>;

/** Builds the gateway and waits until it is ready: a bad secret or a corrupt config file rejects. */
export async function startServerGateway(storage: GatewayStorage, options: ServerGatewayOptions): Promise<ServerGateway> {
  /** Work handed to waitUntil, by the promise handed over: the calls of one usage batch all hand over the same one, tracked once. */
  const background = new Map<Promise<unknown>, Promise<unknown>>();
  const assets = options.assets ?? folderAssets();
  const gateway = createGateway({
    ...storage,
    ...(assets ? { assets } : {}),
    settings: options.settings,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.upstream ? { upstream: options.upstream } : {}),
    logger: options.logger,
    loadOpenAITokenizer,
    ...(options.now ? { now: options.now } : {}),
    ...(options.onCall ? { onCall: options.onCall } : {}),
    waitUntil(promise) {
      if (background.has(promise)) return;
      background.set(promise, promise.catch(() => undefined).finally(() => background.delete(promise)));
    },
  });
  // Refuse to start on a bad secret or a corrupt config file rather than serve 503s.
  await gateway.ready();
  return {
    gateway,
    async settle() {
      await Promise.all(background.values());
      await gateway.flush();
    },
  };
}
