import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { sessionClient } from '../api-client.js';
import { CliError, notFound, usageError } from '../errors.js';
import { dash, list, printFields, printJson, printTable, say } from '../output.js';
import { choiceOption, commaList, decimal, wholeNumber, withJson } from '../options.js';
import { POLICY_TYPES } from '../vocabulary.js';
import { findProject, projectPath, type Project } from './projects-shared.js';

type Routing = Record<string, any>;
interface PolicySpec {
  type: string;
  weight?: number;
}

/** `cheapest,health:2,performance`: policy types in order, each with an optional weight. */
function policyList(value: string): PolicySpec[] {
  return value.split(',').map((item) => {
    const [type = '', weight] = item.trim().split(':');
    if (!(POLICY_TYPES as readonly string[]).includes(type)) throw new InvalidArgumentError(`unknown policy "${type}"; known: ${POLICY_TYPES.join(', ')}`);
    if (weight === undefined) return { type };
    return { type, weight: decimal(0, 100)(weight) };
  });
}

const ENDPOINTS = ['/v1/chat/completions', '/v1/messages', '/v1/messages/count_tokens', '/v1/responses', '/v1/embeddings'] as const;

/** The smallest valid request body of each client API that carries `message`. */
function sampleBody(endpoint: string, model: string, message: string): Record<string, unknown> {
  if (endpoint === '/v1/responses' || endpoint === '/v1/embeddings') return { model, input: message };
  if (endpoint === '/v1/messages') return { model, max_tokens: 256, messages: [{ role: 'user', content: message }] };
  return { model, messages: [{ role: 'user', content: message }] };
}

function showRouting(routing: Routing, aliases: Project['aliases']): void {
  const policies = (routing.policies ?? []) as Array<Record<string, unknown>>;
  const fallback = routing.fallback ?? {};
  printFields({
    policies:
      policies.length > 0
        ? policies.map((p) => `${String(p.type)}${p.weight !== undefined ? `:${String(p.weight)}` : ''}${p.enabled === false ? ' (off)' : ''}${p.type === 'llm' ? ` (judge ${String(p.model)})` : ''}`).join(', ')
        : '(none listed: models keep their pool order; capability, context, rate-limit, health and budget filters always apply)',
    fallback: fallback.enabled === false ? 'off' : `on${fallback.fromNamedModel === false ? ', not from a named pool model' : ''}`,
    'max attempts': fallback.maxAttempts === undefined ? 'every candidate' : String(fallback.maxAttempts),
    'fallback statuses': fallback.onStatus ? list(fallback.onStatus.map(String)) : '401, 403, 408, 409, 429 and 5xx (default)',
    retries: routing.retries ? `${routing.retries.max} on the same model${routing.retries.backoffMs !== undefined ? `, backoff ${routing.retries.backoffMs} ms` : ''}` : '0',
    deadline: routing.deadlineMs !== undefined ? `${routing.deadlineMs} ms` : 'none',
    aliases: aliases && Object.keys(aliases).length > 0 ? Object.entries(aliases).map(([name, a]) => `${name} -> ${a.models.join(', ')}`).join('; ') : undefined,
  });
}

interface SetFlags {
  file?: string;
  policies?: PolicySpec[];
  judge?: string;
  fallback?: boolean;
  maxAttempts?: number;
  retries?: number;
  backoffMs?: number;
  deadlineMs?: number;
  reset?: boolean;
  json?: boolean;
}

/** The routing the flags describe, over `current`: each flag changes its own part only; listed policies keep their other options. */
function routingOf(flags: SetFlags, current: Routing): Routing {
  const next: Routing = structuredClone(current);
  if (flags.policies) {
    const before = new Map(((current.policies ?? []) as PolicySpec[]).map((p) => [p.type, p]));
    next.policies = flags.policies.map((spec) => {
      const policy: Record<string, unknown> = { ...before.get(spec.type), ...spec };
      if (spec.weight === undefined) delete policy.weight;
      if (spec.type === 'llm' && flags.judge !== undefined) policy.model = flags.judge;
      if (spec.type === 'llm' && policy.model === undefined) throw usageError('the llm policy needs a judge model: --judge <model id>');
      return policy;
    });
  } else if (flags.judge !== undefined) throw usageError('--judge goes with an llm policy in --policies');
  if (flags.fallback !== undefined || flags.maxAttempts !== undefined) {
    next.fallback = { ...next.fallback, ...(flags.fallback !== undefined ? { enabled: flags.fallback } : {}), ...(flags.maxAttempts !== undefined ? { maxAttempts: flags.maxAttempts } : {}) };
  }
  if (flags.retries !== undefined || flags.backoffMs !== undefined) {
    const backoffMs = flags.backoffMs ?? next.retries?.backoffMs;
    next.retries = { max: flags.retries ?? next.retries?.max ?? 0, ...(backoffMs !== undefined ? { backoffMs } : {}) };
  }
  if (flags.deadlineMs !== undefined) next.deadlineMs = flags.deadlineMs;
  return next;
}

async function routingFromFile(file: string): Promise<Routing> {
  let textIn: string;
  try {
    textIn = file === '-' ? await new Response(process.stdin as unknown as ReadableStream).text() : await readFile(file, 'utf8');
  } catch (error) {
    throw usageError(`--file: cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    const value = JSON.parse(textIn) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Routing;
  } catch (error) {
    throw usageError(`--file: ${file} is not a JSON object: ${(error as Error).message}`);
  }
}

export function routingCommands(program: Command): void {
  const routing = program.command('routing').description("how a project's calls are ranked across its models, retried and failed over");

  withJson(
    routing.command('show').description("a project's routing (--json prints the routing object that routing set --file takes)").argument('<project>', 'project id or name'),
  ).action(async (ref: string, options: { json?: boolean }) => {
    const project = await findProject(await sessionClient(), ref);
    if (options.json) printJson(project.routing ?? {});
    else showRouting(project.routing ?? {}, project.aliases);
  });

  withJson(
    routing
      .command('set')
      .description("change a project's routing; only what the flags give changes")
      .argument('<project>', 'project id or name')
      .option('--policies <list>', `policies in order, each type[:weight] (weight 0 to 100): ${POLICY_TYPES.join(', ')}`, policyList)
      .option('--judge <model>', 'the judge model of the llm policy')
      .option('--fallback', 'try the next model when one fails (the default)')
      .option('--no-fallback', 'one model only: its failure is the answer')
      .option('--max-attempts <n>', 'models tried at most', wholeNumber(1, 50))
      .option('--retries <n>', 'extra tries on the same model before moving on', wholeNumber(0, 5))
      .option('--backoff-ms <ms>', 'the first retry backoff (doubled each time)', wholeNumber(0, 60_000))
      .option('--deadline-ms <ms>', 'one deadline for the whole call', wholeNumber(1, 3_600_000))
      .option('--file <path>', "replace the whole routing with this JSON file ('-' for stdin), as routing show --json prints it")
      .option('--reset', "back to the gateway's default routing")
      .addHelpText('after', '\nExamples:\n  routerly routing set team-a --policies cheapest,health:2 --retries 1\n  routerly routing show team-a --json > r.json && routerly routing set team-a --file r.json'),
  ).action(async (ref: string, flags: SetFlags) => {
    const flagged = flags.policies !== undefined || flags.judge !== undefined || flags.fallback !== undefined || flags.maxAttempts !== undefined || flags.retries !== undefined || flags.backoffMs !== undefined || flags.deadlineMs !== undefined;
    const ways = [flagged, flags.file !== undefined, flags.reset === true].filter(Boolean).length;
    if (ways === 0) throw usageError('nothing to change: give a flag, --file or --reset (see routerly routing set --help)');
    if (ways > 1) throw usageError('--file and --reset each replace the whole routing: give one, without other flags');
    const fromFile = flags.file !== undefined ? await routingFromFile(flags.file) : undefined;
    const client = await sessionClient();
    const project = await findProject(client, ref);
    const next = flags.reset ? {} : (fromFile ?? routingOf(flags, project.routing ?? {}));
    const updated = await client.put<Project>(projectPath(project.id), { routing: next });
    if (flags.json) return printJson(updated.routing ?? {});
    say(`routing of project ${updated.name} updated`);
    showRouting(updated.routing ?? {}, updated.aliases);
  });

  const alias = routing.command('alias').description('names clients may send as "model", each routed among models of its own');
  withJson(
    alias
      .command('set')
      .description('create or replace an alias (its own routing, if any, is kept)')
      .argument('<project>', 'project id or name')
      .argument('<name>', 'what clients send as "model" (not a pool model\'s id, not auto)')
      .requiredOption('--models <ids>', 'the models it routes among, comma-separated', commaList),
  ).action(async (ref: string, name: string, options: { models: string[]; json?: boolean }) => {
    if (name === 'auto' || !/^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$/.test(name)) throw usageError(`alias "${name}": letters, digits and . _ : @ / -, starting with a letter or digit, and not auto`);
    const client = await sessionClient();
    const project = await findProject(client, ref);
    const aliases = { ...project.aliases, [name]: { ...project.aliases?.[name], models: [...new Set(options.models)] } };
    const updated = await client.put<Project>(projectPath(project.id), { aliases });
    if (options.json) return printJson(updated.aliases ?? {});
    say(`alias ${name} of project ${updated.name} routes among ${list(updated.aliases?.[name]?.models)}`);
  });
  withJson(alias.command('remove').description('remove an alias').argument('<project>', 'project id or name').argument('<name>', 'the alias')).action(
    async (ref: string, name: string, options: { json?: boolean }) => {
      const client = await sessionClient();
      const project = await findProject(client, ref);
      if (!project.aliases?.[name]) throw notFound(`project ${project.name} has no alias "${name}"`);
      const { [name]: _removed, ...aliases } = project.aliases;
      const updated = await client.put<Project>(projectPath(project.id), { aliases });
      if (options.json) return printJson(updated.aliases ?? {});
      say(`removed alias ${name} of project ${updated.name}`);
    },
  );

  withJson(
    routing
      .command('preview')
      .description('rank a sample request the way the gateway would now, without calling any provider')
      .argument('<project>', 'project id or name')
      .option('--model <model>', 'the "model" the client sends: a pool model, an alias or auto', 'auto')
      .option('--message <text>', 'the user message', 'Hello')
      .addOption(choiceOption('--endpoint <path>', 'the client API the request comes in', ENDPOINTS).default('/v1/chat/completions'))
      .option('--llm', 'also ask the llm judge (a real call, billed to the project)'),
  ).action(async (ref: string, options: { model: string; message: string; endpoint: string; llm?: boolean; json?: boolean }) => {
    const client = await sessionClient();
    const project = await findProject(client, ref);
    const body = { body: sampleBody(options.endpoint, options.model, options.message), path: options.endpoint, ...(options.llm ? { includeLlm: true } : {}) };
    const preview = await client.request<any>('POST', `${projectPath(project.id)}/route-preview`, { body, timeoutMs: options.llm ? 0 : undefined });
    if (options.json) return printJson(preview);
    say(`"${options.model}" (${preview.requested.as}) would try, in order: ${list(preview.order)}`);
    say('');
    printTable(
      preview.ranked as Array<{ model: string; score: number; scores: Record<string, number> }>,
      [
        { header: 'MODEL', value: (r) => r.model },
        { header: 'SCORE', value: (r) => r.score.toFixed(3), align: 'right' },
        { header: 'BY POLICY', value: (r) => Object.entries(r.scores).map(([policy, s]) => `${policy} ${s.toFixed(2)}`).join(', ') || dash },
      ],
      'no model ranked',
    );
    const excluded = preview.excluded as Array<{ model: string; policy: string; reason: string }>;
    if (excluded.length > 0) {
      say('');
      printTable(excluded, [{ header: 'EXCLUDED', value: (e) => e.model }, { header: 'BY', value: (e) => e.policy }, { header: 'WHY', value: (e) => e.reason }], '');
    }
    if (preview.judge) say(`judge ${preview.judge.model}: ${preview.judge.choice ?? `no choice${preview.judge.error ? ` (${preview.judge.error})` : ''}`}`);
    // Printed above in full; the exit code and this line tell a script the request could not be served.
    if (preview.error) throw new CliError(`no model can serve it: ${preview.error}`);
  });
}
