import { describeGatewayConformance } from '../conformance/suite.js';
import { startWorkerdGateway } from '../support/workerd.js';

// The same suite the Node server passes, against the real Worker in workerd with KV as its store.
describeGatewayConformance(
  'workerd',
  async ({ maxBodyBytes }) =>
    startWorkerdGateway({ vars: { ROUTERLY_MAX_BODY_BYTES: String(maxBodyBytes), ROUTERLY_CONFIG_REFRESH_MS: '10000' } }),
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
