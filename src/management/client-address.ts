import type { Context } from 'hono';
import type { AppEnv, Services } from '../services.js';

/**
 * The client's address as given: the last X-Forwarded-For entry (the one the reverse proxy
 * appended) when `trustProxy` is set and there is one, else what the adapter passed as
 * RequestContext.clientAddress. Login throttling keys it (login-throttle.ts); the audit log
 * records it.
 */
export function clientAddressOf(c: Context<AppEnv>, services: Services): string | undefined {
  if (services.trustProxy) {
    const nearest = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim();
    if (nearest) return nearest;
  }
  return (c.env as AppEnv['Bindings'] | undefined)?.clientAddress;
}
