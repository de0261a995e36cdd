import { backfillRollups, type Logger } from '../../src/index.js';
import { createFileStore, removeStaleTempFiles } from '../../storage/files.js';
import { loadOrCreateSecret } from './secret.js';
import { startServerGateway, type ServerGateway, type ServerGatewayOptions } from './server-gateway.js';

/**
 * The gateway of a server that keeps its config and usage in JSON files under ROUTERLY_HOME:
 * Node, Bun and Deno build it alike (server-gateway.ts).
 */
export interface FileGatewayOptions extends ServerGatewayOptions {
  /** ROUTERLY_HOME: config and data live here. */
  home: string;
  /** The master secret; when absent, read from or generated into `<home>/config/secret`. */
  secret?: string;
}

export type FileGateway = ServerGateway;

const SILENT: Logger = { info() {}, warn() {}, error() {} };

/** Builds the file-backed gateway and waits until it is ready: a bad secret or a corrupt config file rejects. */
export async function createFileGateway(options: FileGatewayOptions): Promise<FileGateway> {
  // A crash mid-write (kill -9) leaves its temp file: nothing reads it, but it would pile up.
  await removeStaleTempFiles(options.home);
  const store = createFileStore(options.home);
  // Once, before serving: usage recorded by an earlier version gets its rollups, which budgets warm from.
  await backfillRollups(store, options.logger ?? SILENT);
  return startServerGateway({ store, secret: await loadOrCreateSecret(options.home, options.secret) }, options);
}
