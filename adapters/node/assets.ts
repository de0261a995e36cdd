import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StaticAssets } from '../../src/index.js';

/**
 * Where the dashboard's build lands: dashboard/dist at the package's root, which is two folders
 * up from this file in the repository (adapters/node/) and three in the built package
 * (dist/adapters/node/). The first that holds a build; the repository's when neither does.
 */
export const DASHBOARD_DIST = firstBuild([new URL('../../dashboard/dist', import.meta.url), new URL('../../../dashboard/dist', import.meta.url)].map((url) => fileURLToPath(url)));

function firstBuild(candidates: string[]): string {
  return candidates.find((folder) => existsSync(path.join(folder, 'index.html'))) ?? candidates[0]!;
}

/**
 * The built dashboard's files from a folder, or undefined when it holds no build (the gateway
 * then answers /dashboard with a 404 that says so). The core has already refused any path that
 * could leave the folder (src/dashboard/serve.ts); files are small, so each is read whole.
 */
export function folderAssets(root: string = DASHBOARD_DIST): StaticAssets | undefined {
  if (!existsSync(path.join(root, 'index.html'))) return undefined;
  return {
    async get(file) {
      try {
        return { body: await readFile(path.join(root, file)) };
      } catch {
        return null;
      }
    },
  };
}
