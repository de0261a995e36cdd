import type { Command } from 'commander';
import { sessionClient } from '../api-client.js';
import { usageError } from '../errors.js';
import { printFields, printJson, say } from '../output.js';
import { wholeNumber, withJson } from '../options.js';
import { readSecretFromStdin } from '../prompt.js';

interface Settings {
  defaultTimeouts?: { connectMs?: number; totalMs?: number; idleMs?: number };
  forbidPrivateAddresses?: boolean;
  hasMetricsToken: boolean;
}

function showSettings(s: Settings): void {
  const t = s.defaultTimeouts ?? {};
  printFields({
    'default connect timeout': t.connectMs !== undefined ? `${t.connectMs} ms` : '60000 ms (built in)',
    'default total timeout': t.totalMs !== undefined ? `${t.totalMs} ms` : '900000 ms (built in)',
    'default idle timeout': t.idleMs !== undefined ? `${t.idleMs} ms` : '300000 ms (built in)',
    'private model addresses': s.forbidPrivateAddresses ? 'forbidden' : 'allowed',
    'metrics token': s.hasMetricsToken ? 'set (never shown)' : 'none',
  });
}

const timeout = wholeNumber(1, 24 * 3600 * 1000);

export function settingsCommands(program: Command): void {
  const settings = program.command('settings').description("the gateway's own settings: default timeouts, private addresses, the /metrics token");

  withJson(settings.command('show').description('the settings (never the metrics token)')).action(async (options: { json?: boolean }) => {
    const answer = await (await sessionClient()).get<Settings>('/api/settings');
    if (options.json) printJson(answer);
    else showSettings(answer);
  });

  withJson(
    settings
      .command('set')
      .description('change settings; only what the flags give changes')
      .option('--connect-timeout-ms <ms>', 'default time until response headers', timeout)
      .option('--total-timeout-ms <ms>', 'default time for a whole call', timeout)
      .option('--idle-timeout-ms <ms>', 'default longest silence in a stream', timeout)
      .option('--forbid-private-addresses', 'refuse model base URLs on loopback and private networks')
      .option('--allow-private-addresses', 'allow them (Ollama and self-hosted models live there)')
      .option('--metrics-token-stdin', 'read a new bearer token for /metrics from stdin (at least 16 characters)')
      .option('--remove-metrics-token', 'remove the /metrics token'),
  ).action(
    async (options: {
      connectTimeoutMs?: number;
      totalTimeoutMs?: number;
      idleTimeoutMs?: number;
      forbidPrivateAddresses?: boolean;
      allowPrivateAddresses?: boolean;
      metricsTokenStdin?: boolean;
      removeMetricsToken?: boolean;
      json?: boolean;
    }) => {
      if (options.forbidPrivateAddresses && options.allowPrivateAddresses) throw usageError('--forbid-private-addresses and --allow-private-addresses: give one');
      if (options.metricsTokenStdin && options.removeMetricsToken) throw usageError('--metrics-token-stdin and --remove-metrics-token: give one');
      const timeouts = Object.fromEntries(
        Object.entries({ connectMs: options.connectTimeoutMs, totalMs: options.totalTimeoutMs, idleMs: options.idleTimeoutMs }).filter(([, v]) => v !== undefined),
      );
      const privacy = options.forbidPrivateAddresses ? true : options.allowPrivateAddresses ? false : undefined;
      if (Object.keys(timeouts).length === 0 && privacy === undefined && !options.metricsTokenStdin && !options.removeMetricsToken) {
        throw usageError('nothing to change: give at least one flag (see routerly settings set --help)');
      }
      let metricsToken: string | null | undefined = options.removeMetricsToken ? null : undefined;
      if (options.metricsTokenStdin) {
        metricsToken = await readSecretFromStdin('metrics token', '--metrics-token-stdin');
        if (metricsToken.length < 16) throw usageError('--metrics-token-stdin: at least 16 characters');
      }
      const client = await sessionClient();
      // PUT replaces the settings whole: start from the current ones.
      const { hasMetricsToken: _has, ...current } = await client.get<Settings>('/api/settings');
      const next = {
        ...current,
        ...(Object.keys(timeouts).length > 0 ? { defaultTimeouts: { ...current.defaultTimeouts, ...timeouts } } : {}),
        ...(privacy !== undefined ? { forbidPrivateAddresses: privacy } : {}),
        ...(metricsToken !== undefined ? { metricsToken } : {}),
      };
      const updated = await client.put<Settings>('/api/settings', next);
      if (options.json) return printJson(updated);
      say('settings updated');
      showSettings(updated);
    },
  );
}
