import { Hono } from 'hono';
import { UsageQuery } from '../config/schemas.js';
import type { AppEnv, Services } from '../services.js';
import { GatewayError } from '../errors.js';
import { queryUsage, usageOfRequest } from '../usage/query.js';
import { requirePermission } from './session.js';
import { parseOrThrow } from './validate.js';

/** A bare date as an upper bound means the whole of that day. */
function bound(value: string | undefined, end: boolean): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return Date.parse(`${value}T${end ? '23:59:59.999' : '00:00:00.000'}Z`);
  return Date.parse(value);
}

export function usageRoutes(services: Services): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  /**
   * `{records, totals, nextCursor}`, one page at a time: records in the order they were recorded,
   * at most `limit` (default 1000, at most 10,000); `nextCursor` is null on the last page, else
   * passed back as `cursor` for the next. `totals` covers the whole filtered range on the first
   * page and is null on the pages after it. A cursor this API did not make is a 400.
   */
  app.get('/', requirePermission(services, 'usage:read'), async (c) => {
    const query = parseOrThrow(UsageQuery, c.req.query());
    // Flush first, so a call that just finished is in the answer.
    await services.usage.flush();
    const result = await queryUsage(services.store, {
      projectId: query.projectId,
      from: bound(query.from, false),
      to: bound(query.to, true),
      limit: query.limit,
      cursor: query.cursor,
    });
    return c.json(result);
  });
  // Every record of one call: its attempts in order, the last with the routing trace.
  app.get('/:requestId', requirePermission(services, 'usage:read'), async (c) => {
    const requestId = c.req.param('requestId');
    await services.usage.flush();
    const records = await usageOfRequest(services.store, requestId);
    if (records.length === 0) throw new GatewayError('not_found', `no usage recorded for request "${requestId}"`);
    return c.json({ requestId, records });
  });
  return app;
}
