/**
 * scripts/install.sh as `curl ... | bash` runs it, in a throwaway HOME, installing the tarball
 * `npm pack` makes of this tree (ROUTERLY_PACKAGE) instead of the registry's release: the routerly
 * command it installs works, the systemd unit is written when asked, a rerun changes nothing, an
 * unwritable npm prefix falls back to ~/.local, and a missing or old Node is refused in one line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packTarball, removeTempFolders, REPO_ROOT, tempFolder } from '../support/pack.js';
import { cleanEnv, runCommand, type Finished } from '../package/processes.js';

const SCRIPT = path.join(REPO_ROOT, 'scripts', 'install.sh');
const INSTALL_TIMEOUT_MS = 120_000;
const VERSION = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** bash by its full path, for a run whose PATH holds no bash. */
const BASH = (process.env.PATH ?? '').split(':').map((folder) => path.join(folder, 'bash')).find((file) => existsSync(file)) ?? '/bin/bash';

let tarball: string;
/** npm's cache of the user running the tests: the throwaway HOME would otherwise download every dependency again. */
let npmCache: string;

beforeAll(async () => {
  tarball = await packTarball();
  npmCache = (await runCommand('npm', ['config', 'get', 'cache'])).stdout.trim();
}, 120_000);
afterAll(removeTempFolders);

/** Runs the script with bash in `home`, with npm's global prefix at `prefix` (inside that HOME unless said otherwise). */
function install(home: string, args: string[], env: Record<string, string> = {}): Promise<Finished> {
  return runCommand('bash', [SCRIPT, ...args], {
    cwd: home,
    timeoutMs: INSTALL_TIMEOUT_MS,
    env: cleanEnv({
      HOME: home,
      XDG_CONFIG_HOME: '',
      npm_config_prefix: path.join(home, 'npm-global'),
      npm_config_cache: npmCache,
      npm_config_update_notifier: 'false',
      ROUTERLY_PACKAGE: tarball,
      ...env,
    }),
  });
}

const unitOf = (home: string) => path.join(home, '.config', 'systemd', 'user', 'routerly.service');

describe('in a throwaway HOME with a writable npm prefix', () => {
  let home: string;
  let first: Finished;
  const bin = () => path.join(home, 'npm-global', 'bin', 'routerly');

  beforeAll(async () => {
    home = await tempFolder('routerly-install-');
    first = await install(home, ['--systemd']);
  }, INSTALL_TIMEOUT_MS);

  it('installs a routerly command that runs', async () => {
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Installed routerly ${VERSION}: ${bin()}`);
    const version = await runCommand(bin(), ['--version'], { env: cleanEnv({ HOME: home }) });
    expect(version).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    const help = await runCommand(bin(), ['--help'], { env: cleanEnv({ HOME: home }) });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^\s+start\b/m);
  });

  it('says where the data lives and what to do next', () => {
    expect(first.stdout).toContain(`in ${path.join(home, '.routerly')}.`);
    expect(first.stdout).toContain('http://127.0.0.1:3000/dashboard');
    expect(first.stdout).toContain(`${bin()} setup`);
    // Not on PATH here: the script says how to put it there, and names the command by its full path.
    expect(first.stdout).toContain(`export PATH="${path.join(home, 'npm-global', 'bin')}:$PATH"`);
  });

  it('writes a systemd user unit that starts routerly and waits out its drain on stop', async () => {
    const unit = await readFile(unitOf(home), 'utf8');
    expect(unit).toContain(`ExecStart="${bin()}" start\n`);
    expect(unit).toContain(`Environment="ROUTERLY_HOME=${path.join(home, '.routerly')}"\n`);
    expect(unit).toContain(`Environment="PATH=${path.dirname(process.execPath)}:`);
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^KillSignal=SIGTERM$/m);
    expect(unit).toMatch(/^WantedBy=default\.target$/m);
    // The default drain grace is 30 s: systemd must not kill it before that.
    expect(Number(/^TimeoutStopSec=(\d+)$/m.exec(unit)?.[1])).toBeGreaterThanOrEqual(30);
    expect(first.stdout).toContain('systemctl --user enable --now routerly');
  });

  it('changes nothing when run again', async () => {
    const unitBefore = await readFile(unitOf(home), 'utf8');
    const again = await install(home, [], { ROUTERLY_SYSTEMD: '1' });
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(await readFile(unitOf(home), 'utf8')).toBe(unitBefore);
    expect(await readdir(path.dirname(unitOf(home)))).toEqual(['routerly.service']);
    expect(await readdir(path.join(home, 'npm-global', 'lib', 'node_modules'))).toEqual(['routerly']);
    expect((await runCommand(bin(), ['--version'])).stdout).toBe(`${VERSION}\n`);
  }, INSTALL_TIMEOUT_MS);
});

it("installs into ~/.local when npm's global prefix cannot be written, never asking for sudo", async () => {
  const home = await tempFolder('routerly-install-user-');
  // A folder under a plain file cannot be created, even by root (who may write anywhere else).
  const blocker = path.join(home, 'not-a-folder');
  await writeFile(blocker, '');
  const result = await install(home, ['--systemd'], { npm_config_prefix: path.join(blocker, 'prefix'), ROUTERLY_SHUTDOWN_GRACE_MS: '60000' });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.stdout).toContain(`is not writable by`);
  const bin = path.join(home, '.local', 'bin', 'routerly');
  expect((await runCommand(bin, ['--version'])).stdout).toBe(`${VERSION}\n`);
  const unit = await readFile(unitOf(home), 'utf8');
  expect(unit).toContain(`ExecStart="${bin}" start\n`);
  // A longer grace is passed on, and the stop timeout grows with it.
  expect(unit).toContain('Environment="ROUTERLY_SHUTDOWN_GRACE_MS=60000"\n');
  expect(Number(/^TimeoutStopSec=(\d+)$/m.exec(unit)?.[1])).toBeGreaterThanOrEqual(60);
}, INSTALL_TIMEOUT_MS);

describe('refuses, in one line and before installing anything,', () => {
  /** A folder holding a fake `node` that prints `version` (and a fake npm that must never run). */
  async function fakeNode(version: string): Promise<string> {
    const folder = await tempFolder('routerly-fake-node-');
    await mkdir(path.join(folder, 'bin'));
    await writeFile(path.join(folder, 'bin', 'node'), `#!/bin/sh\necho ${version}\n`);
    await writeFile(path.join(folder, 'bin', 'npm'), '#!/bin/sh\necho "npm must not run" >&2\nexit 3\n');
    await chmod(path.join(folder, 'bin', 'node'), 0o755);
    await chmod(path.join(folder, 'bin', 'npm'), 0o755);
    return folder;
  }

  for (const version of ['v18.19.0', 'v20.18.3']) {
    it(`Node ${version}`, async () => {
      const folder = await fakeNode(version);
      const result = await install(folder, [], { PATH: `${path.join(folder, 'bin')}:${process.env.PATH}` });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `routerly install: Routerly needs Node.js 20.19 or newer, and ${path.join(folder, 'bin', 'node')} is ${version}. Upgrade from https://nodejs.org/en/download (or with nvm: nvm install --lts), then run this again.\n`,
      );
      expect(existsSync(path.join(folder, 'npm-global'))).toBe(false);
    });
  }

  it('no node at all', async () => {
    const home = await tempFolder('routerly-no-node-');
    await mkdir(path.join(home, 'empty-bin'));
    // bash by its full path; on PATH only a folder with nothing in it.
    const result = await runCommand(BASH, [SCRIPT], {
      env: { HOME: home, PATH: path.join(home, 'empty-bin') },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^routerly install: Routerly needs Node\.js 20\.19 or newer, and there is no node on PATH\. Install it from https:\/\/nodejs\.org\/en\/download .*\n$/);
  });

  it('an option it does not know', async () => {
    const home = await tempFolder('routerly-bad-option-');
    const result = await install(home, ['--sytemd']);
    expect(result).toEqual({ code: 1, stdout: '', stderr: "routerly install: unknown option '--sytemd' (try --help)\n" });
  });
});
