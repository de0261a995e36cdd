import { runServer } from '../shared/lifecycle.js';
import { bunHost } from './host.js';

/**
 * `bun adapters/bun/main.ts` (`npm run start:bun`): the gateway on Bun.serve with the JSON-file
 * store under ROUTERLY_HOME, the same environment variables as `npm start`, and the same drain
 * on SIGTERM/SIGINT (adapters/shared/lifecycle.ts).
 */
await runServer(bunHost());
