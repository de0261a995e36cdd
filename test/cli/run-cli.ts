/**
 * Runs the built `routerly` bin (dist/cli/main.js, compiled by vitest's globalSetup) as a user
 * would: a subprocess with its own HOME and XDG_CONFIG_HOME, so no test touches a real session.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'dist', 'cli', 'main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliUser {
  home: string;
  /** Where the session file lives: $XDG_CONFIG_HOME/routerly/session.json. */
  sessionFile: string;
  env: Record<string, string>;
  run(args: string[], options?: { input?: string; env?: Record<string, string>; umask?: string }): Promise<CliResult>;
  cleanup(): Promise<void>;
}

/** A throwaway user: its own HOME and config folder, an environment with nothing of ours in it. */
export async function cliUser(): Promise<CliUser> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'routerly-cli-'));
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, XDG_CONFIG_HOME: path.join(home, 'config') };
  return {
    home,
    sessionFile: path.join(home, 'config', 'routerly', 'session.json'),
    env,
    run: (args, options = {}) => runCli(args, { ...env, ...options.env }, options.input, options.umask),
    cleanup: () => rm(home, { recursive: true, force: true }),
  };
}

/** `node dist/cli/main.js ...args`, stdin closed after `input` (empty: a script with nothing piped). */
export function runCli(args: string[], env: Record<string, string>, input = '', umask?: string): Promise<CliResult> {
  // With a umask, through sh: the umask a user's shell would hand the CLI.
  const [command, argv] = umask === undefined ? [process.execPath, [BIN, ...args]] : ['/bin/sh', ['-c', `umask ${umask} && exec "$0" "$@"`, process.execPath, BIN, ...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv as string[], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}
