import type { Logger } from '../../src/index.js';
import type { NodeServer } from './server.js';
import { describeStartupError, loadSecret, prepareHome, readStartConfig, type NodeStartConfig } from './startup.js';

/**
 * The whole `npm start` / `routerly start` lifecycle on Node: reads `env`, prepares the home,
 * serves, and shuts down cleanly on SIGTERM/SIGINT (stop accepting, let requests in flight
 * finish within ROUTERLY_SHUTDOWN_GRACE_MS, write out usage), then exits the process.
 *
 * Any configuration mistake ends the start with one line on stderr and exit code 1.
 */
export async function runNodeServer(env: Record<string, string | undefined>): Promise<void> {
  let server: NodeServer | undefined;
  let config: NodeStartConfig | undefined;
  let stopSignal: string | undefined;

  const drain = async (signal: string) => {
    const graceMs = config!.graceMs;
    process.stderr.write(`${signal}: finishing requests in flight (up to ${graceMs} ms)\n`);
    try {
      await server!.close(graceMs);
    } catch (error) {
      process.stderr.write(`Routerly did not shut down cleanly: ${describeStartupError(error)}\n`);
      process.exit(1);
    }
    process.exit(0);
  };

  // Listening before anything else loads: a signal during startup (PID 1 ignores signals it has
  // no handler for) is remembered, and the server drains as soon as it is up. A repeated signal
  // changes nothing: Ctrl-C under npm delivers SIGINT twice (from the terminal and from npm).
  const onSignal = (signal: string) => {
    if (stopSignal) return;
    stopSignal = signal;
    if (server) void drain(signal);
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));

  /** Logs written while starting are held back: a failed start prints only its one line. */
  const held: Array<() => void> = [];
  let holding = true;
  const holdWhileStarting = (logger: Logger): Logger => {
    const level =
      (name: keyof Logger) =>
      (message: string, fields?: Record<string, unknown>): void => {
        if (holding) held.push(() => logger[name](message, fields));
        else logger[name](message, fields);
      };
    return { info: level('info'), warn: level('warn'), error: level('error') };
  };

  try {
    config = readStartConfig(env);
    await prepareHome(config.home);
    const secret = await loadSecret(config);
    // Loaded after the checks above, so a mistake in the environment is reported at once.
    const [{ startNodeServer }, { jsonLogger }] = await Promise.all([import('./server.js'), import('./logger.js')]);
    server = await startNodeServer({
      home: config.home,
      host: config.host,
      port: config.port,
      secret,
      settings: {
        maxBodyBytes: config.maxBodyBytes,
        sessionTtlSeconds: config.sessionTtlSeconds,
        maxUpstreamBodyBytes: config.maxUpstreamBodyBytes,
        maxUpstreamEventBytes: config.maxUpstreamEventBytes,
        durableUsage: config.durableUsage,
        trustProxy: config.trustProxy,
      },
      logger: holdWhileStarting(jsonLogger()),
    });
  } catch (error) {
    // One readable line, not a stack: the reason is what the operator must fix.
    process.stderr.write(`Routerly could not start: ${describeStartupError(error, config)}\n`);
    process.exit(1);
  }

  process.stderr.write(`Routerly listening on ${server.url} (home ${config.home})\n`);
  holding = false;
  for (const write of held.splice(0)) write();
  if (stopSignal) void drain(stopSignal);
}
