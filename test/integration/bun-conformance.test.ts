import { describeGatewayConformance } from '../conformance/suite.js';
import { BUN, startClockedGateway } from '../support/runtime-process.js';
import { describeServerLifecycle } from '../support/runtime-lifecycle.js';

// The same suite the Node server passes, against `bun` running the real Bun entry's building
// blocks (adapters/bun/host.ts and the shared start) behind a route that moves the clock
// (test/support/clock-entry.ts): a real process, a temp ROUTERLY_HOME, the JSON-file store.
describeGatewayConformance('bun', ({ maxBodyBytes }) => startClockedGateway(BUN, ['test/support/bun-clock-entry.ts'], maxBodyBytes), {
  // Bun's HTTP client (its fetch, and its node:http, built on the same client) mostly drops the
  // bytes that arrived just before a connection reset, even for a reader already waiting:
  // against a server that writes two events and then resets, a reader waiting at once got them
  // in 2 of 50 calls on Bun, 17 of 50 through Node's adapter, 50 of 50 on Deno. Against the
  // mock provider the Node and Deno suites always get the events; on Bun a provider stream that
  // breaks right after its first events may reach the gateway as a break before any (2 tests of
  // 690 failed so in 2 of 4 runs), and the client gets a 502.
  breakMayDropEarlyEvents: true,
});

describeServerLifecycle('bun', BUN, ['adapters/bun/main.ts']);
