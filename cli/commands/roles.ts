import { InvalidArgumentError, type Command } from 'commander';
import { sessionClient } from '../api-client.js';
import { usageError } from '../errors.js';
import { list, printFields, printJson, printTable, say } from '../output.js';
import { commaList, withJson } from '../options.js';
import { PERMISSIONS } from '../vocabulary.js';

interface Role {
  id: string;
  description: string;
  permissions: string[];
  builtIn: boolean;
}

const ROLE_ID = /^[a-z][a-z0-9_-]{0,63}$/;

function permissionList(value: string, previous?: string[]): string[] {
  const items = commaList(value, previous);
  const unknown = items.filter((p) => !(PERMISSIONS as readonly string[]).includes(p));
  if (unknown.length > 0) throw new InvalidArgumentError(`unknown ${unknown.join(', ')}; known: ${PERMISSIONS.join(', ')}`);
  return [...new Set(items)];
}

const rolePath = (id: string) => `/api/roles/${encodeURIComponent(id)}`;
const showRole = (r: Role) => printFields({ id: r.id, 'built in': r.builtIn ? 'yes' : 'no', permissions: list(r.permissions), description: r.description || undefined });

export function roleCommands(program: Command): void {
  const role = program.command('role').description('what users may do: named sets of permissions');

  withJson(role.command('list').description('built-in and custom roles')).action(async (options: { json?: boolean }) => {
    const answer = await (await sessionClient()).get<{ roles: Role[] }>('/api/roles');
    if (options.json) return printJson(answer);
    printTable(
      answer.roles,
      [
        { header: 'ROLE', value: (r) => r.id },
        { header: 'BUILT IN', value: (r) => (r.builtIn ? 'yes' : 'no') },
        { header: 'PERMISSIONS', value: (r) => list(r.permissions) },
        { header: 'DESCRIPTION', value: (r) => r.description },
      ],
      'no roles',
    );
  });

  withJson(role.command('show').description('one role').argument('<role>', 'the role id')).action(async (id: string, options: { json?: boolean }) => {
    const found = await (await sessionClient()).get<Role>(rolePath(id));
    if (options.json) printJson(found);
    else showRole(found);
  });

  withJson(
    role
      .command('create')
      .description('create a custom role (only with permissions your own role holds)')
      .argument('<role>', 'its id: lowercase letters, digits, _ and -')
      .requiredOption('--permissions <list>', `comma-separated permissions: ${PERMISSIONS.join(', ')}`, permissionList)
      .option('--description <text>', 'what it is for'),
  ).action(async (id: string, options: { permissions: string[]; description?: string; json?: boolean }) => {
    if (!ROLE_ID.test(id)) throw usageError(`role id "${id}": lowercase letters, digits, _ and - only, starting with a letter, at most 64`);
    const created = await (await sessionClient()).post<Role>('/api/roles', JSON.parse(JSON.stringify({ id, permissions: options.permissions, description: options.description })));
    if (options.json) return printJson(created);
    say(`created role ${created.id}`);
    showRole(created);
  });

  withJson(
    role
      .command('update')
      .description("replace a role's permissions or description")
      .argument('<role>', 'the role id')
      .option('--permissions <list>', 'the new comma-separated permissions', permissionList)
      .option('--description <text>', 'a new description'),
  ).action(async (id: string, options: { permissions?: string[]; description?: string; json?: boolean }) => {
    if (options.permissions === undefined && options.description === undefined) throw usageError('nothing to change: give --permissions or --description');
    const updated = await (await sessionClient()).put<Role>(rolePath(id), JSON.parse(JSON.stringify({ permissions: options.permissions, description: options.description })));
    if (options.json) return printJson(updated);
    say(`updated role ${updated.id}`);
    showRole(updated);
  });

  withJson(role.command('remove').description('delete a custom role (refused for built-ins and roles in use)').argument('<role>', 'the role id')).action(
    async (id: string, options: { json?: boolean }) => {
      await (await sessionClient()).delete(rolePath(id));
      if (!options.json) say(`removed role ${id}`);
    },
  );
}
