// Compile-time only, never bundled (wrangler.toml's main is worker.ts): checks that the structural
// types worker.ts uses accept what the Workers runtime really passes, per @cloudflare/workers-types.
import type { CountersObjectState } from './counters-object.js';
import worker, { RouterlyCounters } from './worker.js';

interface WorkersEnv {
  ROUTERLY_KV: KVNamespace;
  ROUTERLY_COUNTERS: DurableObjectNamespace;
  ROUTERLY_SECRET?: string;
  ROUTERLY_CONFIG_REFRESH_MS?: string;
  ROUTERLY_MAX_BODY_BYTES?: string;
}

export const _workersContract: ExportedHandler<WorkersEnv> = worker;

// The counters object: the state workerd constructs it with, and the interface it must offer.
declare const objectState: DurableObjectState;
export const _objectStateContract: CountersObjectState = objectState;
export const _objectContract: new (state: DurableObjectState, env: unknown) => DurableObject = RouterlyCounters;
