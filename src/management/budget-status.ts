import { Hono } from 'hono';
import type { AppEnv, Services } from '../services.js';
import { assertProjectAccess, requireProjectAccess } from './access.js';

/**
 * `GET /api/projects/:id/budgets`: each budget of the project and of its tokens, with what is
 * spent (and held by calls in flight) in its current period and when that period ends.
 */
export function budgetStatusRoutes(services: Services): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/:id/budgets', requireProjectAccess(services, 'viewer'), async (c) => {
    const id = c.req.param('id');
    const project = assertProjectAccess(services, c, id, services.config.index.projects.get(id), 'viewer');
    return c.json({ projectId: project.id, budgets: await services.limits.budgetStatus(project) });
  });
  return app;
}
