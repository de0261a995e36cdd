/**
 * vitest globalSetup: builds the dashboard once before the tests, so the browser tests drive the
 * code in this tree, never a stale dashboard/dist. Vite builds it in about two seconds.
 */
import path from 'node:path';
import { build } from 'vite';

export default async function setup(): Promise<void> {
  await build({ configFile: path.resolve(import.meta.dirname, '../../dashboard/vite.config.ts'), logLevel: 'warn' });
}
