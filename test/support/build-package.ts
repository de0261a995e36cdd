/**
 * vitest globalSetup: compiles the package (`npm run build:lib`, tsc into dist/) once before the
 * tests, so the tests that run the built CLI, embed the package or pack it use this tree's code,
 * never a stale dist/. About eight seconds on two cores.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

export default async function setup(): Promise<void> {
  const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT });
}
