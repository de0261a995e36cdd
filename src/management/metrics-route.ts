import type { Context, MiddlewareHandler } from 'hono';
import { digestsEqual, hashToken } from '../crypto/tokens.js';
import { CONTENT_TYPE } from '../metrics/registry.js';
import type { AppEnv, Services } from '../services.js';
import { requirePermission } from './session.js';

/**
 * `GET /metrics` in the Prometheus text format. A scraper sends the `metricsToken` set
 * through `PUT /api/settings` as a bearer token (compared by hash, in constant time); a
 * signed-in user whose role allows `metrics:read` (admins) may read it too.
 */
export function metricsHandlers(services: Services): [MiddlewareHandler<AppEnv>, (c: Context<AppEnv>) => Response] {
  const session = requirePermission(services, 'metrics:read');
  const scraperOrSession: MiddlewareHandler<AppEnv> = async (c, next) => {
    const expected = services.config.snapshot.settings.metricsTokenHash;
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization')?.trim() ?? '')?.[1];
    if (expected && bearer && digestsEqual(hashToken(bearer), expected)) return next();
    return session(c, next);
  };
  const render = (c: Context<AppEnv>) => c.body(services.metrics.render(), 200, { 'content-type': CONTENT_TYPE, 'cache-control': 'no-store' });
  return [scraperOrSession, render];
}
