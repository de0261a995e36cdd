import path from 'node:path';
import type { CallEvent, Gateway, Logger, RequestContext, UpstreamSend } from '../../src/index.js';
import { consoleColor, consoleLogSettings, createConsoleLog, type ConsoleLog } from './console-log.js';
import { createFileGateway } from './file-gateway.js';
import { loadSecret, prepareHome } from './home.js';
import { createRedisGateway, newNodeId } from './redis-gateway.js';
import type { ServerGateway, ServerGatewayOptions } from './server-gateway.js';
import { redactedRedisUrl, serverConfigFromEnv, type EnvRecord, type ServerConfig } from './settings.js';
import { describeStartupError, ListenError } from './startup-error.js';

/**
 * The start of a server, the same on Node, Bun and Deno: read the environment, prepare the home
 * and the secret (or, with ROUTERLY_REDIS_URL, connect to the Redis the nodes share), build the
 * gateway, listen, print the banner; on SIGTERM or
 * SIGINT stop accepting, let requests in flight (streams included) finish within
 * ROUTERLY_SHUTDOWN_GRACE_MS, cut what is left, write out usage and exit 0. A configuration
 * mistake ends the start with one line on stderr and exit code 1.
 *
 * Each runtime's entry supplies a ServerHost: its process (environment, stderr, signals, exit)
 * and its HTTP server. Nothing here asks which runtime it is on.
 */

export type StopSignal = 'SIGTERM' | 'SIGINT';

/**
 * Serves one request. The host says what it knows of it: the connection's peer as the server saw
 * it (`clientAddress`) and, on Node, whether the client left (`client`, without the request's
 * signal), how its server writes a streamed body fastest (`streamBody`) and when a call's
 * accounting runs (`afterResponse`).
 */
export type RequestHandler = (request: Request, context: RequestContext) => Promise<Response>;

export interface Listener {
  /** The URL clients reach the server at (0.0.0.0 shown as 127.0.0.1). */
  url: string;
  port: number;
  /**
   * Stops accepting connections, lets requests in flight finish within `graceMs`, then cuts
   * the rest (their request signals abort, so the gateway records them as cut), and resolves.
   */
  close(graceMs: number): Promise<void>;
}

export interface ServerHost {
  /** Shown in the banner: `node`, `bun`, `deno`. */
  runtime: string;
  env: EnvRecord;
  /** The user's home folder (ROUTERLY_HOME defaults to `.routerly` in it), if there is one. */
  homeDir: string | undefined;
  stderr: { write(text: string): void; isTTY: boolean };
  /** Calls `listener` on SIGTERM and SIGINT, from now on (a signal during the start is kept for later). */
  onStopSignal(listener: (signal: StopSignal) => void): void;
  exit(code: number): void;
  /**
   * How the gateway reaches providers: a fetch (the runtime's global fetch when absent) and, where
   * the runtime has one, a native sender for proxied calls (GatewayDeps.upstream) sharing its pool.
   */
  createOutbound?: () => { fetch: typeof fetch; upstream?: UpstreamSend };
  /** Listens with the runtime's own server. Rejects when it cannot (port in use, no such host). */
  listen(options: { hostname: string; port: number; handler: RequestHandler }): Promise<Listener>;
}

export interface RunServerOptions {
  /** The gateway's clock; Date.now by default. The conformance entries move it (test/support/). */
  now?: () => number;
}

export async function runServer(host: ServerHost, options: RunServerOptions = {}): Promise<void> {
  let config: ServerConfig | undefined;
  let running: { listener: Listener; served: ServerGateway; logger: Logger } | undefined;
  let stopSignal: StopSignal | undefined;
  const write = (line: string) => host.stderr.write(`${line}\n`);

  // Through the console, so a log collector reading JSON Lines gets these as lines of its own.
  const drain = async (signal: StopSignal, { listener, served, logger }: NonNullable<typeof running>) => {
    const graceMs = config!.graceMs;
    logger.info(`${signal}: finishing requests in flight (up to ${graceMs} ms)`, { signal, graceMs });
    try {
      await listener.close(graceMs);
      await served.settle();
    } catch (error) {
      logger.error(`Routerly did not shut down cleanly: ${describeStartupError(error)}`);
      host.exit(1);
      return;
    }
    host.exit(0);
  };

  // Listening before anything else: a signal during the start (PID 1 ignores signals it has no
  // handler for) is remembered, and the server drains as soon as it is up. A repeated signal
  // changes nothing: Ctrl-C under npm delivers SIGINT twice (from the terminal and from npm).
  host.onStopSignal((signal) => {
    if (stopSignal) return;
    stopSignal = signal;
    if (running) void drain(signal, running);
  });

  const held = holdWhileStarting();
  let out: ConsoleLog;
  try {
    config = serverConfigFromEnv(host.env, { homeDir: host.homeDir });
    config.home = path.resolve(config.home);
    const env = stringsOf(host.env);
    const { isTTY } = host.stderr;
    out = createConsoleLog({ ...consoleLogSettings(env, isTTY), color: consoleColor(env, isTTY), write: (line) => host.stderr.write(line) });
    const gatewayOptions: ServerGatewayOptions = {
      settings: config.settings,
      logger: held.wrap(out.logger),
      ...host.createOutbound?.(),
      ...(options.now ? { now: options.now } : {}),
      onCall: (event: CallEvent) => out.onCall(event),
    };
    let shared: { redis: { url: string; prefix: string }; node: string } | undefined;
    let served: ServerGateway;
    if (config.redis) {
      // Shared state: no file is written, and the secret comes from ROUTERLY_SECRET (settings.ts insists).
      const node = await createRedisGateway({ ...gatewayOptions, redis: config.redis, secret: config.secretFromEnv!, instanceId: newNodeId(env.HOSTNAME) });
      shared = { redis: { url: redactedRedisUrl(config.redis.url), prefix: config.redis.prefix }, node: node.instanceId };
      served = node;
    } else {
      await prepareHome(config.home);
      served = await createFileGateway({ ...gatewayOptions, home: config.home, secret: await loadSecret(config) });
    }
    const { gateway } = served;
    const handler: RequestHandler = (request, context) => gateway.fetch(request, context);
    const listener = await host.listen({ hostname: config.host, port: config.port, handler }).catch((error: unknown) => {
      throw new ListenError(error);
    });
    running = { listener, served, logger: out.logger };
    out.started({
      url: listener.url,
      dashboardUrl: `${listener.url}/dashboard`,
      home: config.home,
      ...shared,
      runtime: host.runtime,
      needsSetup: await needsSetup(gateway, listener.url),
    });
  } catch (error) {
    // One readable line, not a stack: the reason is what the operator must fix.
    write(`Routerly could not start: ${describeStartupError(error, config)}`);
    host.exit(1);
    return;
  }
  held.release();
  if (stopSignal) void drain(stopSignal, running);
}

/** The environment's string values (a process environment holds nothing else). */
function stringsOf(env: EnvRecord): Record<string, string | undefined> {
  const strings: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(env)) if (typeof value === 'string') strings[name] = value;
  return strings;
}

/** Whether no user exists yet, as the dashboard asks it (GET /api/setup), through the gateway itself. */
async function needsSetup(gateway: Gateway, url: string): Promise<boolean> {
  const response = await gateway.fetch(new Request(`${url}/api/setup`));
  if (!response.ok) throw new Error(`GET /api/setup answered ${response.status}`);
  const body = (await response.json()) as { needed?: unknown };
  return body.needed === true;
}

/** Logs written while starting are held back: a failed start prints only its one line. */
function holdWhileStarting() {
  const held: Array<() => void> = [];
  let holding = true;
  return {
    wrap(logger: Logger): Logger {
      const level =
        (name: keyof Logger) =>
        (message: string, fields?: Record<string, unknown>): void => {
          if (holding) held.push(() => logger[name](message, fields));
          else logger[name](message, fields);
        };
      return { info: level('info'), warn: level('warn'), error: level('error') };
    },
    release() {
      holding = false;
      for (const entry of held.splice(0)) entry();
    },
  };
}
