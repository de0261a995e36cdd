import { Hono } from 'hono';
import { SettingsInput, type Settings } from '../config/schemas.js';
import { hashToken } from '../crypto/tokens.js';
import type { AppEnv, Services } from '../services.js';
import { requirePermission } from './session.js';
import { readJson } from './validate.js';

/** What the API shows of the settings: whether a metrics token is set, never its hash. */
function publicSettings({ metricsTokenHash, ...settings }: Settings) {
  return { ...settings, hasMetricsToken: metricsTokenHash !== undefined };
}

export function settingsRoutes(services: Services): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/', requirePermission(services, 'settings:read'), (c) => c.json(publicSettings(services.config.snapshot.settings)));
  app.put('/', requirePermission(services, 'settings:write'), async (c) => {
    const { metricsToken, ...input } = await readJson(c, services, SettingsInput);
    const settings = await services.config.update('settings', async (current) => {
      // The metrics token is kept unless the PUT sets a new one (hashed) or removes it with null.
      const hash = metricsToken === undefined ? current.metricsTokenHash : metricsToken === null ? undefined : hashToken(metricsToken);
      const next: Settings = { ...input, ...(hash === undefined ? {} : { metricsTokenHash: hash }) };
      return { next, result: next };
    });
    return c.json(publicSettings(settings));
  });
  return app;
}
