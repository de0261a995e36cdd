// Whether dist/ (npm run build:lib, which npm install runs through the prepare script) stands for
// the sources: plain JavaScript, so that `npm start` can ask before anything loads TypeScript.
import { existsSync, readdirSync, statSync } from 'node:fs';

/** The repository's root folder. */
const ROOT = new URL('../', import.meta.url);

/**
 * Why `built` (a path under `root`, the repository's by default) cannot stand for the TypeScript
 * files under `sources` (folders under `root`): missing, or older than one of them. Undefined
 * when it can.
 * @param {string} built
 * @param {readonly string[]} sources
 * @param {URL} [root]
 * @returns {string | undefined}
 */
export function staleBuild(built, sources, root = ROOT) {
  const entry = new URL(built, root);
  if (!existsSync(entry)) return `${built} is missing`;
  const builtAt = statSync(entry).mtimeMs;
  /** @param {URL} folder @returns {string | undefined} */
  const newer = (folder) => {
    for (const item of readdirSync(folder, { withFileTypes: true })) {
      const url = new URL(item.isDirectory() ? `${item.name}/` : item.name, folder);
      const found = item.isDirectory() ? newer(url) : item.name.endsWith('.ts') && statSync(url).mtimeMs > builtAt ? url.pathname : undefined;
      if (found) return found;
    }
    return undefined;
  };
  for (const folder of sources) {
    const changed = newer(new URL(`${folder}/`, root));
    if (changed) return `${changed} is newer than ${built}`;
  }
  return undefined;
}
