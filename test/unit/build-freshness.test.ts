// npm start runs dist/ only while it is as new as the sources (scripts/start.mjs); the bench
// refuses a stale one (bench/processes.ts). Both ask scripts/build-freshness.mjs.

import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { staleBuild } from '../../scripts/build-freshness.mjs';

const folders: string[] = [];
afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

async function tree(): Promise<{ root: URL; at: (path: string, seconds: number) => Promise<void> }> {
  const folder = await mkdtemp(join(tmpdir(), 'freshness-'));
  folders.push(folder);
  const at = async (path: string, seconds: number) => {
    const file = join(folder, path);
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, '');
    await utimes(file, seconds, seconds);
  };
  return { root: pathToFileURL(`${folder}/`), at };
}

describe('staleBuild', () => {
  it('says a missing build is missing', async () => {
    const { root, at } = await tree();
    await at('src/a.ts', 1000);
    expect(staleBuild('dist/main.js', ['src'], root)).toBe('dist/main.js is missing');
  });

  it('accepts a build newer than every source, however deep', async () => {
    const { root, at } = await tree();
    await at('src/a.ts', 1000);
    await at('src/deep/er/b.ts', 1500);
    await at('dist/main.js', 2000);
    expect(staleBuild('dist/main.js', ['src'], root)).toBeUndefined();
  });

  it('names a source edited after the build, in a nested folder too; other files do not count', async () => {
    const { root, at } = await tree();
    await at('src/a.ts', 1000);
    await at('src/notes.md', 3000);
    await at('dist/main.js', 2000);
    expect(staleBuild('dist/main.js', ['src'], root)).toBeUndefined();
    await at('src/deep/b.ts', 3000);
    expect(staleBuild('dist/main.js', ['src'], root)).toMatch(/src\/deep\/b\.ts is newer than dist\/main\.js$/);
  });
});
