import type { Command } from 'commander';
import { sessionClient } from '../api-client.js';
import { usageError } from '../errors.js';
import { count, ms, printJson, printTable, say, usd } from '../output.js';
import { choiceOption, isoDate, withJson } from '../options.js';
import { GROUP_BY } from '../vocabulary.js';
import { findProject } from './projects-shared.js';

interface Figures {
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  fallbacks: number;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
}
interface Summary {
  from: string | null;
  to: string | null;
  groupBy: string;
  groups: Array<Figures & { key: string }>;
  totals: Figures;
}

export function usageCommands(program: Command): void {
  withJson(
    program
      .command('usage')
      .description('calls, tokens, cost and latency, grouped by project, model, token, day or hour (from the usage rollups)')
      .option('--project <project>', 'one project only (id or name)')
      .option('--from <date>', 'from this date or date-time (UTC hours)', isoDate)
      .option('--to <date>', 'up to this date (the whole day) or date-time', isoDate)
      .addOption(choiceOption('--group-by <what>', 'how to group the rows', GROUP_BY).default('project'))
      .addHelpText('after', '\nExamples:\n  routerly usage --group-by model --from 2026-12-01\n  routerly usage --project team-a --group-by day --json | jq .totals.costUsd'),
  ).action(async (options: { project?: string; from?: string; to?: string; groupBy: string; json?: boolean }) => {
    if (options.from && options.to && Date.parse(options.from) > Date.parse(options.to)) throw usageError('--from is after --to');
    if (options.groupBy === 'hour' && !options.from) throw usageError('--group-by hour needs --from (at most 31 days)');
    const client = await sessionClient();
    const projectId = options.project === undefined ? undefined : (await findProject(client, options.project)).id;
    const summary = await client.get<Summary>('/api/usage/summary', { projectId, from: options.from, to: options.to, groupBy: options.groupBy });
    if (options.json) return printJson(summary);
    const rows = [...summary.groups, { ...summary.totals, key: 'total' }];
    printTable(
      summary.groups.length === 0 ? [] : rows,
      [
        { header: options.groupBy.toUpperCase(), value: (r) => r.key },
        { header: 'CALLS', value: (r) => count(r.requests), align: 'right' },
        { header: 'ERRORS', value: (r) => count(r.errors), align: 'right' },
        { header: 'FALLBACKS', value: (r) => count(r.fallbacks), align: 'right' },
        { header: 'INPUT TOK', value: (r) => count(r.inputTokens), align: 'right' },
        { header: 'OUTPUT TOK', value: (r) => count(r.outputTokens), align: 'right' },
        { header: 'COST', value: (r) => usd(r.costUsd), align: 'right' },
        { header: 'P50', value: (r) => ms(r.p50LatencyMs), align: 'right' },
        { header: 'P95', value: (r) => ms(r.p95LatencyMs), align: 'right' },
      ],
      'no usage in this range',
    );
    if (summary.from || summary.to) say(`\nfrom ${summary.from ?? 'the start'} to ${summary.to ?? 'now'}`);
  });
}
