/**
 * vitest globalSetup: builds the dashboard once before the tests, so the browser tests drive the
 * code in this tree, never a stale dashboard/dist. Vite builds it in about two seconds.
 */
import path from 'node:path';
import { build } from 'vite';

export default async function setup(): Promise<void> {
  // vitest sets NODE_ENV=test, which Vite would build into the app (Preact's debug code, unminified
  // names): build exactly what `npm run build:dashboard` builds, then put it back.
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: path.resolve(import.meta.dirname, '../../dashboard/vite.config.ts'), mode: 'production', logLevel: 'warn' });
  } finally {
    process.env.NODE_ENV = previous;
  }
}
