/**
 * What the dashboard's browser tests run against: the real Node server in a fresh ROUTERLY_HOME,
 * serving the dashboard's build from dashboard/dist, and the mock provider on 127.0.0.1.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { folderAssets } from '../../../adapters/node/assets.js';
import { startNodeServer, type NodeServer } from '../../../adapters/node/server.js';
import { startMockProvider, type MockProvider } from '../../support/mock-provider.js';

export const DASHBOARD_DIST = path.resolve(import.meta.dirname, '../../../dashboard/dist');

export interface Stack {
  gateway: NodeServer;
  provider: MockProvider;
  home: string;
  /** `gateway.url + '/dashboard/'`. */
  dashboard: string;
  close(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  // Built by test/e2e/build-dashboard.ts (vitest's globalSetup) before any test runs.
  const assets = folderAssets(DASHBOARD_DIST);
  if (!assets || !existsSync(path.join(DASHBOARD_DIST, 'index.html'))) throw new Error('dashboard/dist holds no build: run npm run build:dashboard');
  const home = await mkdtemp(path.join(os.tmpdir(), 'routerly-e2e-'));
  const provider = await startMockProvider();
  const gateway = await startNodeServer({ home, port: 0, logger: false, assets });
  return {
    gateway,
    provider,
    home,
    dashboard: `${gateway.url}/dashboard/`,
    async close() {
      await gateway.close(1000);
      await provider.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}
