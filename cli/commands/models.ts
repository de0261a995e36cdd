import type { Command } from 'commander';
import { sessionClient, type ApiClient } from '../api-client.js';
import { CliError, EXIT, notFound, usageError } from '../errors.js';
import { count, list, ms, printFields, printJson, printTable, say, text, usd, type Column } from '../output.js';
import { choiceOption, wholeNumber, withJson } from '../options.js';
import { PRESETS, PROVIDERS } from '../vocabulary.js';
import { addModelFlags, apiKeyOf, checkedModelId, modelFieldsOf, type ModelFlags } from './model-fields.js';

interface Pricing {
  input: number;
  output: number;
  cachedInput?: number;
  cacheWrite?: number;
}
interface Model {
  id: string;
  provider: string;
  preset?: string;
  baseUrl?: string;
  upstreamModel?: string;
  pricing?: Pricing;
  contextWindow?: number;
  maxOutputTokens?: number;
  capabilities?: Record<string, boolean>;
  timeouts?: Record<string, number>;
  limits?: Record<string, number>;
  headers?: Record<string, string>;
  description?: string;
  hasApiKey: boolean;
  createdAt: string;
  updatedAt: string;
}
interface CatalogModel {
  provider: string;
  preset?: string;
  upstreamModel: string;
  name: string;
  contextWindow?: number;
  maxOutputTokens?: number;
  pricing?: Pricing;
  capabilities?: Record<string, boolean>;
  releaseDate?: string;
}
interface ModelStats {
  model: string;
  requests: number;
  errors: number;
  errorRate: number;
  latencyMs: number | null;
  inFlight: number;
  circuit: string;
  circuitOpenUntil: string | null;
  cooldownUntil: string | null;
}
type TestResult =
  | { ok: true; latencyMs: number; text: string; usage: { inputTokens: number; outputTokens: number } | null; costUsd: number | null }
  | { ok: false; latencyMs: number; status?: number; error: { type?: string; message: string } };

const providerOf = (m: { provider: string; preset?: string }) => (m.preset ? `${m.provider}/${m.preset}` : m.provider);
const capabilityList = (c: Record<string, boolean> | undefined) => list(Object.entries(c ?? {}).filter(([, on]) => on).map(([name]) => name));
const pairs = (o: Record<string, unknown> | undefined) => (o && Object.keys(o).length > 0 ? Object.entries(o).map(([k, v]) => `${k}=${String(v)}`).join(', ') : undefined);

const MODEL_COLUMNS: Column<Model>[] = [
  { header: 'ID', value: (m) => m.id },
  { header: 'PROVIDER', value: providerOf },
  { header: 'UPSTREAM', value: (m) => m.upstreamModel ?? m.id },
  { header: 'INPUT $/M', value: (m) => text(m.pricing?.input), align: 'right' },
  { header: 'OUTPUT $/M', value: (m) => text(m.pricing?.output), align: 'right' },
  { header: 'CONTEXT', value: (m) => count(m.contextWindow), align: 'right' },
  { header: 'KEY', value: (m) => (m.hasApiKey ? 'set' : 'none') },
];

function showModel(m: Model): void {
  printFields({
    id: m.id,
    provider: providerOf(m),
    'upstream model': m.upstreamModel ?? m.id,
    'base url': m.baseUrl ?? "(the provider's default)",
    key: m.hasApiKey ? 'set (never shown)' : 'none',
    pricing: m.pricing ? `input $${m.pricing.input}, output $${m.pricing.output}${m.pricing.cachedInput !== undefined ? `, cached input $${m.pricing.cachedInput}` : ''}${m.pricing.cacheWrite !== undefined ? `, cache write $${m.pricing.cacheWrite}` : ''} per million tokens` : 'none (calls cost $0)',
    'context window': m.contextWindow === undefined ? undefined : `${count(m.contextWindow)} tokens`,
    'max output': m.maxOutputTokens === undefined ? undefined : `${count(m.maxOutputTokens)} tokens`,
    capabilities: m.capabilities ? capabilityList(m.capabilities) : undefined,
    limits: pairs(m.limits),
    timeouts: pairs(m.timeouts),
    headers: m.headers ? Object.keys(m.headers).join(', ') : undefined,
    description: m.description,
    created: m.createdAt,
    updated: m.updatedAt,
  });
}

/**
 * The catalog entry `name` (exactly, else ignoring case) for the provider and preset given, or
 * the only provider that has it. Several providers with none given is a usage error, none is not found.
 */
async function catalogEntry(client: ApiClient, name: string, provider?: string, preset?: string): Promise<CatalogModel> {
  const { models } = await client.get<{ models: CatalogModel[] }>('/api/catalog', { provider, preset, q: name, limit: 500 });
  let matches = models.filter((m) => m.upstreamModel === name);
  if (matches.length === 0) matches = models.filter((m) => m.upstreamModel.toLowerCase() === name.toLowerCase());
  if (matches.length === 0) {
    throw notFound(`the catalog has no model "${name}"${provider ? ` for ${provider}${preset ? `/${preset}` : ''}` : ''}: search it with routerly model catalog ${name}`);
  }
  const providers = [...new Set(matches.map(providerOf))];
  if (providers.length > 1) throw usageError(`"${name}" is in the catalog for ${providers.join(', ')}: pass --provider (and --preset)`);
  return matches[0]!;
}

/** A catalog entry as model fields: what the catalog knows, under whatever the flags set. */
function fromCatalog(entry: CatalogModel, id: string): Record<string, unknown> {
  const { name: _name, releaseDate: _released, ...fields } = entry;
  return { ...fields, ...(entry.upstreamModel === id ? { upstreamModel: undefined } : {}) };
}

export function modelCommands(program: Command): void {
  const model = program.command('model').description('the models projects route to: provider, key, prices, limits');

  withJson(model.command('list').description('every model')).action(async (options: { json?: boolean }) => {
    const answer = await (await sessionClient()).get<{ models: Model[] }>('/api/models');
    if (options.json) printJson(answer);
    else printTable(answer.models, MODEL_COLUMNS, 'no models yet: add one with routerly model add');
  });

  withJson(model.command('show').description('one model (never its key)').argument('<id>', 'the model id')).action(async (id: string, options: { json?: boolean }) => {
    const answer = await (await sessionClient()).get<Model>(`/api/models/${encodeURIComponent(checkedModelId(id))}`);
    if (options.json) printJson(answer);
    else showModel(answer);
  });

  withJson(
    addModelFlags(
      model
        .command('add')
        .description('add a model; --from-catalog fills provider, prices, context window, max output and capabilities')
        .argument('<id>', 'the id clients send as "model" (letters, digits and . _ : @ / -)')
        .option('--from-catalog [name]', "fill fields from the catalog entry of this upstream name (default: --upstream-model, else the id); flags still win"),
    ).addHelpText(
      'after',
      `
Examples:
  printf '%s' "$OPENAI_API_KEY" | routerly model add gpt-4o-mini --provider openai --from-catalog --api-key-stdin
  routerly model add fast --from-catalog llama-3.1-8b-instant --provider custom --preset groq --api-key-env GROQ_API_KEY
  routerly model add local --provider ollama --upstream-model llama3.2 --input-price 0 --output-price 0`,
    ),
  ).action(async (idArg: string, flags: ModelFlags & { fromCatalog?: string | boolean; json?: boolean }) => {
    const id = checkedModelId(idArg);
    if (flags.fromCatalog === undefined && flags.provider === undefined) throw usageError('--provider is required (or --from-catalog to take it from the catalog)');
    // Every flag is checked before any request; with --from-catalog a lone price is completed by the catalog's.
    let fields = modelFieldsOf(flags, {}, { partialPricing: flags.fromCatalog !== undefined });
    const apiKey = await apiKeyOf(flags);
    const client = await sessionClient();
    if (flags.fromCatalog !== undefined) {
      const name = typeof flags.fromCatalog === 'string' ? flags.fromCatalog : (flags.upstreamModel ?? id);
      const base = fromCatalog(await catalogEntry(client, name, flags.provider, flags.preset), id);
      fields = { ...base, ...modelFieldsOf(flags, base) };
    }
    const created = await client.post<Model>('/api/models', JSON.parse(JSON.stringify({ id, ...fields, apiKey })));
    if (flags.json) printJson(created);
    else {
      say(`added model ${created.id}`);
      showModel(created);
    }
  });

  withJson(
    addModelFlags(
      model
        .command('update')
        .description('change a model: only the fields given change (a single price keeps the others)')
        .argument('<id>', 'the model id')
        .option('--remove-api-key', 'delete the stored provider key'),
    ),
  ).action(async (idArg: string, flags: ModelFlags & { removeApiKey?: boolean; json?: boolean }) => {
    const id = checkedModelId(idArg);
    const given = Object.keys(modelFieldsOf(flags, {}, { partialPricing: true }));
    const keyFlags = flags.apiKey !== undefined || flags.apiKeyStdin === true || flags.apiKeyEnv !== undefined;
    if (keyFlags && flags.removeApiKey) throw usageError('--remove-api-key and a new key: give one or the other');
    if (given.length === 0 && !keyFlags && !flags.removeApiKey) throw usageError('nothing to change: give at least one flag (see routerly model update --help)');
    const apiKey = await apiKeyOf(flags);
    const client = await sessionClient();
    const path = `/api/models/${encodeURIComponent(id)}`;
    const current = await client.get<Model>(path);
    const changes = { ...modelFieldsOf(flags, current as unknown as Record<string, unknown>), ...(apiKey !== undefined ? { apiKey } : {}), ...(flags.removeApiKey ? { apiKey: null } : {}) };
    const updated = await client.put<Model>(path, changes);
    if (flags.json) printJson(updated);
    else {
      say(`updated model ${updated.id}`);
      showModel(updated);
    }
  });

  withJson(model.command('remove').description('delete a model (refused while a project uses it)').argument('<id>', 'the model id')).action(
    async (id: string, options: { json?: boolean }) => {
      await (await sessionClient()).delete(`/api/models/${encodeURIComponent(checkedModelId(id))}`);
      if (!options.json) say(`removed model ${id}`);
    },
  );

  withJson(
    model
      .command('test')
      .description('one short real call to the model ("Reply with the word ok."): not routed, not charged, not recorded; exit 1 when it fails')
      .argument('<id>', 'the model id'),
  ).action(async (id: string, options: { json?: boolean }) => {
    const result = await (await sessionClient()).request<TestResult>('POST', `/api/models/${encodeURIComponent(checkedModelId(id))}/test`, { timeoutMs: 0 });
    if (options.json) printJson(result);
    if (!result.ok) {
      if (options.json) process.exitCode = EXIT.failed;
      else throw new CliError(`model ${id} failed its test${result.status ? ` (provider status ${result.status})` : ''} after ${ms(result.latencyMs)}: ${result.error.message}`);
      return;
    }
    if (!options.json) {
      const usage = result.usage ? `, ${result.usage.inputTokens} input and ${result.usage.outputTokens} output tokens, ${usd(result.costUsd)}` : '';
      say(`model ${id} answered in ${ms(result.latencyMs)}${usage}: ${JSON.stringify(result.text)}`);
    }
  });

  withJson(model.command('stats').description("live routing statistics per model in this gateway process: circuit, errors, latency, load")).action(async (options: { json?: boolean }) => {
    const answer = await (await sessionClient()).get<{ scope: string; models: ModelStats[] }>('/api/models/stats');
    if (options.json) return printJson(answer);
    printTable(
      answer.models,
      [
        { header: 'MODEL', value: (m) => m.model },
        { header: 'CIRCUIT', value: (m) => m.circuit },
        { header: 'CALLS', value: (m) => count(m.requests), align: 'right' },
        { header: 'ERRORS', value: (m) => count(m.errors), align: 'right' },
        { header: 'ERROR RATE', value: (m) => `${(m.errorRate * 100).toFixed(1)}%`, align: 'right' },
        { header: 'LATENCY', value: (m) => ms(m.latencyMs), align: 'right' },
        { header: 'IN FLIGHT', value: (m) => String(m.inFlight), align: 'right' },
        { header: 'COOLDOWN UNTIL', value: (m) => text(m.cooldownUntil ?? m.circuitOpenUntil) },
      ],
      'no calls yet since the gateway started',
    );
  });

  withJson(
    model
      .command('catalog')
      .description('search the known-model catalog (models.dev data shipped with the gateway), newest first')
      .argument('[query]', 'part of the upstream name or display name')
      .addOption(choiceOption('--provider <provider>', 'only this provider', PROVIDERS))
      .addOption(choiceOption('--preset <preset>', 'only this preset of custom', PRESETS))
      .option('--limit <n>', 'at most this many (1 to 500, default 50)', wholeNumber(1, 500)),
  ).action(async (query: string | undefined, options: { provider?: string; preset?: string; limit?: number; json?: boolean }) => {
    const answer = await (await sessionClient()).get<{ models: CatalogModel[] }>('/api/catalog', { provider: options.provider, preset: options.preset, q: query, limit: options.limit });
    if (options.json) printJson(answer);
    else {
      printTable(
        answer.models,
        [
          { header: 'PROVIDER', value: providerOf },
          { header: 'UPSTREAM', value: (m) => m.upstreamModel },
          { header: 'NAME', value: (m) => m.name },
          { header: 'INPUT $/M', value: (m) => text(m.pricing?.input), align: 'right' },
          { header: 'OUTPUT $/M', value: (m) => text(m.pricing?.output), align: 'right' },
          { header: 'CONTEXT', value: (m) => count(m.contextWindow), align: 'right' },
          { header: 'MAX OUT', value: (m) => count(m.maxOutputTokens), align: 'right' },
          { header: 'RELEASED', value: (m) => text(m.releaseDate) },
        ],
        'nothing in the catalog matches',
      );
    }
  });
}
