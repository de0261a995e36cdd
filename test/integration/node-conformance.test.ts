import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startNodeServer } from '../../adapters/node/server.js';
import { describeGatewayConformance } from '../conformance/suite.js';

describeGatewayConformance('node', async ({ maxBodyBytes }) => {
  const home = await mkdtemp(path.join(os.tmpdir(), 'routerly-conformance-'));
  // The gateway's clock, which the tenancy tests move forward to cross a budget period.
  let offsetMs = 0;
  const server = await startNodeServer({ home, port: 0, logger: false, settings: { maxBodyBytes }, now: () => Date.now() + offsetMs });
  return {
    url: server.url,
    setClock: (offset: number) => {
      offsetMs = offset;
      return Promise.resolve();
    },
    async close() {
      await server.close(1000);
      await rm(home, { recursive: true, force: true });
    },
  };
});
