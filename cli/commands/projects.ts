import type { Command } from 'commander';
import { sessionClient } from '../api-client.js';
import { usageError } from '../errors.js';
import { dash, list, printFields, printJson, printTable, say } from '../output.js';
import { choiceOption, commaList, withJson } from '../options.js';
import { addLimitFlags, budgetsText, findProject, limitsOf, limitsText, projectPath, type LimitFlags, type Project } from './projects-shared.js';
import { printTokens } from './tokens.js';
import { findUser } from './users.js';

const MEMBER_ROLES = ['viewer', 'editor', 'owner'] as const;

function showProject(p: Project): void {
  printFields({
    id: p.id,
    name: p.name,
    models: list(p.models),
    aliases: p.aliases && Object.keys(p.aliases).length > 0 ? Object.entries(p.aliases).map(([name, a]) => `${name} -> ${a.models.join(', ')}`).join('; ') : undefined,
    'unknown model': p.unknownModel ?? 'route',
    'unsupported params': p.rejectUnsupportedParams ? 'rejected (400)' : 'dropped with a warning header',
    budgets: budgetsText(p.budgets),
    limits: limitsText(p.limits),
    members: p.members.length > 0 ? p.members.map((m) => `${m.userId} (${m.role})`).join(', ') : undefined,
    created: p.createdAt,
    updated: p.updatedAt,
  });
  say('');
  printTokens(p.tokens);
}

interface ProjectFlags extends LimitFlags {
  name?: string;
  models?: string[];
  addModel?: string[];
  removeModel?: string[];
  rejectUnsupportedParams?: boolean;
  unknownModel?: string;
  json?: boolean;
}

function addProjectFlags(command: Command): Command {
  return addLimitFlags(
    command
      .option('--reject-unsupported-params', 'answer 400 to a translated call with a parameter the provider lacks')
      .option('--no-reject-unsupported-params', 'send such calls without it, naming it in x-routerly-warnings (the default)')
      .addOption(choiceOption('--unknown-model <how>', 'a "model" that is no pool model or alias: route it like auto, or reject it (404)', ['route', 'reject'])),
    "the project's",
  );
}

export function projectCommands(program: Command): void {
  const project = program.command('project').description('projects: a model pool, tokens, routing, budgets and usage of their own; named by id or name');

  withJson(project.command('list').description('the projects you can see')).action(async (options: { json?: boolean }) => {
    const answer = await (await sessionClient()).get<{ projects: Project[] }>('/api/projects');
    if (options.json) return printJson(answer);
    printTable(
      answer.projects,
      [
        { header: 'ID', value: (p) => p.id },
        { header: 'NAME', value: (p) => p.name },
        { header: 'MODELS', value: (p) => list(p.models) },
        { header: 'TOKENS', value: (p) => String(p.tokens.length), align: 'right' },
        { header: 'BUDGETS', value: (p) => budgetsText(p.budgets) ?? dash },
      ],
      'no projects yet: create one with routerly project create <name> --models <ids>',
    );
  });

  withJson(project.command('show').description('one project and its tokens (never their secrets)').argument('<project>', 'id or name')).action(
    async (ref: string, options: { json?: boolean }) => {
      const found = await findProject(await sessionClient(), ref);
      if (options.json) printJson(found);
      else showProject(found);
    },
  );

  withJson(
    addProjectFlags(
      project
        .command('create')
        .description('create a project; its first token is printed once: store it now')
        .argument('<name>', 'a name for people')
        .option('--models <ids>', 'its model pool, comma-separated (repeatable)', commaList),
    ),
  ).action(async (name: string, flags: ProjectFlags) => {
    if (name.trim() === '') throw usageError('the project name is empty');
    const limits = limitsOf(flags);
    const body = JSON.parse(
      JSON.stringify({
        name,
        models: flags.models ?? [],
        rejectUnsupportedParams: flags.rejectUnsupportedParams,
        unknownModel: flags.unknownModel,
        limits: limits && Object.keys(limits).length > 0 ? limits : undefined,
      }),
    );
    const created = await (await sessionClient()).post<Project & { token: string; tokenId: string }>('/api/projects', body);
    if (flags.json) return printJson(created);
    say(`created project ${created.name} (${created.id}) with models ${list(created.models)}`);
    say(`token ${created.tokenId} (shown only this once, store it now):`);
    say(created.token);
  });

  withJson(
    addProjectFlags(
      project
        .command('update')
        .description('change a project: only what the flags give changes')
        .argument('<project>', 'id or name')
        .option('--name <name>', 'a new name')
        .option('--models <ids>', 'replace the model pool, comma-separated', commaList)
        .option('--add-model <ids>', 'add models to the pool, comma-separated', commaList)
        .option('--remove-model <ids>', 'remove models from the pool, comma-separated', commaList),
    ),
  ).action(async (ref: string, flags: ProjectFlags) => {
    if (flags.models && (flags.addModel || flags.removeModel)) throw usageError('--models replaces the pool: do not combine it with --add-model or --remove-model');
    if (flags.name !== undefined && flags.name.trim() === '') throw usageError('--name: empty');
    limitsOf(flags);
    const given = [flags.name, flags.models, flags.addModel, flags.removeModel, flags.rejectUnsupportedParams, flags.unknownModel, flags.rpm, flags.tpm, flags.concurrency];
    if (given.every((value) => value === undefined) && flags.limits !== false) throw usageError('nothing to change: give at least one flag (see routerly project update --help)');
    const client = await sessionClient();
    const current = await findProject(client, ref);
    let models = flags.models;
    if (flags.addModel || flags.removeModel) {
      const removed = new Set(flags.removeModel ?? []);
      models = [...new Set([...current.models, ...(flags.addModel ?? [])])].filter((m) => !removed.has(m));
    }
    const changes = JSON.parse(
      JSON.stringify({ name: flags.name, models, rejectUnsupportedParams: flags.rejectUnsupportedParams, unknownModel: flags.unknownModel, limits: limitsOf(flags, current.limits) }),
    );
    const updated = await client.put<Project>(projectPath(current.id), changes);
    if (flags.json) return printJson(updated);
    say(`updated project ${updated.name} (${updated.id})`);
    showProject(updated);
  });

  withJson(project.command('remove').description('delete a project, its tokens with it (usage records stay)').argument('<project>', 'id or name')).action(
    async (ref: string, options: { json?: boolean }) => {
      const client = await sessionClient();
      const found = await findProject(client, ref);
      await client.delete(projectPath(found.id));
      if (!options.json) say(`removed project ${found.name} (${found.id})`);
    },
  );

  const member = project.command('member').description("who besides admins may see or change a project: viewer, editor or owner");
  withJson(
    member
      .command('set')
      .description("give a user a role on the project (or change it)")
      .argument('<project>', 'id or name')
      .argument('<user>', 'user id or email')
      .addOption(choiceOption('--role <role>', 'viewer reads; editor also changes tokens, budgets, routing; owner also models and members', MEMBER_ROLES).makeOptionMandatory()),
  ).action(async (ref: string, userRef: string, options: { role: string; json?: boolean }) => {
    const client = await sessionClient();
    const [found, user] = await Promise.all([findProject(client, ref), findUser(client, userRef)]);
    const members = [...found.members.filter((m) => m.userId !== user.id), { userId: user.id, role: options.role }];
    const updated = await client.put<Project>(projectPath(found.id), { members });
    if (options.json) printJson(updated);
    else say(`${user.email} is now ${options.role} of project ${found.name}`);
  });
  withJson(member.command('remove').description('take a user off the project').argument('<project>', 'id or name').argument('<user>', 'user id or email')).action(
    async (ref: string, userRef: string, options: { json?: boolean }) => {
      const client = await sessionClient();
      const [found, user] = await Promise.all([findProject(client, ref), findUser(client, userRef)]);
      if (!found.members.some((m) => m.userId === user.id)) throw usageError(`${user.email} is not a member of project ${found.name}`);
      const updated = await client.put<Project>(projectPath(found.id), { members: found.members.filter((m) => m.userId !== user.id) });
      if (options.json) printJson(updated);
      else say(`${user.email} is no longer a member of project ${found.name}`);
    },
  );
}
