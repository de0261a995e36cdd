import { Hono } from 'hono';
import { GatewayError } from '../errors.js';
import type { AppEnv, Services } from '../services.js';
import { accountRoutes } from './account.js';
import { auditWrites } from './audit.js';
import { auditRoutes } from './audit-routes.js';
import { authRoutes } from './auth-routes.js';
import { budgetStatusRoutes } from './budget-status.js';
import { catalogRoutes } from './catalog-routes.js';
import { logsRoutes } from './logs-routes.js';
import { modelRoutes } from './models.js';
import { modelTestRoutes } from './model-test-routes.js';
import { openApiDocument } from './openapi.js';
import { routePreviewRoutes } from './project-routing.js';
import { projectRoutes } from './projects.js';
import { roleRoutes } from './role-routes.js';
import { requirePermission } from './session.js';
import { settingsRoutes } from './settings.js';
import { usageRoutes } from './usage.js';
import { userRoutes } from './users.js';

/**
 * Everything under /api. Each sub-app guards its own routes; setup, login and the OpenAPI
 * document are open. Every write, whatever its answer, goes into the audit log first.
 */
export function managementApi(services: Services): Hono<AppEnv> {
  const document = JSON.stringify(openApiDocument());
  return new Hono<AppEnv>()
    .use('*', auditWrites(services))
    .get('/openapi.json', (c) => c.body(document, 200, { 'content-type': 'application/json' }))
    .route('/', authRoutes(services))
    .route('/auth', accountRoutes(services))
    .route('/users', userRoutes(services))
    .route('/roles', roleRoutes(services))
    .route('/models', modelTestRoutes(services))
    .route('/models', modelRoutes(services))
    .route('/catalog', catalogRoutes(services))
    .route('/projects', projectRoutes(services))
    .route('/projects', routePreviewRoutes(services))
    .route('/projects', budgetStatusRoutes(services))
    .route('/usage', usageRoutes(services))
    .route('/logs', logsRoutes(services))
    .route('/settings', settingsRoutes(services))
    .route('/audit', auditRoutes(services))
    // Unknown /api paths are private too: 401 before sign-in, 404 after.
    .all('*', requirePermission(services, null), (c) => {
      throw new GatewayError('not_found', `no route ${c.req.method} ${c.req.path}`);
    });
}
