/**
 * The package as npm would publish it: `npm pack` of this tree into a temp folder, once per test
 * process, and the helpers that install that tarball into an empty folder as a user would.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

/** Temp folders made here (the tarball's, installs of it: tens of MB each), until removeTempFolders. */
const madeHere: string[] = [];

/**
 * Removes every temp folder made here, the tarball's included: a test file's afterAll calls it
 * (vitest ends its workers without an exit event to hook, and installs are too big to leave).
 */
export async function removeTempFolders(): Promise<void> {
  packed = undefined;
  await Promise.all(madeHere.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
}

export async function tempFolder(prefix: string): Promise<string> {
  const folder = await mkdtemp(path.join(os.tmpdir(), prefix));
  madeHere.push(folder);
  return folder;
}

let packed: Promise<string> | undefined;

/** Runs `npm pack` once per process into a temp folder and returns the .tgz path. */
export function packTarball(): Promise<string> {
  packed ??= pack();
  return packed;
}

async function pack(): Promise<string> {
  // vitest's globalSetup built both (test/support/build-package.ts, test/e2e/build-dashboard.ts).
  // --ignore-scripts: npm pack would otherwise run `prepare` (the whole build) again, rewriting
  // dist/ under tests that are running from it in other workers.
  for (const built of ['dist/src/index.js', 'dist/cli/main.js', 'dashboard/dist/index.html']) {
    if (!existsSync(path.join(REPO_ROOT, built))) throw new Error(`${built} is missing: run npm run build before packing`);
  }
  const destination = await tempFolder('routerly-pack-');
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], {
    cwd: REPO_ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  const [info] = JSON.parse(stdout) as Array<{ filename: string }>;
  if (!info) throw new Error(`npm pack printed no file: ${stdout.slice(0, 200)}`);
  return path.join(destination, info.filename);
}

/** The files `npm pack` would put in the tarball, from its dry run (no tarball written). */
export async function packedFileList(): Promise<string[]> {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 });
  const [info] = JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>;
  return info!.files.map((file) => file.path);
}

/**
 * Installs the packed tarball into a new empty folder, as `npm install <tgz> --omit=dev` (the
 * registry serves its dependencies; npm's usual cache makes a repeat fast), and returns the folder.
 * `extra` are further packages to install beside it (the consumer's own dependencies).
 */
export async function installPackedPackage(prefix: string, extra: string[] = []): Promise<string> {
  const tarball = await packTarball();
  const folder = await tempFolder(prefix);
  await writeFile(path.join(folder, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await run('npm', ['install', tarball, ...extra, '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: folder,
    maxBuffer: 16 * 1024 * 1024,
  });
  return folder;
}
