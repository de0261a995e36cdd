import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { AppEnv, Services } from '../services.js';
import type { AuditEntry, AuditNote } from './audit-log.js';
import { clientAddressOf } from './client-address.js';

/** The methods that change something. Every management request with one is audited, whatever its answer. */
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Longer address headers are cut: the log must not grow by what a client chooses to send. */
const MAX_ADDRESS_LENGTH = 100;

/** Adds to what the audit entry of this request will say (see AuditNote). */
export function noteForAudit(c: Context<AppEnv>, note: AuditNote): void {
  c.set('auditNote', { ...c.get('auditNote'), ...note });
}

/** The client's address as given (client-address.ts), cut short: this is a record, not a key. */
export function requestAddress(c: Context<AppEnv>, services: Services): string | null {
  const address = clientAddressOf(c, services);
  return address ? address.slice(0, MAX_ADDRESS_LENGTH) : null;
}

/** `/api/models/:id{.+}` is `/api/models/:id` in the log. */
function routePattern(c: Context<AppEnv>): string {
  return routePath(c).replace(/\{[^}]*\}/g, '');
}

/** The entry for a write that has been answered. */
function entryFor(c: Context<AppEnv>, services: Services): AuditEntry {
  const route = routePattern(c);
  const params = c.req.param() as Record<string, string | undefined>;
  const note = c.get('auditNote') ?? {};
  // The most specific id the route names is the one written: the token, not its project.
  const lastParam = [...route.matchAll(/:(\w+)/g)].at(-1)?.[1];
  const target = note.target ?? (lastParam ? params[lastParam] : undefined);
  const projectId = route.startsWith('/api/projects/:id') ? params.id : undefined;
  const userId = c.get('userId') as string | undefined;
  let actor: AuditEntry['actor'] = null;
  if (userId !== undefined) actor = { userId, email: c.get('userEmail') };
  else if (note.email !== undefined) {
    // Setup and login have no session: the email they claimed says who, and whose account it is if any.
    const claimed = services.config.index.usersByEmail.get(note.email);
    actor = { ...(claimed ? { userId: claimed.id } : {}), email: note.email };
  }
  return {
    ts: new Date(services.now()).toISOString(),
    actor,
    address: requestAddress(c, services),
    method: c.req.method,
    route,
    ...(target !== undefined ? { target } : {}),
    ...(projectId !== undefined ? { projectId } : {}),
    ...(note.fields !== undefined ? { fields: note.fields } : {}),
    status: c.res.status,
  };
}

/**
 * Records every management write once it has been answered, refused ones included (403, 400,
 * 409…, and 401s of setup and login), in the audit log. The entry is written off the request path, kept alive by
 * waitUntil; a failed append is logged, never turned into a failed request.
 */
export function auditWrites(services: Services): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!WRITE_METHODS.has(c.req.method)) return next();
    await next();
    // A write refused for want of a session, naming no account, says nothing of who did what;
    // recording it would let anyone grow the log without bound. Setup and logins (which name
    // an account, and are throttled) are recorded whatever their answer.
    if (c.res.status === 401 && c.get('userId') === undefined && c.get('auditNote')?.email === undefined) return;
    let entry: AuditEntry;
    try {
      entry = entryFor(c, services);
    } catch (error) {
      services.logger.error('audit entry failed', { path: c.req.path, error: String(error) });
      return;
    }
    const written = services.audit.record(entry);
    const waitUntil = (c.env as AppEnv['Bindings'] | undefined)?.waitUntil;
    if (waitUntil) waitUntil(written);
    else void written.catch(() => undefined);
  };
}
