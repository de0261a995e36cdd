import { Option, type Command } from 'commander';
import { usageError } from '../errors.js';
import { choiceOption, commaList, decimal, headerPair, wholeNumber } from '../options.js';
import { readSecretFromStdin } from '../prompt.js';
import { CAPABILITIES, PRESETS, PROVIDERS } from '../vocabulary.js';

/**
 * The flags `model add` and `model update` share, and how they become the API's model fields
 * (ModelInput in src/config/schemas.ts). Prices are USD per million tokens, as the API keeps them.
 */

export interface ModelFlags {
  provider?: string;
  preset?: string;
  baseUrl?: string;
  upstreamModel?: string;
  apiKey?: string;
  apiKeyStdin?: boolean;
  apiKeyEnv?: string;
  inputPrice?: number;
  outputPrice?: number;
  cachedInputPrice?: number;
  cacheWritePrice?: number;
  contextWindow?: number;
  maxOutputTokens?: number;
  capabilities?: string[];
  description?: string;
  header?: Record<string, string>;
  rpm?: number;
  tpm?: number;
  connectTimeoutMs?: number;
  totalTimeoutMs?: number;
  idleTimeoutMs?: number;
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@/-]*$/;

/** A model id as the API takes it, checked before any request. */
export function checkedModelId(id: string): string {
  if (id.length > 128 || !ID_PATTERN.test(id)) throw usageError(`model id "${id}": letters, digits and . _ : @ / - only, starting with a letter or digit, at most 128`);
  return id;
}

const price = decimal(0);
const tokens = wholeNumber(1);
const timeout = wholeNumber(1, 24 * 3600 * 1000);

export function addModelFlags(command: Command): Command {
  return command
    .addOption(choiceOption('--provider <provider>', 'who serves it', PROVIDERS))
    .addOption(choiceOption('--preset <preset>', 'for --provider custom: a known OpenAI-compatible service', PRESETS))
    .option('--base-url <url>', "the provider's API base URL (default: the provider's or preset's)")
    .option('--upstream-model <name>', "the model's name at the provider (default: the id)")
    .option('--api-key-stdin', 'read the provider key from stdin (typed without echo at a terminal): keeps it out of shell history')
    .option('--api-key-env <NAME>', 'read the provider key from environment variable NAME')
    .addOption(new Option('--api-key <key>', 'the provider key itself (visible in shell history and ps: prefer --api-key-stdin or --api-key-env)'))
    .option('--input-price <usd>', 'USD per million input tokens', price)
    .option('--output-price <usd>', 'USD per million output tokens', price)
    .option('--cached-input-price <usd>', 'USD per million cached input tokens', price)
    .option('--cache-write-price <usd>', 'USD per million cache-write tokens', price)
    .option('--context-window <tokens>', 'the context window, in tokens', tokens)
    .option('--max-output-tokens <tokens>', 'the most output tokens in one answer', wholeNumber(1, 10_000_000))
    .option('--capabilities <list>', `what it can do, comma-separated: ${CAPABILITIES.join(', ')}`, (value: string, previous?: string[]) => {
      const items = commaList(value, previous);
      const unknown = items.filter((item) => !(CAPABILITIES as readonly string[]).includes(item));
      if (unknown.length > 0) throw usageError(`--capabilities: unknown ${unknown.join(', ')} (known: ${CAPABILITIES.join(', ')})`);
      return items;
    })
    .option('--description <text>', 'what it is good at (the llm routing judge reads it)')
    .option('--header <name:value>', 'an extra header sent upstream (repeatable)', headerPair)
    .option('--rpm <n>', "the provider key's requests-a-minute quota", tokens)
    .option('--tpm <n>', "the provider key's tokens-a-minute quota", tokens)
    .option('--connect-timeout-ms <ms>', 'until response headers arrive', timeout)
    .option('--total-timeout-ms <ms>', 'the whole call', timeout)
    .option('--idle-timeout-ms <ms>', 'the longest silence in a stream', timeout);
}

/** The provider key from whichever of the three flags was given (at most one), else undefined. */
export async function apiKeyOf(flags: ModelFlags): Promise<string | undefined> {
  const given = [flags.apiKey !== undefined, flags.apiKeyStdin === true, flags.apiKeyEnv !== undefined].filter(Boolean).length;
  if (given > 1) throw usageError('give the key one way: --api-key-stdin, --api-key-env or --api-key');
  if (flags.apiKeyEnv !== undefined) {
    const value = process.env[flags.apiKeyEnv];
    if (value === undefined || value === '') throw usageError(`--api-key-env: ${flags.apiKeyEnv} is not set`);
    return value;
  }
  if (flags.apiKeyStdin) return readSecretFromStdin('API key', '--api-key-stdin');
  if (flags.apiKey === '') throw usageError('--api-key: empty');
  return flags.apiKey;
}

type Fields = Record<string, unknown>;

/** Only the keys whose value is set; undefined when none is. */
function defined(object: Fields): Fields | undefined {
  const entries = Object.entries(object).filter(([, value]) => value !== undefined);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/**
 * The model fields the flags set, each sub-object (pricing, timeouts, limits, capabilities,
 * headers) merged over `base`'s, because the API replaces a sub-object whole: `--input-price`
 * alone must keep the output price. `partialPricing` accepts one price alone, for checking the
 * flags before the base they complete (the catalog's entry, the stored model) is known.
 */
export function modelFieldsOf(flags: ModelFlags, base: Fields = {}, { partialPricing = false } = {}): Fields {
  const merge = (name: string, changes: Fields | undefined) => (changes === undefined ? undefined : { ...((base[name] as Fields | undefined) ?? {}), ...changes });
  const pricing = merge('pricing', defined({ input: flags.inputPrice, output: flags.outputPrice, cachedInput: flags.cachedInputPrice, cacheWrite: flags.cacheWritePrice }));
  if (pricing !== undefined && !partialPricing && (pricing.input === undefined || pricing.output === undefined)) {
    throw usageError('a price needs both --input-price and --output-price (or --from-catalog)');
  }
  const capabilities = flags.capabilities === undefined ? undefined : merge('capabilities', Object.fromEntries(flags.capabilities.map((c) => [c, true])));
  const fields: Fields = {
    provider: flags.provider,
    preset: flags.preset,
    baseUrl: flags.baseUrl,
    upstreamModel: flags.upstreamModel,
    pricing,
    contextWindow: flags.contextWindow,
    maxOutputTokens: flags.maxOutputTokens,
    capabilities,
    description: flags.description,
    headers: merge('headers', flags.header),
    limits: merge('limits', defined({ rpm: flags.rpm, tpm: flags.tpm })),
    timeouts: merge('timeouts', defined({ connectMs: flags.connectTimeoutMs, totalMs: flags.totalTimeoutMs, idleMs: flags.idleTimeoutMs })),
  };
  if (flags.baseUrl !== undefined) {
    try {
      const url = new URL(flags.baseUrl);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
    } catch {
      throw usageError(`--base-url: "${flags.baseUrl}" is not an http(s) URL`);
    }
  }
  return defined(fields) ?? {};
}
