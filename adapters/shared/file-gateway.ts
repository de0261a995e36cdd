import {
  backfillRollups,
  createGateway,
  type CallEvent,
  type Gateway,
  type GatewaySettings,
  type Logger,
  type StaticAssets,
  type UpstreamSend,
} from '../../src/index.js';
import { createFileStore, removeStaleTempFiles } from '../../storage/files.js';
import { folderAssets } from '../node/assets.js';
import { loadOpenAITokenizer } from '../node/tokenizer.js';
import { loadOrCreateSecret } from './secret.js';

/**
 * The gateway of a server that keeps its config and usage in JSON files under ROUTERLY_HOME:
 * Node, Bun and Deno build it alike (node:fs and node:path run on all three; the dashboard's
 * files and the OpenAI tokenizer come from adapters/node/, plain node:fs and pure JavaScript).
 */
export interface FileGatewayOptions {
  /** ROUTERLY_HOME: config and data live here. */
  home: string;
  /** The master secret; when absent, read from or generated into `<home>/config/secret`. */
  secret?: string;
  settings?: GatewaySettings;
  logger?: Logger;
  /** Outbound fetch; the runtime's global fetch when absent. */
  fetch?: typeof fetch;
  /**
   * The runtime's native sender for proxied calls (GatewayDeps.upstream): Node's, from
   * adapters/node/upstream.ts. Bun and Deno leave it out and go through `fetch`.
   */
  upstream?: UpstreamSend;
  /** The gateway's clock (tests move it to cross budget periods); defaults to Date.now. */
  now?: () => number;
  /** The dashboard's files; defaults to the build in dashboard/dist, when there is one. */
  assets?: StaticAssets;
  /** Called once per finished proxied call (the console's one line per call). */
  onCall?: (event: CallEvent) => void;
}

export interface FileGateway {
  gateway: Gateway;
  /** Waits for the work handed to waitUntil (usage writes after a response), then writes out buffered usage. */
  settle(): Promise<void>;
}

const SILENT: Logger = { info() {}, warn() {}, error() {} };

/** Builds the file-backed gateway and waits until it is ready: a bad secret or a corrupt config file rejects. */
export async function createFileGateway(options: FileGatewayOptions): Promise<FileGateway> {
  const background = new Set<Promise<unknown>>();
  // A crash mid-write (kill -9) leaves its temp file: nothing reads it, but it would pile up.
  await removeStaleTempFiles(options.home);
  const store = createFileStore(options.home);
  // Once, before serving: usage recorded by an earlier version gets its rollups, which budgets warm from.
  await backfillRollups(store, options.logger ?? SILENT);
  const assets = options.assets ?? folderAssets();
  const gateway = createGateway({
    store,
    ...(assets ? { assets } : {}),
    secret: await loadOrCreateSecret(options.home, options.secret),
    settings: options.settings,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.upstream ? { upstream: options.upstream } : {}),
    logger: options.logger,
    loadOpenAITokenizer,
    ...(options.now ? { now: options.now } : {}),
    ...(options.onCall ? { onCall: options.onCall } : {}),
    waitUntil(promise) {
      const tracked = promise.catch(() => undefined).finally(() => background.delete(tracked));
      background.add(tracked);
    },
  });
  // Refuse to start on a bad secret or a corrupt config file rather than serve 503s.
  await gateway.ready();
  return {
    gateway,
    async settle() {
      await Promise.all(background);
      await gateway.flush();
    },
  };
}
