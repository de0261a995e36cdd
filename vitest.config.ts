import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The browser tests drive the dashboard built from this tree, and the CLI and package tests the
    // JavaScript compiled from it, never a stale dashboard/dist or dist/.
    globalSetup: ['test/e2e/build-dashboard.ts', 'test/support/build-package.ts'],
    // Integration tests start real servers on 127.0.0.1; give workerd time to boot on a small machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: keep workerd and the servers from starving each other.
    maxWorkers: 2,
  },
});
