import { Hono } from 'hono';
import { Settings } from '../config/schemas.js';
import type { AppEnv, Services } from '../services.js';
import { requirePermission } from './session.js';
import { readJson } from './validate.js';

export function settingsRoutes(services: Services): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/', requirePermission(services, 'settings:read'), (c) => c.json(services.config.snapshot.settings));
  app.put('/', requirePermission(services, 'settings:write'), async (c) => {
    const settings = await readJson(c, services, Settings);
    await services.config.update('settings', async () => ({ next: settings, result: undefined }));
    return c.json(settings);
  });
  return app;
}
