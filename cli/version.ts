import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let version: string | undefined;

/**
 * The package's version, from its package.json: two folders up from dist/cli/main.js, one up
 * from cli/main.ts when run from source.
 */
export function cliVersion(): string {
  if (version !== undefined) return version;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 3; i += 1, dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'routerly' && typeof pkg.version === 'string') return (version = pkg.version);
    } catch {
      // Not here: one folder up.
    }
  }
  return (version = 'unknown');
}
