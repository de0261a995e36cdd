/**
 * routerly setup, login, status, passwd and logout against a real gateway: the session file is
 * the owner's only (whatever the umask), the token is never printed, and each way of not being
 * logged in ends with one line on stderr and exit code 3.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startNodeServer, type NodeServer } from '../../adapters/node/server.js';
import { BIN, cliUser, type CliUser } from './run-cli.js';

const EMAIL = 'admin@example.com';
const PASSWORD = 'correct horse battery';

// Each test runs the CLI a dozen times or more, a process each: slow when the machine is busy.
vi.setConfig({ testTimeout: 120_000 });

let gatewayHome: string;
let server: NodeServer;
let user: CliUser;

beforeAll(async () => {
  gatewayHome = await mkdtemp(path.join(os.tmpdir(), 'routerly-cli-gw-'));
  server = await startNodeServer({ home: gatewayHome, port: 0, logger: false });
  user = await cliUser();
});
afterAll(async () => {
  await server?.close(1000);
  await user?.cleanup();
  await rm(gatewayHome, { recursive: true, force: true });
});

const oneLine = (text: string) => text.endsWith('\n') && !text.slice(0, -1).includes('\n');

describe('setup and login', () => {
  it('status before setup says setup is needed and that nobody is logged in (exit 3)', async () => {
    const result = await user.run(['status', server.url]);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/^health: +ok$/m);
    expect(result.stdout).toMatch(new RegExp(`^setup: +needed: run routerly setup ${server.url}$`, 'm'));
    expect(result.stderr).toBe(`routerly: not logged in: run routerly setup ${server.url}\n`);
  });

  it('setup creates the first admin from piped answers and logs in, never printing the token', async () => {
    const result = await user.run(['setup', server.url], { input: `${EMAIL}\n${PASSWORD}\n` });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`created the first admin on ${server.url} as ${EMAIL} (admin)`);
    const session = JSON.parse(await readFile(user.sessionFile, 'utf8'));
    expect(session).toMatchObject({ url: server.url, email: EMAIL });
    expect(result.stdout + result.stderr).not.toContain(session.token);
  });

  it('setup a second time is refused with the next step (exit 1)', async () => {
    const result = await user.run(['setup', server.url, '--email', EMAIL, '--password', PASSWORD]);
    expect([result.code, result.stderr]).toEqual([1, `routerly: setup is already done on ${server.url}: run routerly login ${server.url}\n`]);
  });

  it('login with flags saves a 0600 session in a 0700 folder even under umask 000, and never prints the token', async () => {
    const fresh = await cliUser();
    try {
      const result = await fresh.run(['login', server.url, '--email', EMAIL, '--password', PASSWORD], { umask: '000' });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`logged in to ${server.url} as ${EMAIL} (admin)`);
      expect((await stat(fresh.sessionFile)).mode & 0o777).toBe(0o600);
      expect((await stat(path.dirname(fresh.sessionFile))).mode & 0o777).toBe(0o700);
      const { token } = JSON.parse(await readFile(fresh.sessionFile, 'utf8'));
      expect(token).toMatch(/^ey/);
      expect(result.stdout + result.stderr).not.toContain(token);
      // The token works: the gateway knows who it is.
      const me = await fetch(`${server.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(((await me.json()) as { user: { email: string } }).user.email).toBe(EMAIL);
    } finally {
      await fresh.cleanup();
    }
  });

  it('a world-readable session file from elsewhere is narrowed back to 0600 when read', async () => {
    const fresh = await cliUser();
    try {
      await fresh.run(['login', server.url, '--email', EMAIL, '--password', PASSWORD]);
      const { chmod } = await import('node:fs/promises');
      await chmod(fresh.sessionFile, 0o644);
      const result = await fresh.run(['status']);
      expect(result.code).toBe(0);
      expect((await stat(fresh.sessionFile)).mode & 0o777).toBe(0o600);
    } finally {
      await fresh.cleanup();
    }
  });

  it('login reads the password from a piped stdin, and --json prints who is logged in, not the token', async () => {
    const fresh = await cliUser();
    try {
      const result = await fresh.run(['login', server.url, '--email', EMAIL, '--json'], { input: `${PASSWORD}\n` });
      expect(result.code).toBe(0);
      const me = JSON.parse(result.stdout);
      expect(me.user).toMatchObject({ email: EMAIL, role: 'admin' });
      expect(me.fullAccess).toBe(true);
      const { token } = JSON.parse(await readFile(fresh.sessionFile, 'utf8'));
      expect(result.stdout).not.toContain(token);
    } finally {
      await fresh.cleanup();
    }
  });

  // util-linux's script(1) gives the CLI a real terminal, as a person at a shell has.
  it.skipIf(!existsSync('/usr/bin/script'))('at a terminal, asks for the email and then the password without echoing it', async () => {
    const fresh = await cliUser();
    try {
      const child = spawn('/usr/bin/script', ['-q', '-e', '-c', `${process.execPath} ${BIN} login ${server.url}`, '/dev/null'], { env: fresh.env, stdio: ['pipe', 'pipe', 'pipe'] });
      let screen = '';
      const waitFor = (text: string) =>
        new Promise<void>((resolve) => {
          const check = () => (screen.includes(text) ? resolve() : setTimeout(check, 20));
          check();
        });
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (screen += chunk));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      await waitFor('Email: ');
      child.stdin.write(`${EMAIL}\r`);
      await waitFor('Password: ');
      // Typed slowly, as a person would: every key must be swallowed, not just a pasted line.
      for (const key of `${PASSWORD}x\x7f`) {
        child.stdin.write(key);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      child.stdin.write('\r');
      expect(await exited).toBe(0);
      // Without readline's cursor movements: the text a person sees.
      expect(screen.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')).toContain(`Email: ${EMAIL}`);
      expect(screen).toContain(`logged in to ${server.url} as ${EMAIL}`);
      // The password never reached the screen; the stray x was taken back by the backspace, or the login would have failed.
      expect(screen).not.toContain('horse');
      expect((await stat(fresh.sessionFile)).mode & 0o777).toBe(0o600);
    } finally {
      await fresh.cleanup();
    }
  });

  it('a wrong password is one line on stderr and exit 3, and saves nothing', async () => {
    const fresh = await cliUser();
    try {
      const result = await fresh.run(['login', server.url, '--email', EMAIL, '--password', 'not the password']);
      expect(result.code).toBe(3);
      expect(result.stderr).toBe('routerly: wrong email or password\n');
      expect(result.stdout).toBe('');
      await expect(stat(fresh.sessionFile)).rejects.toThrow(/ENOENT/);
    } finally {
      await fresh.cleanup();
    }
  });

  it('bad login arguments are usage errors (exit 2) before any request', async () => {
    const fresh = await cliUser();
    try {
      const cases = [
        ['login', 'not a url', '--email', EMAIL, '--password', PASSWORD],
        ['login', server.url, '--email', 'nobody', '--password', PASSWORD],
        ['login', server.url, '--email', EMAIL, '--password', 'short'],
        // Nothing piped and no terminal: no password to read.
        ['login', server.url, '--email', EMAIL],
        ['login'],
      ];
      for (const args of cases) {
        const result = await fresh.run(args);
        expect([args, result.code]).toEqual([args, 2]);
        expect(oneLine(result.stderr)).toBe(true);
        expect(result.stderr).toMatch(/^routerly: /);
      }
    } finally {
      await fresh.cleanup();
    }
  });
});

describe('status, passwd and logout', () => {
  it('status shows the gateway, the user and the session expiry; --json has health, setup and me', async () => {
    const human = await user.run(['status']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`^gateway: +${server.url}$`, 'm'));
    expect(human.stdout).toMatch(new RegExp(`^user: +${EMAIL} \\(admin\\)$`, 'm'));
    expect(human.stdout).toMatch(/^session: +until \d{4}-\d\d-\d\dT/m);
    const json = await user.run(['status', '--json']);
    const answer = JSON.parse(json.stdout);
    expect(answer).toMatchObject({ url: server.url, health: { status: 'ok' }, setup: { needed: false }, me: { user: { email: EMAIL } } });
    expect(answer.cliVersion).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('not logged in: a command says how to log in, exit 3', async () => {
    const fresh = await cliUser();
    try {
      const result = await fresh.run(['model', 'list']);
      expect([result.code, result.stderr, result.stdout]).toEqual([3, 'routerly: not logged in: run routerly login <url>\n', '']);
    } finally {
      await fresh.cleanup();
    }
  });

  it('an expired or revoked session says "session expired" with the login command, exit 3', async () => {
    const fresh = await cliUser();
    try {
      await mkdir(path.dirname(fresh.sessionFile), { recursive: true });
      await writeFile(fresh.sessionFile, JSON.stringify({ url: server.url, token: 'eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.invalid', email: EMAIL, savedAt: '' }), { mode: 0o600 });
      const result = await fresh.run(['project', 'list']);
      expect([result.code, result.stderr]).toEqual([3, `routerly: session expired: run routerly login ${server.url}\n`]);
    } finally {
      await fresh.cleanup();
    }
  });

  it('passwd changes the password and renews this session; the old password stops working', async () => {
    const NEW = 'an even longer horse battery';
    const changed = await user.run(['passwd', '--current-password', PASSWORD, '--new-password', NEW]);
    expect([changed.code, changed.stderr]).toEqual([0, '']);
    expect((await user.run(['status'])).code).toBe(0);
    const old = await user.run(['login', server.url, '--email', EMAIL, '--password', PASSWORD]);
    expect(old.code).toBe(3);
    const back = await user.run(['passwd', '--json'], { input: `${NEW}\n${PASSWORD}\n` });
    expect(back.code).toBe(0);
    expect(JSON.parse(back.stdout).user.email).toBe(EMAIL);
  });

  it('logout forgets the session; --everywhere also ends it on the gateway', async () => {
    const other = await cliUser();
    try {
      await other.run(['login', server.url, '--email', EMAIL, '--password', PASSWORD]);
      const { token } = JSON.parse(await readFile(other.sessionFile, 'utf8'));
      const plain = await user.run(['logout']);
      expect([plain.code, plain.stdout]).toEqual([0, `logged out of ${server.url}\n`]);
      await expect(stat(user.sessionFile)).rejects.toThrow(/ENOENT/);
      expect((await user.run(['logout'])).stdout).toBe('not logged in\n');
      // Still valid after a plain logout elsewhere; ended by --everywhere.
      expect((await fetch(`${server.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      const everywhere = await other.run(['logout', '--everywhere', '--json']);
      expect([everywhere.code, everywhere.stdout]).toEqual([0, '']);
      expect((await fetch(`${server.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    } finally {
      await other.cleanup();
    }
  });
});
