// `deno run ... test/support/deno-clock-entry.ts`: the Deno server with a movable clock (see clock-entry.ts).
import { denoHost } from '../../adapters/deno/host.js';
import { runWithMovableClock } from './clock-entry.js';

await runWithMovableClock(denoHost());
