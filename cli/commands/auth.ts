import type { Command } from 'commander';
import { ApiClient, gatewayUrl, sessionClient } from '../api-client.js';
import { CliError, EXIT, usageError } from '../errors.js';
import { printFields, printJson, say } from '../output.js';
import { withJson } from '../options.js';
import { ask, askHidden, closePrompts } from '../prompt.js';
import { readSession, removeSession, sessionPath, writeSession } from '../session-file.js';
import { cliVersion } from '../version.js';

/** Where `setup` and `status` look when given no URL and nobody is logged in: `routerly start`'s default. */
const DEFAULT_URL = 'http://127.0.0.1:3000';
/** The API's own bound (Credentials in src/config/schemas.ts), checked here so a typo costs no request. */
const MIN_PASSWORD = 8;

interface Me {
  user: { id: string; email: string; role: string };
  permissions: string[];
  fullAccess: boolean;
  memberships: { projectId: string; projectName: string; role: string }[];
}

function checkedEmail(email: string, flag = '--email'): string {
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw usageError(`${flag}: "${email}" is not an email address`);
  return email;
}

function checkedPassword(password: string, flag = '--password'): string {
  if (password.length < MIN_PASSWORD) throw usageError(`${flag}: at least ${MIN_PASSWORD} characters`);
  return password;
}

/** Email and password from the flags, else asked (hidden), else the next lines of a piped stdin. */
async function credentials(options: { email?: string; password?: string }, confirm: boolean): Promise<{ email: string; password: string }> {
  try {
    const email = checkedEmail(options.email ?? (await ask('Email: ', 'email', '--email')));
    let password = options.password;
    if (password === undefined) {
      password = await askHidden('Password: ', 'password', '--password');
      // Only at a terminal: a script's password was not typed, so it cannot have been mistyped.
      if (confirm && process.stdin.isTTY && (await askHidden('Password again: ', 'password', '--password')) !== password) {
        throw usageError('the two passwords differ');
      }
    }
    return { email, password: checkedPassword(password) };
  } finally {
    closePrompts();
  }
}

/** The session's expiry, read from the token's own `exp` claim (the token itself is never shown). */
function expiryOf(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' ? new Date(payload.exp * 1000).toISOString() : undefined;
  } catch {
    return undefined;
  }
}

/** Saves a new session and says who is logged in where; --json prints GET /api/auth/me (never the token). */
async function startSession(url: string, token: string, json: boolean, verb: string): Promise<void> {
  const me = await new ApiClient(url, token).get<Me>('/api/auth/me');
  await writeSession({ url, token, email: me.user.email, savedAt: new Date().toISOString() });
  if (json) printJson(me);
  else say(`${verb} ${url} as ${me.user.email} (${me.user.role}); session saved in ${sessionPath()}, until ${expiryOf(token) ?? 'it expires'}`);
}

async function defaultUrl(given: string | undefined): Promise<string> {
  if (given !== undefined) return gatewayUrl(given);
  return (await readSession().catch(() => undefined))?.url ?? DEFAULT_URL;
}

export function authCommands(program: Command): void {
  withJson(
    program
      .command('setup')
      .description('create the first admin of a new gateway (only while it has no user), and log in as them')
      .argument('[url]', `the gateway (default: the saved session's, else ${DEFAULT_URL})`)
      .option('--email <email>', "the admin's email (asked when not given)")
      .option('--password <password>', 'the password, at least 8 characters (asked when not given; a flag is visible in shell history)'),
  ).action(async (urlArg: string | undefined, options: { email?: string; password?: string; json?: boolean }) => {
    const url = await defaultUrl(urlArg);
    const anonymous = new ApiClient(url);
    const { needed } = await anonymous.get<{ needed: boolean }>('/api/setup');
    if (!needed) throw new CliError(`setup is already done on ${url}: run routerly login ${url}`);
    const { email, password } = await credentials(options, true);
    const { token } = await anonymous.post<{ token: string }>('/api/setup', { email, password });
    await startSession(url, token, options.json === true, 'created the first admin on');
  });

  withJson(
    program
      .command('login')
      .description('log in to a gateway and save the session (0600, under $XDG_CONFIG_HOME/routerly or ~/.config/routerly)')
      .argument('<url>', 'the gateway, like http://127.0.0.1:3000')
      .option('--email <email>', 'your email (asked when not given)')
      .option('--password <password>', 'your password (asked without echo when not given, or read from a piped stdin; a flag is visible in shell history)')
      .addHelpText('after', '\nWith --json, prints GET /api/auth/me: who you are, your permissions and projects. The session token is never printed.'),
  ).action(async (urlArg: string, options: { email?: string; password?: string; json?: boolean }) => {
    const url = gatewayUrl(urlArg);
    const { email, password } = await credentials(options, false);
    const { token } = await new ApiClient(url).post<{ token: string }>('/api/auth/login', { email, password });
    await startSession(url, token, options.json === true, 'logged in to');
  });

  withJson(
    program
      .command('logout')
      .description('forget the saved session')
      .option('--everywhere', 'also end every session of your user on the gateway (the dashboard and other machines too)'),
  ).action(async (options: { everywhere?: boolean; json?: boolean }) => {
    const session = await readSession();
    if (!session) {
      if (!options.json) say('not logged in');
      return;
    }
    if (options.everywhere) {
      try {
        await new ApiClient(session.url, session.token).post('/api/auth/logout');
      } catch (error) {
        // Already ended on the gateway: forgetting it here is all that is left to do.
        if (!(error instanceof CliError && error.exitCode === EXIT.auth)) throw error;
      }
    }
    await removeSession();
    if (!options.json) say(`logged out of ${session.url}${options.everywhere ? ' (every session of your user ended)' : ''}`);
  });

  withJson(
    program
      .command('passwd')
      .description('change your own password; every session of yours ends, this one is renewed')
      .option('--current-password <password>', 'the current password (asked when not given)')
      .option('--new-password <password>', 'the new password, at least 8 characters (asked when not given)'),
  ).action(async (options: { currentPassword?: string; newPassword?: string; json?: boolean }) => {
    const client = await sessionClient();
    let currentPassword: string;
    let newPassword: string;
    try {
      currentPassword = options.currentPassword ?? (await askHidden('Current password: ', 'current password', '--current-password'));
      newPassword = checkedPassword(options.newPassword ?? (await askHidden('New password: ', 'new password', '--new-password')), '--new-password');
      if (options.newPassword === undefined && process.stdin.isTTY && (await askHidden('New password again: ', 'new password', '--new-password')) !== newPassword) {
        throw usageError('the two passwords differ');
      }
    } finally {
      closePrompts();
    }
    const { token } = await client.put<{ token: string }>('/api/auth/password', { currentPassword, newPassword });
    await startSession(client.url, token, options.json === true, 'password changed; logged in to');
  });

  withJson(
    program
      .command('status')
      .description('the gateway: reachable and healthy, set up, and who is logged in (exit 3 when nobody is)')
      .argument('[url]', `the gateway (default: the saved session's, else ${DEFAULT_URL})`),
  ).action(async (urlArg: string | undefined, options: { json?: boolean }) => {
    const session = await readSession();
    const url = urlArg !== undefined ? gatewayUrl(urlArg) : (session?.url ?? DEFAULT_URL);
    const anonymous = new ApiClient(url);
    const health = await anonymous.get<{ status: string }>('/health');
    const setup = await anonymous.get<{ needed: boolean }>('/api/setup');
    let me: Me | null = null;
    let problem: CliError | undefined;
    if (!session || session.url !== url) problem = new CliError(`not logged in${setup.needed ? `: run routerly setup ${url}` : `: run routerly login ${url}`}`, EXIT.auth);
    else {
      try {
        me = await new ApiClient(url, session.token).get<Me>('/api/auth/me');
      } catch (error) {
        if (!(error instanceof CliError && error.exitCode === EXIT.auth)) throw error;
        problem = error;
      }
    }
    if (options.json) printJson({ url, cliVersion: cliVersion(), health, setup, me });
    else {
      printFields({
        gateway: url,
        health: health.status,
        setup: setup.needed ? `needed: run routerly setup ${url}` : 'done',
        user: me ? `${me.user.email} (${me.user.role})` : undefined,
        session: me && session ? `until ${expiryOf(session.token) ?? '?'}` : undefined,
        cli: cliVersion(),
      });
    }
    // The lines above are printed either way; the exit code (and stderr) say nobody is logged in.
    if (problem) throw problem;
  });
}
