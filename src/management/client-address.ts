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

/**
 * Whether the client reached the gateway over https: the request URL says so, or, when
 * `trustProxy` is set, the last `X-Forwarded-Proto` entry (the one the reverse proxy that
 * terminates TLS set), as with X-Forwarded-For above. Session cookies are marked `Secure` then.
 */
export function requestIsHttps(c: Context<AppEnv>, services: Services): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  if (!services.trustProxy) return false;
  return c.req.header('x-forwarded-proto')?.split(',').at(-1)?.trim().toLowerCase() === 'https';
}
