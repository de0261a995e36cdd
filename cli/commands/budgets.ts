import type { Command } from 'commander';
import { sessionClient } from '../api-client.js';
import { usageError } from '../errors.js';
import { count, dash, printJson, printTable, say, usd } from '../output.js';
import { choiceOption, decimal, wholeNumber, withJson } from '../options.js';
import { BUDGET_PERIODS } from '../vocabulary.js';
// The gateway's own type (a type import, erased from the build), not a copy that could drift.
import type { BudgetStatus } from '../../src/limits/call-limits.js';
import { budgetsText, findProject, findToken, projectPath, type Budget, type Project } from './projects-shared.js';

/** Where a budget lives: the project's own list, or one token's (PUT replaces each list whole). */
async function budgetTarget(ref: string, tokenRef: string | undefined) {
  const client = await sessionClient();
  const project = await findProject(client, ref);
  const token = tokenRef === undefined ? undefined : findToken(project, tokenRef);
  const path = token ? `${projectPath(project.id)}/tokens/${encodeURIComponent(token.id)}` : projectPath(project.id);
  const budgets = (token ? token.budgets : project.budgets) ?? [];
  const whose = token ? `token ${token.id} of project ${project.name}` : `project ${project.name}`;
  return { client, project, path, budgets, whose };
}

export function budgetCommands(program: Command): void {
  const budget = program.command('budget').description('spending envelopes of a project or a token: at most one per period (hour, day, week, month, total)');

  withJson(budget.command('show').description('each budget of a project and its tokens, with what is spent this period').argument('<project>', 'project id or name')).action(
    async (ref: string, options: { json?: boolean }) => {
      const client = await sessionClient();
      const project = await findProject(client, ref);
      const answer = await client.get<{ projectId: string; budgets: BudgetStatus[] }>(`${projectPath(project.id)}/budgets`);
      if (options.json) return printJson(answer);
      printTable(
        answer.budgets,
        [
          { header: 'SCOPE', value: (b) => (b.scope === 'project' ? 'project' : `token ${b.id}`) },
          { header: 'PERIOD', value: (b) => b.period },
          { header: 'SPENT', value: (b) => (b.limitUsd !== undefined ? usd(b.spentUsd) : dash), align: 'right' },
          { header: 'LIMIT', value: (b) => (b.limitUsd !== undefined ? usd(b.limitUsd) : dash), align: 'right' },
          { header: 'TOKENS', value: (b) => (b.limitTokens !== undefined ? count(b.spentTokens) : dash), align: 'right' },
          { header: 'TOKEN LIMIT', value: (b) => count(b.limitTokens), align: 'right' },
          { header: 'RESETS', value: (b) => b.resetsAt ?? 'never' },
        ],
        `project ${project.name} has no budgets: set one with routerly budget set ${project.name} --period month --usd 100`,
      );
    },
  );

  withJson(
    budget
      .command('set')
      .description("set the budget of one period (replacing that period's), on the project or one of its tokens")
      .argument('<project>', 'project id or name')
      .addOption(choiceOption('--period <period>', 'the calendar period, in UTC (week starts Monday; total never resets)', BUDGET_PERIODS).makeOptionMandatory())
      .option('--usd <amount>', 'the most it may spend in the period, in USD', decimal(0.000001, 1e9))
      .option('--tokens <n>', 'the most tokens (input and output) in the period', wholeNumber(1, 1e15))
      .option('--token <token>', "a token's budget instead of the project's (token id or name)"),
  ).action(async (ref: string, options: { period: string; usd?: number; tokens?: number; token?: string; json?: boolean }) => {
    if (options.usd === undefined && options.tokens === undefined) throw usageError('a budget needs --usd, --tokens or both');
    const { client, path, budgets, whose } = await budgetTarget(ref, options.token);
    const entry: Budget = { period: options.period, ...(options.usd !== undefined ? { limitUsd: options.usd } : {}), ...(options.tokens !== undefined ? { limitTokens: options.tokens } : {}) };
    const next = [...budgets.filter((b) => b.period !== options.period), entry];
    const updated = await client.put<Project | { budgets?: Budget[] }>(path, { budgets: next });
    if (options.json) return printJson(updated);
    say(`budgets of ${whose}: ${budgetsText(updated.budgets) ?? 'none'}`);
  });

  withJson(
    budget
      .command('remove')
      .description("remove the budget of one period from the project or one of its tokens")
      .argument('<project>', 'project id or name')
      .addOption(choiceOption('--period <period>', 'which period', BUDGET_PERIODS).makeOptionMandatory())
      .option('--token <token>', "a token's budget instead of the project's (token id or name)"),
  ).action(async (ref: string, options: { period: string; token?: string; json?: boolean }) => {
    const { client, path, budgets, whose } = await budgetTarget(ref, options.token);
    if (!budgets.some((b) => b.period === options.period)) throw usageError(`${whose} has no ${options.period} budget`);
    const updated = await client.put<Project | { budgets?: Budget[] }>(path, { budgets: budgets.filter((b) => b.period !== options.period) });
    if (options.json) return printJson(updated);
    say(`budgets of ${whose}: ${budgetsText(updated.budgets) ?? 'none'}`);
  });
}
