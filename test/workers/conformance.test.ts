import { fileURLToPath } from 'node:url';
import { describeGatewayConformance } from '../conformance/suite.js';
import { startWorkerdGateway } from '../support/workerd.js';

/** The real worker behind a route that moves its clock (see clock.worker.ts). */
const CLOCK_ENTRY = fileURLToPath(new URL('./clock.worker.ts', import.meta.url));

// The same suite the Node server passes, against the real Worker in workerd with KV as its store.
describeGatewayConformance(
  'workerd',
  async ({ maxBodyBytes }) => {
    const gateway = await startWorkerdGateway({
      entrypoint: CLOCK_ENTRY,
      vars: { ROUTERLY_MAX_BODY_BYTES: String(maxBodyBytes), ROUTERLY_CONFIG_REFRESH_MS: '10000' },
    });
    return {
      ...gateway,
      async setClock(offsetMs: number) {
        const response = await fetch(`${gateway.url}/__test/clock`, { method: 'POST', body: String(offsetMs) });
        if (response.status !== 204) throw new Error(`setting the worker's clock: ${response.status}`);
      },
    };
  },
  {
    // Local workerd's HTTP server sometimes learns of a client's disconnect from a failed write
    // rather than from the socket; it then tears the request down without aborting
    // request.signal (worker-entrypoint.c++ only aborts when no exception was logged first), so
    // no JavaScript runs to record the call. The upstream request is still cancelled, and that
    // is asserted. On Cloudflare the client connection ends at the edge, not at this socket.
    disconnectRecordMayBeLost: true,
    // For the same reason, a client that disconnects before the first byte of the answer goes
    // unnoticed locally until something is written: request.signal does not abort.
    disconnectBeforeAnswerUnseen: true,
  },
);
