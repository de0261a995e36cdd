import type { Command } from 'commander';
import { sessionClient } from '../api-client.js';
import { usageError } from '../errors.js';
import { count, dash, list, ms, printJson, printTable, say, text, usd } from '../output.js';
import { isoDate, wholeNumber, withJson } from '../options.js';
import { findProject } from './projects-shared.js';
// The answers' shapes are the gateway's own types: type imports, erased from the build, so a
// command loads none of the gateway's code and the compiler sees the day the two drift apart.
import type { AuditEntry } from '../../src/management/audit-log.js';
import type { CallRow } from '../../src/usage/calls.js';
import type { UsageRecord } from '../../src/usage/record.js';

/** What the gateway saw: the call log, one call's attempts and trace, the audit log. */

const nextPage = (command: string, cursor: string | null) => {
  if (cursor) say(`\nmore: ${command} --cursor ${cursor}`);
};

export function observeCommands(program: Command): void {
  withJson(
    program
      .command('logs')
      .description('the call log, newest first: one row per call (its last attempt)')
      .option('--project <project>', 'one project only (id or name)')
      .option('--model <model>', 'one model only')
      .option('--outcome <outcome>', 'one outcome only: ok, upstream_error, timeout, ...')
      .option('--limit <n>', 'calls per page (1 to 500, default 50)', wholeNumber(1, 500))
      .option('--cursor <cursor>', 'the next page, as the previous one said'),
  ).action(async (options: { project?: string; model?: string; outcome?: string; limit?: number; cursor?: string; json?: boolean }) => {
    const client = await sessionClient();
    const projectId = options.project === undefined ? undefined : (await findProject(client, options.project)).id;
    const page = await client.get<{ calls: CallRow[]; nextCursor: string | null }>('/api/logs', { projectId, model: options.model, outcome: options.outcome, limit: options.limit, cursor: options.cursor });
    if (options.json) return printJson(page);
    printTable(
      page.calls,
      [
        { header: 'TIME', value: (c) => c.time },
        { header: 'PROJECT', value: (c) => c.projectId },
        { header: 'MODEL', value: (c) => c.model },
        { header: 'STATUS', value: (c) => String(c.status), align: 'right' },
        { header: 'OUTCOME', value: (c) => c.outcome },
        { header: 'LATENCY', value: (c) => ms(c.latencyMs), align: 'right' },
        { header: 'TRIES', value: (c) => String(c.attempts), align: 'right' },
        { header: 'TOKENS', value: (c) => `${count(c.inputTokens)}/${count(c.outputTokens)}`, align: 'right' },
        { header: 'COST', value: (c) => usd(c.costUsd), align: 'right' },
        { header: 'REQUEST', value: (c) => c.requestId },
      ],
      'no calls',
    );
    nextPage('routerly logs', page.nextCursor);
  });

  withJson(
    program
      .command('trace')
      .description('one call: each attempt, and why it was routed as it was')
      .argument('<request-id>', 'the x-routerly-request-id of the call (routerly logs shows them)'),
  ).action(async (requestId: string, options: { json?: boolean }) => {
    const answer = await (await sessionClient()).get<{ requestId: string; records: UsageRecord[] }>(`/api/usage/${encodeURIComponent(requestId)}`);
    if (options.json) return printJson(answer);
    const last = answer.records.at(-1);
    if (last?.routing) {
      const r = last.routing;
      say(`"${r.requested}" (${r.via}): candidates ${list(r.candidates)}`);
      for (const e of r.excluded) say(`  excluded ${e.model} by ${e.policy}: ${e.reason}`);
      say('');
    }
    printTable(
      answer.records,
      [
        { header: '#', value: (r) => String(r.attempt ?? 1), align: 'right' },
        { header: 'TIME', value: (r) => r.ts },
        { header: 'MODEL', value: (r) => r.model },
        { header: 'PROVIDER', value: (r) => r.provider },
        { header: 'STATUS', value: (r) => String(r.status), align: 'right' },
        { header: 'OUTCOME', value: (r) => r.outcome },
        { header: 'LATENCY', value: (r) => ms(r.latencyMs), align: 'right' },
        { header: 'TOKENS', value: (r) => `${count(r.inputTokens)}/${count(r.outputTokens)}`, align: 'right' },
        { header: 'COST', value: (r) => usd(r.costUsd), align: 'right' },
      ],
      'no attempts recorded',
    );
  });

  withJson(
    program
      .command('audit')
      .description('the audit log of management writes (who changed what, denied ones too), oldest first')
      .option('--from <date>', 'from this date or date-time', isoDate)
      .option('--to <date>', 'up to this date (the whole day) or date-time', isoDate)
      .option('--limit <n>', 'entries per page (1 to 1000)', wholeNumber(1, 1000))
      .option('--cursor <cursor>', 'the next page, as the previous one said'),
  ).action(async (options: { from?: string; to?: string; limit?: number; cursor?: string; json?: boolean }) => {
    if (options.from && options.to && Date.parse(options.from) > Date.parse(options.to)) throw usageError('--from is after --to');
    const page = await (await sessionClient()).get<{ entries: AuditEntry[]; nextCursor: string | null }>('/api/audit', {
      from: options.from,
      to: options.to,
      limit: options.limit,
      cursor: options.cursor,
    });
    if (options.json) return printJson(page);
    printTable(
      page.entries,
      [
        { header: 'TIME', value: (e) => e.ts },
        { header: 'WHO', value: (e) => e.actor?.email ?? e.actor?.userId ?? dash },
        { header: 'FROM', value: (e) => text(e.address) },
        { header: 'WRITE', value: (e) => `${e.method} ${e.route}` },
        { header: 'TARGET', value: (e) => text(e.target) },
        { header: 'FIELDS', value: (e) => list(e.fields) },
        { header: 'STATUS', value: (e) => String(e.status), align: 'right' },
      ],
      'no entries',
    );
    nextPage('routerly audit', page.nextCursor);
  });
}
