import type { ConfigState } from './config/state.js';
import type { CountTextTokens, Logger } from './deps.js';
import type { Store } from './store.js';
import type { UsageRecorder } from './usage/recorder.js';

/** What route handlers share, built once by createGateway. */
export interface Services {
  store: Store;
  config: ConfigState;
  usage: UsageRecorder;
  fetch: typeof fetch;
  now: () => number;
  logger: Logger;
  maxBodyBytes: number;
  sessionTtlSeconds: number;
  encryptionKey: CryptoKey;
  signingKey: Uint8Array<ArrayBuffer>;
  /** The OpenAI tokenizer, loaded once on first use; undefined when the adapter gives none. */
  openAITokenizer?: () => Promise<CountTextTokens>;
}

/** Hono's environment for every route: per-request bindings the gateway passes in. */
export interface AppEnv {
  Bindings: { waitUntil: (promise: Promise<unknown>) => void };
  Variables: { userId: string; role: string };
}
