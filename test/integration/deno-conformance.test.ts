import { describeGatewayConformance } from '../conformance/suite.js';
import { DENO, DENO_RUN, startServerProcess } from '../support/runtime-process.js';
import { describeServerLifecycle } from '../support/runtime-lifecycle.js';

// The same suite the Node server passes, against `deno run` with `npm run start:deno`'s
// permissions running the real Deno entry's building blocks (adapters/deno/host.ts and the
// shared start) behind a route that moves the clock (test/support/clock-entry.ts): a real
// process, a temp ROUTERLY_HOME, the JSON-file store.
describeGatewayConformance('deno', async ({ maxBodyBytes }) => {
  const server = await startServerProcess(DENO, [...DENO_RUN, 'test/support/deno-clock-entry.ts'], { ROUTERLY_MAX_BODY_BYTES: String(maxBodyBytes) });
  return {
    url: server.url,
    async setClock(offsetMs: number) {
      const response = await fetch(`${server.url}/__test/clock`, { method: 'POST', body: String(offsetMs) });
      if (response.status !== 204) throw new Error(`setting the gateway's clock: ${response.status}`);
    },
    close: () => server.close(),
  };
});

describeServerLifecycle('deno', DENO, [...DENO_RUN, 'adapters/deno/main.ts']);
