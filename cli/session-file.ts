import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CliError, EXIT } from './errors.js';

/**
 * The saved login: which gateway, and the bearer session token it issued. The token is as good
 * as the password for its lifetime, so the file is readable by its owner only (0600, in a 0700
 * folder) whatever the umask, and it is never printed.
 */
export interface Session {
  url: string;
  token: string;
  email: string;
  savedAt: string;
}

/** `$XDG_CONFIG_HOME/routerly` (when set to an absolute path, as the spec asks), else `~/.config/routerly`. */
export function configDir(env: Record<string, string | undefined> = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.config');
  return path.join(base, 'routerly');
}

export function sessionPath(env?: Record<string, string | undefined>): string {
  return path.join(configDir(env), 'session.json');
}

function isSession(value: unknown): value is Session {
  const v = value as Partial<Session> | null;
  return typeof v === 'object' && v !== null && typeof v.url === 'string' && typeof v.token === 'string' && typeof v.email === 'string';
}

/** The saved session, or undefined when there is none. A file that is not one is reported, not guessed at. */
export async function readSession(file = sessionPath()): Promise<Session | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read the session file ${file}: ${(error as Error).message}`);
  }
  // A copy or restore may have widened it: narrow it again before going on.
  const { mode } = await stat(file);
  if ((mode & 0o077) !== 0) await chmod(file, 0o600);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (!isSession(value)) throw new CliError(`the session file ${file} is damaged: run routerly login <url> again`, EXIT.auth);
  return value;
}

/**
 * Writes the session atomically: a new file created 0600 (explicit mode and fchmod, so a umask of
 * 000 changes nothing), then renamed over the old one, so an older file's wider mode never carries
 * over and a reader never sees half a file.
 */
export async function writeSession(session: Session, file = sessionPath()): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const temp = path.join(dir, `.session.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(`${JSON.stringify(session, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Deletes the saved session; whether there was one. */
export async function removeSession(file = sessionPath()): Promise<boolean> {
  try {
    await rm(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
