import type { Command } from 'commander';
import { sessionClient } from '../api-client.js';
import { usageError } from '../errors.js';
import { dash, printJson, printTable, say } from '../output.js';
import { withJson } from '../options.js';
import { addLimitFlags, budgetsText, findProject, findToken, limitsOf, limitsText, projectPath, type LimitFlags, type Token } from './projects-shared.js';

export function printTokens(tokens: readonly Token[]): void {
  printTable(
    tokens,
    [
      { header: 'TOKEN', value: (t) => t.id },
      { header: 'NAME', value: (t) => t.name ?? dash },
      { header: 'ENDS WITH', value: (t) => t.hint },
      { header: 'CREATED', value: (t) => t.createdAt },
      { header: 'BUDGETS', value: (t) => budgetsText(t.budgets) ?? dash },
      { header: 'LIMITS', value: (t) => limitsText(t.limits) ?? dash },
    ],
    'no tokens: create one with routerly token create <project>',
  );
}

const tokenPath = (projectId: string, tokenId: string) => `${projectPath(projectId)}/tokens/${encodeURIComponent(tokenId)}`;

export function tokenCommands(program: Command): void {
  const token = program.command('token').description("a project's API keys for clients (sk-rt-...): the secret is shown once, at creation");

  withJson(
    addLimitFlags(
      token
        .command('create')
        .description('create a token and print its secret, once: store it now')
        .argument('<project>', 'project id or name')
        .option('--name <name>', 'what it is for'),
      "the token's",
    ),
  ).action(async (ref: string, flags: LimitFlags & { name?: string; json?: boolean }) => {
    if (flags.name !== undefined && flags.name.trim() === '') throw usageError('--name: empty');
    const limits = limitsOf(flags);
    const client = await sessionClient();
    const project = await findProject(client, ref);
    const body = JSON.parse(JSON.stringify({ name: flags.name, limits: limits && Object.keys(limits).length > 0 ? limits : undefined }));
    const created = await client.post<Token & { token: string }>(`${projectPath(project.id)}/tokens`, body);
    if (flags.json) return printJson(created);
    say(`created token ${created.id}${created.name ? ` (${created.name})` : ''} for project ${project.name}; its secret, shown only this once:`);
    say(created.token);
  });

  withJson(token.command('list').description("a project's tokens (ids, names and last characters, never secrets)").argument('<project>', 'project id or name')).action(
    async (ref: string, options: { json?: boolean }) => {
      const project = await findProject(await sessionClient(), ref);
      if (options.json) printJson(project.tokens);
      else printTokens(project.tokens);
    },
  );

  withJson(
    addLimitFlags(
      token.command('update').description("rename a token or change its rate limits").argument('<project>', 'project id or name').argument('<token>', 'token id or name').option('--name <name>', 'a new name'),
      "the token's",
    ),
  ).action(async (ref: string, tokenRef: string, flags: LimitFlags & { name?: string; json?: boolean }) => {
    if (flags.name !== undefined && flags.name.trim() === '') throw usageError('--name: empty');
    if (flags.name === undefined && limitsOf(flags) === undefined) throw usageError('nothing to change: give --name or a limit flag');
    const client = await sessionClient();
    const project = await findProject(client, ref);
    const current = findToken(project, tokenRef);
    const changes = JSON.parse(JSON.stringify({ name: flags.name, limits: limitsOf(flags, current.limits) }));
    const updated = await client.put<Token>(tokenPath(project.id, current.id), changes);
    if (flags.json) return printJson(updated);
    say(`updated token ${updated.id}`);
    printTokens([updated]);
  });

  withJson(token.command('revoke').description('revoke a token: calls with it are refused at once').argument('<project>', 'project id or name').argument('<token>', 'token id or name')).action(
    async (ref: string, tokenRef: string, options: { json?: boolean }) => {
      const client = await sessionClient();
      const project = await findProject(client, ref);
      const found = findToken(project, tokenRef);
      await client.delete(tokenPath(project.id, found.id));
      if (!options.json) say(`revoked token ${found.id}${found.name ? ` (${found.name})` : ''} of project ${project.name}`);
    },
  );
}
