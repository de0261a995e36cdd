import type { Command } from 'commander';
import { sessionClient, type ApiClient } from '../api-client.js';
import { notFound, usageError } from '../errors.js';
import { printFields, printJson, printTable, say } from '../output.js';
import { withJson } from '../options.js';
import { askHidden, closePrompts } from '../prompt.js';

interface User {
  id: string;
  email: string;
  role: string;
  disabled: boolean;
  createdAt: string;
  updatedAt?: string;
}

/** A user by id, or by email (case-insensitive) among all users. */
export async function findUser(client: ApiClient, ref: string): Promise<User> {
  if (!ref.includes('@')) return client.get<User>(`/api/users/${encodeURIComponent(ref)}`);
  const { users } = await client.get<{ users: User[] }>('/api/users');
  const found = users.find((u) => u.email === ref.toLowerCase());
  if (!found) throw notFound(`no user "${ref}"`);
  return found;
}

/** A new password from the flag, else asked without echo (or the next line of a piped stdin). */
async function passwordOf(given: string | undefined): Promise<string> {
  let password = given;
  try {
    password ??= await askHidden('Password for the user: ', 'password', '--password');
  } finally {
    closePrompts();
  }
  if (password.length < 8) throw usageError('--password: at least 8 characters');
  return password;
}

const showUser = (u: User) => printFields({ id: u.id, email: u.email, role: u.role, disabled: u.disabled ? 'yes: cannot log in' : 'no', created: u.createdAt, updated: u.updatedAt });

export function userCommands(program: Command): void {
  const user = program.command('user').description('the people who may log in, each with a role (see routerly role list)');

  withJson(user.command('list').description('every user')).action(async (options: { json?: boolean }) => {
    const answer = await (await sessionClient()).get<{ users: User[] }>('/api/users');
    if (options.json) return printJson(answer);
    printTable(
      answer.users,
      [
        { header: 'ID', value: (u) => u.id },
        { header: 'EMAIL', value: (u) => u.email },
        { header: 'ROLE', value: (u) => u.role },
        { header: 'DISABLED', value: (u) => (u.disabled ? 'yes' : 'no') },
        { header: 'CREATED', value: (u) => u.createdAt },
      ],
      'no users',
    );
  });

  withJson(user.command('show').description('one user').argument('<user>', 'id or email')).action(async (ref: string, options: { json?: boolean }) => {
    const found = await findUser(await sessionClient(), ref);
    if (options.json) printJson(found);
    else showUser(found);
  });

  withJson(
    user
      .command('create')
      .description('create a user with a role')
      .requiredOption('--email <email>', 'their email, which they log in with')
      .requiredOption('--role <role>', 'their role: admin, operator, viewer or a custom one')
      .option('--password <password>', 'their first password, at least 8 characters (asked without echo when not given)'),
  ).action(async (options: { email: string; role: string; password?: string; json?: boolean }) => {
    if (!/^[^\s@]+@[^\s@]+$/.test(options.email)) throw usageError(`--email: "${options.email}" is not an email address`);
    const password = await passwordOf(options.password);
    const created = await (await sessionClient()).post<User>('/api/users', { email: options.email, password, role: options.role });
    if (options.json) return printJson(created);
    say(`created user ${created.email} (${created.id}) as ${created.role}`);
  });

  withJson(
    user
      .command('update')
      .description("change a user's role, reset their password, or disable them; each ends their sessions")
      .argument('<user>', 'id or email')
      .option('--role <role>', 'a new role')
      .option('--password <password>', 'a new password (visible in shell history: prefer --reset-password)')
      .option('--reset-password', 'ask for a new password without echo (or read it from a piped stdin)')
      .option('--disable', 'they can no longer log in')
      .option('--enable', 'they can log in again'),
  ).action(async (ref: string, options: { role?: string; password?: string; resetPassword?: boolean; disable?: boolean; enable?: boolean; json?: boolean }) => {
    if (options.disable && options.enable) throw usageError('--disable and --enable: give one');
    if (options.password !== undefined && options.resetPassword) throw usageError('--password and --reset-password: give one');
    const wantsPassword = options.password !== undefined || options.resetPassword === true;
    if (options.role === undefined && !wantsPassword && !options.disable && !options.enable) throw usageError('nothing to change: give --role, --reset-password, --disable or --enable');
    const password = wantsPassword ? await passwordOf(options.password) : undefined;
    const client = await sessionClient();
    const found = await findUser(client, ref);
    const changes = JSON.parse(JSON.stringify({ role: options.role, password, disabled: options.disable ? true : options.enable ? false : undefined }));
    const updated = await client.put<User>(`/api/users/${encodeURIComponent(found.id)}`, changes);
    if (options.json) return printJson(updated);
    say(`updated user ${updated.email}`);
    showUser(updated);
  });

  withJson(user.command('remove').description('delete a user and their project memberships').argument('<user>', 'id or email')).action(
    async (ref: string, options: { json?: boolean }) => {
      const client = await sessionClient();
      const found = await findUser(client, ref);
      await client.delete(`/api/users/${encodeURIComponent(found.id)}`);
      if (!options.json) say(`removed user ${found.email}`);
    },
  );
}
