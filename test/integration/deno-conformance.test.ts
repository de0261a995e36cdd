import { describeGatewayConformance } from '../conformance/suite.js';
import { DENO, DENO_RUN, startClockedGateway } from '../support/runtime-process.js';
import { describeServerLifecycle } from '../support/runtime-lifecycle.js';

// The same suite the Node server passes, against `deno run` with `npm run start:deno`'s
// permissions running the real Deno entry's building blocks (adapters/deno/host.ts and the
// shared start) behind a route that moves the clock (test/support/clock-entry.ts): a real
// process, a temp ROUTERLY_HOME, the JSON-file store.
describeGatewayConformance('deno', ({ maxBodyBytes }) => startClockedGateway(DENO, [...DENO_RUN, 'test/support/deno-clock-entry.ts'], maxBodyBytes));

describeServerLifecycle('deno', DENO, [...DENO_RUN, 'adapters/deno/main.ts']);
