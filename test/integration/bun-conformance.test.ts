import { describeGatewayConformance } from '../conformance/suite.js';
import { BUN, startServerProcess } from '../support/runtime-process.js';
import { describeServerLifecycle } from '../support/runtime-lifecycle.js';

// The same suite the Node server passes, against `bun` running the real Bun entry's building
// blocks (adapters/bun/host.ts and the shared start) behind a route that moves the clock
// (test/support/clock-entry.ts): a real process, a temp ROUTERLY_HOME, the JSON-file store.
describeGatewayConformance('bun', async ({ maxBodyBytes }) => {
  const server = await startServerProcess(BUN, ['test/support/bun-clock-entry.ts'], { ROUTERLY_MAX_BODY_BYTES: String(maxBodyBytes) });
  return {
    url: server.url,
    async setClock(offsetMs: number) {
      const response = await fetch(`${server.url}/__test/clock`, { method: 'POST', body: String(offsetMs) });
      if (response.status !== 204) throw new Error(`setting the gateway's clock: ${response.status}`);
    },
    close: () => server.close(),
  };
});

describeServerLifecycle('bun', BUN, ['adapters/bun/main.ts']);
