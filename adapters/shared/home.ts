import { randomBytes } from 'node:crypto';
import { mkdir, open, unlink } from 'node:fs/promises';
import path from 'node:path';
import { loadOrCreateSecret } from './secret.js';
import { ConfigError, MIN_SECRET_LENGTH, type ServerConfig } from './settings.js';

/**
 * The file-backed server's checks before it serves: a writable ROUTERLY_HOME and a usable secret.
 * node:fs, node:path and node:crypto, which Bun and Deno provide as well.
 */

/** An error's message on one line. */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
}

/**
 * Creates ROUTERLY_HOME if needed and proves the gateway can write where it will write
 * (the home, and its config/, data/ and data/usage/ folders where they exist), so a
 * read-only or foreign-owned folder stops the start instead of failing the first change.
 */
export async function prepareHome(home: string): Promise<void> {
  try {
    await mkdir(home, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new ConfigError(`ROUTERLY_HOME ${home} cannot be created: ${oneLine(error)}`);
  }
  for (const folder of [home, path.join(home, 'config'), path.join(home, 'data'), path.join(home, 'data', 'usage')]) {
    // Named like the file store's temp files (a leading dot), which no key can address.
    const probe = path.join(folder, `.write-check.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const handle = await open(probe, 'wx', 0o600);
      await handle.close();
      await unlink(probe);
    } catch (error) {
      // A subfolder that does not exist yet is created by the store, inside the (writable) home.
      if (folder !== home && (error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      const { code } = error as NodeJS.ErrnoException;
      const why = code ? `cannot create files in ${folder} (${code})` : oneLine(error);
      throw new ConfigError(`ROUTERLY_HOME ${home} is not writable: ${why}`);
    }
  }
}

/** ROUTERLY_SECRET, or the secret file under `home` (created on first start), checked for length. */
export async function loadSecret(config: Pick<ServerConfig, 'home' | 'secretFromEnv'>): Promise<string> {
  if (config.secretFromEnv !== undefined) return config.secretFromEnv;
  const file = path.join(config.home, 'config', 'secret');
  let secret: string;
  try {
    secret = await loadOrCreateSecret(config.home, undefined);
  } catch (error) {
    throw new ConfigError(`the secret file ${file} cannot be read or created: ${oneLine(error)}`);
  }
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(`the secret file ${file} must hold at least ${MIN_SECRET_LENGTH} characters, it holds ${secret.length}`);
  }
  return secret;
}
