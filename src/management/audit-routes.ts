import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, Services } from '../services.js';
import { AUDIT_PREFIX, type AuditEntry } from './audit-log.js';
import { readDayLogPage } from './jsonl-pages.js';
import { requirePermission } from './session.js';
import { parseOrThrow } from './validate.js';

export const DEFAULT_AUDIT_PAGE_SIZE = 100;
export const MAX_AUDIT_PAGE_SIZE = 1000;

const bound = z.iso.datetime({ offset: true }).or(z.iso.date()).optional();
export const AuditQuery = z
  .object({
    from: bound,
    /** A bare date means the whole of that day. */
    to: bound,
    limit: z.coerce.number().int().positive().max(MAX_AUDIT_PAGE_SIZE).optional(),
    /** The previous page's `nextCursor`, as returned (opaque; anything else is a 400). */
    cursor: z.string().min(1).max(200).optional(),
  })
  .strict();

/** Epoch ms of a query bound; a bare date is its day's first or last millisecond. */
function boundMs(value: string | undefined, end: boolean): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return Date.parse(`${value}T${end ? '23:59:59.999' : '00:00:00.000'}Z`);
  return Date.parse(value);
}

function parseEntry(line: string): AuditEntry | undefined {
  try {
    const value = JSON.parse(line) as AuditEntry;
    return typeof value === 'object' && value !== null && typeof value.ts === 'string' ? value : undefined;
  } catch {
    return undefined; // a line torn by a crash mid-append
  }
}

/**
 * `GET /api/audit?from=&to=&limit=&cursor=` (`audit:read`): `{entries, nextCursor}`, in the
 * order written (oldest day first), `limit` per page (default 100, at most 1000).
 */
export function auditRoutes(services: Services): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/', requirePermission(services, 'audit:read'), async (c) => {
    const query = parseOrThrow(AuditQuery, c.req.query());
    // Flush first, so the writes just answered are in the answer.
    await services.audit.flush();
    const page = await readDayLogPage(services.store, {
      prefix: AUDIT_PREFIX,
      from: boundMs(query.from, false),
      to: boundMs(query.to, true),
      limit: query.limit ?? DEFAULT_AUDIT_PAGE_SIZE,
      cursor: query.cursor,
      parse: parseEntry,
      timeOf: (entry) => Date.parse(entry.ts),
    });
    return c.json(page);
  });
  return app;
}
