import type { PresetId, ProviderId } from '../ui/provider-registry';
// The server's own answer types, type-only (erased at build), so the two cannot drift: GET /api/catalog's
// entries, GET /api/models' models and their fields, GET /api/models/stats' ones (ModelStatsTable.describe), and what a test call answers.
import type { z } from 'zod';
import type { CatalogModel } from '../../../src/catalog/models-dev.js';
import type { Capabilities as CapabilitiesSchema, Pricing, Timeouts } from '../../../src/config/schemas.js';
import type { publicModel } from '../../../src/management/models.js';
import type { ModelTestResult } from '../../../src/proxy/test-call.js';
import type { ModelStatsTable } from '../../../src/routing/stats.js';

/**
 * The model API's shapes as the dashboard reads them, and the model form's state with its
 * conversions to request bodies (src/config/schemas.ts: ModelInput, ModelUpdate).
 */

export type { CatalogModel, Pricing, Timeouts };
export type TestResult = ModelTestResult;

export const CAPABILITY_FLAGS = ['vision', 'tools', 'json', 'thinking', 'adaptiveThinking'] as const satisfies readonly (keyof Capabilities)[];
export type CapabilityFlag = (typeof CAPABILITY_FLAGS)[number];
export type Capabilities = z.infer<typeof CapabilitiesSchema>;

/** What GET /api/models answers per model: never the key, only whether one is set. */
export type PublicModel = ReturnType<typeof publicModel>;

/** One model in GET /api/models/stats. */
export type ModelHealth = ReturnType<ModelStatsTable['describe']>;

/** The API path of one model; ids may hold `/` (the routes take `:id{.+}`), each segment is escaped. */
export function modelApiPath(id: string): string {
  return '/api/models/' + id.split('/').map(encodeURIComponent).join('/');
}

/** The dashboard path of one model: one path segment, so an id with `/` stays one parameter. */
export function modelPagePath(id: string): string {
  return '/models/' + encodeURIComponent(id);
}

export interface HeaderRow {
  name: string;
  value: string;
}

/** The form as typed: text where the user types text, numbers (or undefined for empty) elsewhere. */
export interface FormState {
  id: string;
  provider: ProviderId;
  preset: PresetId | '';
  baseUrl: string;
  /** A new key to store; empty keeps the stored one. */
  apiKey: string;
  upstreamModel: string;
  pricing: Partial<Pricing>;
  contextWindow?: number;
  maxOutputTokens?: number;
  capabilities: Capabilities;
  timeouts: Timeouts;
  description: string;
  limits: { rpm?: number; tpm?: number };
  headers: HeaderRow[];
}

export function emptyForm(): FormState {
  return { id: '', provider: 'openai', preset: '', baseUrl: '', apiKey: '', upstreamModel: '', pricing: {}, capabilities: {}, timeouts: {}, description: '', limits: {}, headers: [] };
}

export function formFromModel(model: PublicModel): FormState {
  return {
    id: model.id,
    provider: model.provider,
    preset: model.preset ?? '',
    baseUrl: model.baseUrl ?? '',
    apiKey: '',
    upstreamModel: model.upstreamModel ?? '',
    pricing: { ...model.pricing },
    contextWindow: model.contextWindow,
    maxOutputTokens: model.maxOutputTokens,
    capabilities: { ...model.capabilities },
    timeouts: { ...model.timeouts },
    description: model.description ?? '',
    limits: { ...model.limits },
    headers: Object.entries(model.headers ?? {}).map(([name, value]) => ({ name, value })),
  };
}

/** Drops undefined members, so that `{}` means "none". */
function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const hasAny = (value: object) => Object.keys(value).length > 0;

/**
 * The form as ModelInput's fields (without `id` and `apiKey`), leaving out what is empty. The
 * objects (capabilities, timeouts, limits, headers) are always sent, `{}` when empty: a PUT
 * replaces each object whole, so an emptied one must be sent to be emptied.
 */
export function fieldsFromForm(form: FormState): Record<string, unknown> {
  const pricing = defined(form.pricing);
  const headers = Object.fromEntries(form.headers.filter((row) => row.name.trim() !== '').map((row) => [row.name.trim(), row.value]));
  return defined({
    provider: form.provider,
    preset: form.provider === 'custom' && form.preset ? form.preset : undefined,
    baseUrl: form.baseUrl.trim() || undefined,
    upstreamModel: form.upstreamModel.trim() || undefined,
    pricing: hasAny(pricing) ? pricing : undefined,
    contextWindow: form.contextWindow,
    maxOutputTokens: form.maxOutputTokens,
    capabilities: defined(form.capabilities),
    timeouts: defined(form.timeouts),
    headers,
    description: form.description.trim() || undefined,
    limits: defined(form.limits),
  });
}

/** POST /api/models and POST /api/models/test: ModelInput. */
export function inputFromForm(form: FormState): Record<string, unknown> {
  // A new model has nothing to empty: its empty objects are left out rather than stored as {}.
  const fields = Object.fromEntries(Object.entries(fieldsFromForm(form)).filter(([, value]) => !(typeof value === 'object' && value !== null && !hasAny(value))));
  return { id: form.id.trim(), ...fields, ...(form.apiKey ? { apiKey: form.apiKey } : {}) };
}

/** PUT /api/models/:id: ModelUpdate. A new key replaces the stored one; none keeps it. */
export function updateFromForm(saved: PublicModel, form: FormState): Record<string, unknown> {
  const fields = fieldsFromForm(form);
  // An empty description is valid, and is how an emptied one is cleared.
  if (saved.description && fields.description === undefined) fields.description = '';
  return { ...fields, ...(form.apiKey ? { apiKey: form.apiKey } : {}) };
}

/**
 * What PUT cannot do: it merges the fields given into the stored model, so a field left out
 * keeps its stored value (only the key can be removed, with apiKey: null). These are the
 * stored fields the form has emptied, by label, which a save would silently keep.
 */
export function fieldsPutCannotClear(saved: PublicModel, form: FormState): string[] {
  const fields = fieldsFromForm(form);
  const labels: [keyof PublicModel, string][] = [
    ['preset', 'Preset'],
    ['baseUrl', 'Base URL'],
    ['upstreamModel', 'Upstream model'],
    ['pricing', 'Pricing'],
    ['contextWindow', 'Context window'],
    ['maxOutputTokens', 'Max output tokens'],
  ];
  // Pricing is one object, which a PUT replaces whole: emptied cache prices do go away.
  return labels.filter(([name]) => saved[name] !== undefined && fields[name] === undefined).map(([, label]) => label);
}

/** An id proposed from a catalog entry's upstream name: the characters ids allow, unique among `taken`. */
export function proposeId(upstreamModel: string, taken: Set<string>): string {
  const base =
    upstreamModel
      .replace(/[^A-Za-z0-9._:@/-]+/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 120) || 'model';
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}
