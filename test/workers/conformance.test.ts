import { describeGatewayConformance } from '../conformance/suite.js';
import { startWorkerdGateway } from '../support/workerd.js';

// The same suite the Node server passes, against the real Worker in workerd with KV as its store.
describeGatewayConformance('workerd', async ({ maxBodyBytes }) =>
  startWorkerdGateway({ vars: { ROUTERLY_MAX_BODY_BYTES: String(maxBodyBytes), ROUTERLY_CONFIG_REFRESH_MS: '10000' } }),
);
