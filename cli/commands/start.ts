import path from 'node:path';
import type { Command } from 'commander';
import { wholeNumber } from '../options.js';

/**
 * `routerly start`: the Node server in this very process (no wrapper in between, so a
 * supervisor's SIGTERM reaches the server's drain). runNodeServer owns the lifecycle from there:
 * banner, signals, usage flush and its exit codes. Loaded only here, so other commands never
 * load the gateway.
 */
export function startCommand(program: Command): void {
  program
    .command('start')
    .description('run the gateway here, in the foreground, until SIGTERM or Ctrl-C (which drain calls in flight first)')
    .option('--port <port>', 'port to listen on (ROUTERLY_PORT; default 3000, 0 picks a free one)', wholeNumber(0, 65535))
    .option('--host <host>', 'address to listen on (ROUTERLY_HOST; default 127.0.0.1, 0.0.0.0 for every interface)')
    .option('--home <dir>', 'where config and data live (ROUTERLY_HOME; default ~/.routerly)')
    .addHelpText(
      'after',
      '\nEvery other setting comes from the environment as for npm start: ROUTERLY_SECRET, ROUTERLY_SHUTDOWN_GRACE_MS,\nROUTERLY_LOG_LEVEL, ROUTERLY_LOG_FORMAT, ROUTERLY_TRUST_PROXY, ... (see the README). Flags win over them.',
    )
    .action(async (options: { port?: number; host?: string; home?: string }) => {
      const env = { ...process.env };
      if (options.port !== undefined) env.ROUTERLY_PORT = String(options.port);
      if (options.host !== undefined) env.ROUTERLY_HOST = options.host;
      if (options.home !== undefined) env.ROUTERLY_HOME = path.resolve(options.home);
      const { runNodeServer } = await import('../../adapters/node/run.js');
      await runNodeServer(env);
    });
}
