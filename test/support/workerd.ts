// Boots the real Cloudflare Worker (adapters/cloudflare-workers/worker.ts) in workerd, the way
// `wrangler dev` does: through wrangler's programmatic API reading the repo's wrangler.toml, so
// the toml (entry point, compatibility date, KV binding) is under test too.
//
// Isolation: KV and Durable Objects are in memory (persist: false) unless a test names a directory
// to keep them in (`persistTo`, to restart a worker over its own state); the developer's
// .dev.vars / .env files are not read; nothing is sent to Cloudflare (no metrics, no Request.cf
// download); the worker's outbound fetch may reach 127.0.0.1 (the mock provider).

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WRANGLER_TOML = path.join(REPO_ROOT, 'wrangler.toml');
/** wrangler.toml's `[assets] directory`: the dashboard's build, which a checkout may not have. */
const DASHBOARD_DIST = path.join(REPO_ROOT, 'dashboard/dist');
/** The production entry point: it exports every Durable Object class wrangler.toml binds. */
const WORKER_ENTRY = path.join(REPO_ROOT, 'adapters/cloudflare-workers/worker.ts');
/** The gateway answers /health with 503 until its config is loaded. */
const READY_TIMEOUT_MS = 30_000;

export interface WorkerdGatewayOptions {
  /** ROUTERLY_SECRET. Default: a fresh random one. `null` leaves the secret unset. */
  secret?: string | null;
  /** Extra plain-text vars, e.g. ROUTERLY_MAX_BODY_BYTES. */
  vars?: Record<string, string>;
  /** Replaces wrangler.toml's `main` (bindings and dates still come from the toml), for test wrappers. */
  entrypoint?: string;
  /**
   * Keeps KV and Durable Object storage in this directory instead of memory, so a second boot
   * with the same directory starts from what the first left (a restart). Default: memory.
   */
  persistTo?: string;
  /**
   * The folder the ASSETS binding serves, instead of wrangler.toml's dashboard/dist. Without it,
   * dashboard/dist is served when it exists, else an empty folder: wrangler refuses to start
   * over a missing assets directory, and a checkout need not have built the dashboard.
   */
  assetsDir?: string;
}

export interface WorkerdGateway {
  /** http://127.0.0.1:PORT */
  url: string;
  /** Milliseconds from the call until /health answered (or, without a secret, until anything answered). */
  bootMs: number;
  close(): Promise<void>;
}

/** Wrangler reads these when it starts; they must be set before it is used, and they only ever turn things off. */
function keepWranglerOffline(): void {
  process.env.WRANGLER_SEND_METRICS = 'false';
  process.env.WRANGLER_SEND_ERROR_REPORTS = 'false';
  // Miniflare would otherwise download https://workers.cloudflare.com/cf.json for request.cf.
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
  // Wrangler's banner is the only place that checks npm for updates; the API does not print it.
  process.env.WRANGLER_HIDE_BANNER = 'true';
}

export async function startWorkerdGateway(options: WorkerdGatewayOptions = {}): Promise<WorkerdGateway> {
  const started = performance.now();
  keepWranglerOffline();
  const { unstable_startWorker } = await import('wrangler');

  // Wrangler reads .dev.vars when given no env files; an empty one keeps the developer's out.
  const scratch = await mkdtemp(path.join(tmpdir(), 'routerly-workerd-'));
  const emptyEnvFile = path.join(scratch, '.env');
  await writeFile(emptyEnvFile, '');

  let assets = options.assetsDir;
  if (assets === undefined && !existsSync(DASHBOARD_DIST)) {
    assets = path.join(scratch, 'no-dashboard');
    await mkdir(assets);
  }

  const secret = options.secret === undefined ? randomBytes(32).toString('base64url') : options.secret;
  const bindings: Record<string, { type: 'plain_text' | 'secret_text'; value: string }> = {};
  for (const [name, value] of Object.entries(options.vars ?? {})) bindings[name] = { type: 'plain_text', value };
  if (secret !== null) bindings.ROUTERLY_SECRET = { type: 'secret_text', value: secret };

  const worker = await unstable_startWorker({
    config: WRANGLER_TOML,
    ...(options.entrypoint ? { entrypoint: await withDurableObjects(options.entrypoint, scratch) } : {}),
    // Replaces the directory only: the binding's name and routing still come from the toml.
    ...(assets === undefined ? {} : { assets }),
    bindings,
    envFiles: [emptyEnvFile],
    sendMetrics: false,
    dev: {
      persist: options.persistTo ?? false,
      inspector: false,
      watch: false,
      liveReload: false,
      remote: false,
      enableContainers: false,
      // A registry of its own: in the shared one, every test worker is "routerly" (wrangler.toml's
      // name, with a Durable Object), so one starting or stopping could restart another mid-request.
      registry: path.join(scratch, 'registry'),
      // The bindings table and request lines are noise in test output; the worker's own warnings and errors still show.
      logLevel: (process.env.ROUTERLY_WRANGLER_LOG_LEVEL as 'debug' | 'info' | 'log' | 'warn' | 'error' | 'none' | undefined) ?? 'warn',
      server: { hostname: '127.0.0.1', port: 0 },
    },
  });

  const close = async () => {
    await worker.dispose();
    await rm(scratch, { recursive: true, force: true });
  };

  try {
    await worker.ready;
    const url = (await worker.url).origin;
    // `ready` only means wrangler's proxy listens; the worker itself loads on the first request.
    await untilHealthy(url, secret !== null);
    return { url, bootMs: Math.round(performance.now() - started), close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * A test entry point that wraps the worker (`export default worker`) need not know which
 * Durable Object classes wrangler.toml binds, yet wrangler refuses to start an entry that does
 * not export them. So such an entry is wrapped once more: everything it exports, plus each
 * bound class it does not export itself, from the production entry point.
 */
async function withDurableObjects(entrypoint: string, scratch: string): Promise<string> {
  const toml = await readFile(WRANGLER_TOML, 'utf8');
  const classes = [...toml.matchAll(/^\s*class_name\s*=\s*"([^"]+)"/gm)].map((match) => match[1]!);
  const source = await readFile(entrypoint, 'utf8');
  const missing = classes.filter((name) => !new RegExp(`\\bexport\\b[^;]*\\b${name}\\b`).test(source));
  if (missing.length === 0) return entrypoint;
  const wrapper = path.join(scratch, 'entry.ts');
  await writeFile(
    wrapper,
    [
      `export * from ${JSON.stringify(entrypoint)};`,
      `export { default } from ${JSON.stringify(entrypoint)};`,
      `export { ${missing.join(', ')} } from ${JSON.stringify(WORKER_ENTRY)};`,
      '',
    ].join('\n'),
  );
  return wrapper;
}

async function untilHealthy(url: string, expectHealthy: boolean): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/health`);
      await response.body?.cancel();
      // Without a secret the worker can only answer its 500; that it answers at all is the point.
      if (response.status === 200 || !expectHealthy) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the worker did not become healthy within ${READY_TIMEOUT_MS} ms (${last})`);
}
