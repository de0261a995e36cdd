import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { UsageQuery } from '../config/schemas.js';
import type { AppEnv, Services } from '../services.js';
import { GatewayError } from '../errors.js';
import { queryUsage, usageOfRequest } from '../usage/query.js';
import { HOUR_MS } from '../usage/rollup.js';
import { summarizeUsage, SUMMARY_GROUP_BY } from '../usage/summary.js';
import { visibleProjectIds } from './access.js';
import { requirePermission } from './session.js';
import { parseOrThrow } from './validate.js';

/** `from`, `to` and `projectId` as GET /api/usage takes them, and what to group by (default `project`). */
export const UsageSummaryQuery = UsageQuery.pick({ projectId: true, from: true, to: true }).extend({
  groupBy: z.enum(SUMMARY_GROUP_BY).default('project'),
});

/** A summary by hour spans at most this many hours (31 days): each is a document per writer to read. */
export const MAX_SUMMARY_HOURS = 31 * 24;

/** A bare date as an upper bound means the whole of that day. */
function bound(value: string | undefined, end: boolean): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return Date.parse(`${value}T${end ? '23:59:59.999' : '00:00:00.000'}Z`);
  return Date.parse(value);
}

/**
 * PROJECT VISIBILITY: the one place that decides whose usage a caller may see, for every route
 * below: the projects they are a member of, or undefined (every project) for full access.
 */
function visibleProjects(services: Services, c: Context<AppEnv>): ReadonlySet<string> | undefined {
  return visibleProjectIds(services, c);
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
      projectIds: visibleProjects(services, c),
      from: bound(query.from, false),
      to: bound(query.to, true),
      limit: query.limit,
      cursor: query.cursor,
    });
    return c.json(result);
  });
  /**
   * `{from, to, groupBy, groups, totals}` from the usage rollups, never the raw records: `from`
   * and `to` are truncated to whole UTC hours (the hour that holds `to` is counted whole). By
   * hour, the range must be given and span at most 31 days.
   */
  app.get('/summary', requirePermission(services, 'usage:read'), async (c) => {
    const query = parseOrThrow(UsageSummaryQuery, c.req.query());
    const from = bound(query.from, false);
    const to = bound(query.to, true);
    if (from !== undefined && to !== undefined && from > to) throw new GatewayError('invalid_request', 'from: after to', { param: 'from' });
    if (query.groupBy === 'hour') {
      if (from === undefined) throw new GatewayError('invalid_request', 'from: required with groupBy=hour', { param: 'from' });
      const hours = Math.floor((to ?? services.now()) / HOUR_MS) - Math.floor(from / HOUR_MS) + 1;
      if (hours > MAX_SUMMARY_HOURS) throw new GatewayError('invalid_request', `from: groupBy=hour spans at most ${MAX_SUMMARY_HOURS / 24} days`, { param: 'from' });
    }
    // Flush first, so a call that just finished is in the answer.
    await services.usage.flush();
    const summary = await summarizeUsage(
      services.store,
      { from, to, projectId: query.projectId, projectIds: visibleProjects(services, c), groupBy: query.groupBy },
      services.logger,
    );
    return c.json(summary);
  });
  // Every record of one call: its attempts in order, the last with the routing trace.
  app.get('/:requestId', requirePermission(services, 'usage:read'), async (c) => {
    const requestId = c.req.param('requestId');
    await services.usage.flush();
    const visible = visibleProjects(services, c);
    const records = (await usageOfRequest(services.store, requestId)).filter((record) => visible === undefined || visible.has(record.projectId));
    if (records.length === 0) throw new GatewayError('not_found', `no usage recorded for request "${requestId}"`);
    return c.json({ requestId, records });
  });
  return app;
}
