import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, Services } from '../services.js';
import { MAX_CALL_PAGE_SIZE, queryCalls } from '../usage/calls.js';
import { visibleProjectIds } from './access.js';
import { requirePermission } from './session.js';
import { parseOrThrow } from './validate.js';

/** GET /api/logs's query: filters by exact value, a page size, and the previous page's cursor. */
export const LogsQuery = z.object({
  projectId: z.string().min(1).max(200).optional(),
  model: z.string().min(1).max(200).optional(),
  outcome: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_CALL_PAGE_SIZE).optional(),
  cursor: z.string().min(1).max(200).optional(),
});

/**
 * The call log (usage/calls.ts): `{calls, nextCursor}`, one row per call, newest first, over the
 * projects the caller may see (the same rule as /api/usage: members see their projects' calls).
 */
export function logsRoutes(services: Services): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/', requirePermission(services, 'usage:read'), async (c) => {
    const query = parseOrThrow(LogsQuery, c.req.query());
    // Flush first, so a call that just finished is listed.
    await services.usage.flush();
    return c.json(await queryCalls(services.store, { ...query, projectIds: visibleProjectIds(services, c) }));
  });
  return app;
}
