import { Hono } from 'hono';
import { GatewayError } from '../errors.js';
import type { AppEnv, Services } from '../services.js';
import { authRoutes } from './auth-routes.js';
import { modelRoutes } from './models.js';
import { openApiDocument } from './openapi.js';
import { routePreviewRoutes } from './project-routing.js';
import { projectRoutes } from './projects.js';
import { requirePermission } from './session.js';
import { settingsRoutes } from './settings.js';
import { usageRoutes } from './usage.js';

/** Everything under /api. Each sub-app guards its own routes; setup, login and the OpenAPI document are open. */
export function managementApi(services: Services): Hono<AppEnv> {
  const document = JSON.stringify(openApiDocument());
  return new Hono<AppEnv>()
    .get('/openapi.json', (c) => c.body(document, 200, { 'content-type': 'application/json' }))
    .route('/', authRoutes(services))
    .route('/models', modelRoutes(services))
    .route('/projects', projectRoutes(services))
    .route('/projects', routePreviewRoutes(services))
    .route('/usage', usageRoutes(services))
    .route('/settings', settingsRoutes(services))
    // Unknown /api paths are private too: 401 before sign-in, 404 after.
    .all('*', requirePermission(services, null), (c) => {
      throw new GatewayError('not_found', `no route ${c.req.method} ${c.req.path}`);
    });
}
