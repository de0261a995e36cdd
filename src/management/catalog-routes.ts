import { Hono } from 'hono';
import { z } from 'zod';
import { MAX_CATALOG_LIMIT, searchCatalog } from '../catalog/index.js';
import { Preset, Provider } from '../config/schemas.js';
import type { AppEnv, Services } from '../services.js';
import { requirePermission } from './session.js';
import { parseOrThrow } from './validate.js';

/** GET /api/catalog's query: our provider ids (a wrong one is a 400), a search text, a page size. */
export const CatalogQuery = z.object({
  provider: Provider.optional(),
  preset: Preset.optional(),
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_CATALOG_LIMIT).optional(),
});

/**
 * Known models to start a model from (src/catalog/): `{source, models}`, newest first, each in
 * our model's own fields. Static data shipped with the gateway: no provider is called.
 */
export function catalogRoutes(services: Services): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/', requirePermission(services, 'models:read'), (c) => c.json(searchCatalog(parseOrThrow(CatalogQuery, c.req.query()))));
  return app;
}
