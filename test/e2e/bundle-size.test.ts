/**
 * The dashboard's whole build stays under 250 KB gzipped (issue 10), so its first load is quick
 * on any link. Read from the build that globalSetup made from this tree.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { DASHBOARD_DIST } from './support/stack.js';

const BUDGET_BYTES = 250 * 1024;

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

it('builds to at most 250 KB gzipped in all, index.html and one script and one stylesheet', async () => {
  const files = await filesUnder(DASHBOARD_DIST);
  let total = 0;
  for (const file of files) total += gzipSync(await readFile(file), { level: 9 }).length;
  expect(total).toBeLessThan(BUDGET_BYTES);
  const names = files.map((file) => path.relative(DASHBOARD_DIST, file));
  expect(names).toContain('index.html');
  // Content-hashed names: the gateway caches assets/ for a year (src/dashboard/serve.ts).
  for (const name of names.filter((n) => n !== 'index.html')) expect(name).toMatch(/^assets\/[\w.-]+-[\w-]{8}\.(js|css)$/);
});
