import { runServer } from '../shared/lifecycle.js';
import { denoHost } from './host.js';

/**
 * `deno run --allow-net --allow-env --allow-read --allow-write adapters/deno/main.ts`
 * (`npm run start:deno`): the gateway on Deno.serve with the JSON-file store under
 * ROUTERLY_HOME, the same environment variables as `npm start`, and the same drain on
 * SIGTERM/SIGINT (adapters/shared/lifecycle.ts). deno.json lets Deno resolve the
 * repository's `./x.js` imports of .ts files and its npm packages from node_modules.
 */
await runServer(denoHost());
