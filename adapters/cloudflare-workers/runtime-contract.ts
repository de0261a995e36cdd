// Compile-time only, never bundled (wrangler.toml's main is worker.ts): checks that the structural
// types worker.ts uses accept what the Workers runtime really passes, per @cloudflare/workers-types.
import worker from './worker.js';

interface WorkersEnv {
  ROUTERLY_KV: KVNamespace;
  ROUTERLY_SECRET?: string;
  ROUTERLY_CONFIG_REFRESH_MS?: string;
  ROUTERLY_MAX_BODY_BYTES?: string;
}

export const _workersContract: ExportedHandler<WorkersEnv> = worker;
