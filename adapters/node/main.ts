import os from 'node:os';
import path from 'node:path';
import { startNodeServer } from './server.js';

/** `npm start`: reads the environment, serves, and shuts down cleanly on SIGTERM/SIGINT. */
const env = process.env;
const numberFrom = (name: string): number | undefined => {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`${name} must be a non-negative number, got "${value}"`);
  return parsed;
};

const home = path.resolve(env.ROUTERLY_HOME || path.join(os.homedir(), '.routerly'));
const graceMs = numberFrom('ROUTERLY_SHUTDOWN_GRACE_MS') ?? 30_000;
const server = await startNodeServer({
  home,
  host: env.ROUTERLY_HOST || '127.0.0.1',
  port: numberFrom('ROUTERLY_PORT') ?? numberFrom('PORT') ?? 3000,
  secret: env.ROUTERLY_SECRET || undefined,
  settings: {
    maxBodyBytes: numberFrom('ROUTERLY_MAX_BODY_BYTES'),
    sessionTtlSeconds: numberFrom('ROUTERLY_SESSION_TTL_SECONDS'),
  },
}).catch((error: unknown) => {
  // One readable line, not a stack: the reason is what the operator must fix.
  process.stderr.write(`Routerly could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
process.stderr.write(`Routerly listening on ${server.url} (home ${home})\n`);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`${signal}: finishing requests in flight (up to ${graceMs} ms)\n`);
  await server.close(graceMs);
  process.exit(0);
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
