// `bun test/support/bun-clock-entry.ts`: the Bun server with a movable clock (see clock-entry.ts).
import { bunHost } from '../../adapters/bun/host.js';
import { runWithMovableClock } from './clock-entry.js';

await runWithMovableClock(bunHost());
