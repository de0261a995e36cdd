import type { Preset, Provider } from '../config/schemas.js';
import { toCatalogModel, type CatalogModel } from './models-dev.js';
import { CATALOG_SOURCE, CATALOG_SOURCES } from './sources.js';

export type { CatalogModel } from './models-dev.js';
export { CATALOG_SOURCE } from './sources.js';

export const DEFAULT_CATALOG_LIMIT = 50;
export const MAX_CATALOG_LIMIT = 500;

export interface CatalogQuery {
  /** Our provider id; absent: every provider. */
  provider?: Provider;
  /** Only custom models of this preset. */
  preset?: Preset;
  /** A case-insensitive substring of the upstream model id or the name. */
  q?: string;
  /** Default DEFAULT_CATALOG_LIMIT, at most MAX_CATALOG_LIMIT. */
  limit?: number;
}

export interface CatalogAnswer {
  source: typeof CATALOG_SOURCE;
  models: CatalogModel[];
}

/** Newest first; entries without a date last; then by provider, preset and id, so the order is stable. */
function newestFirst(a: CatalogModel, b: CatalogModel): number {
  const byDate = (b.releaseDate ?? '').localeCompare(a.releaseDate ?? '');
  if (byDate !== 0) return byDate;
  const keyOf = (m: CatalogModel) => `${m.provider}\u0000${m.preset ?? ''}\u0000${m.upstreamModel}`;
  return keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0;
}

let everything: readonly CatalogModel[] | undefined;

/** The whole catalog in our fields, newest first: mapped once, on first use (a few hundred entries). */
export function catalogModels(): readonly CatalogModel[] {
  everything ??= CATALOG_SOURCES.flatMap(({ provider, preset, data }) => Object.values(data.models).map((entry) => toCatalogModel(entry, provider, preset))).sort(
    newestFirst,
  );
  return everything;
}

/** The catalog entries that match, newest first. A provider without a models.dev list (Cohere, Ollama) has none. */
export function searchCatalog(query: CatalogQuery = {}): CatalogAnswer {
  const needle = query.q?.trim().toLowerCase() ?? '';
  const limit = Math.min(Math.max(Math.trunc(query.limit ?? DEFAULT_CATALOG_LIMIT), 1), MAX_CATALOG_LIMIT);
  const models: CatalogModel[] = [];
  for (const model of catalogModels()) {
    if (models.length >= limit) break;
    if (query.provider !== undefined && model.provider !== query.provider) continue;
    if (query.preset !== undefined && model.preset !== query.preset) continue;
    if (needle !== '' && !model.upstreamModel.toLowerCase().includes(needle) && !model.name.toLowerCase().includes(needle)) continue;
    models.push(model);
  }
  return { source: CATALOG_SOURCE, models };
}
