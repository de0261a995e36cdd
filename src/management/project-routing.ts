import { Hono } from 'hono';
import { UNLIMITED } from '../limits/call-limits.js';
import { z } from 'zod';
import type { Routing } from '../config/routing.js';
import type { StoredProject } from '../config/schemas.js';
import type { ConfigSnapshot } from '../config/state.js';
import { GatewayError } from '../errors.js';
import { candidatesFor } from '../proxy/candidates.js';
import { recordJudgeCall } from '../proxy/context.js';
import { ENDPOINTS } from '../proxy/endpoints.js';
import { attemptOrder, nothingLeft, rankable } from '../proxy/router.js';
import { routingRequest } from '../proxy/routing-request.js';
import { compileRouting } from '../routing/compile.js';
import { rank } from '../routing/engine.js';
import type { PolicyEnv } from '../routing/types.js';
import type { AppEnv, Services } from '../services.js';
import { assertProjectAccess, requireProjectAccess } from './access.js';
import { readJson } from './validate.js';

function judgesOf(routing: Routing | undefined): string[] {
  return (routing?.policies ?? []).flatMap((p) => (p.type === 'llm' ? [p.model] : []));
}

/** Models a project names outside its pool: alias members and routing judges (deleting one would break its calls). */
export function modelsReferencedBy(project: Pick<StoredProject, 'routing' | 'aliases'>): Set<string> {
  const ids = new Set(judgesOf(project.routing));
  for (const alias of Object.values(project.aliases ?? {})) {
    for (const id of alias.models) ids.add(id);
    for (const id of judgesOf(alias.routing)) ids.add(id);
  }
  return ids;
}

/** Refuses routing that names a model the gateway does not have, or an alias that shadows a pool model. */
export function assertRoutingModelsExist(project: Pick<StoredProject, 'routing' | 'aliases' | 'models'>, snapshot: ConfigSnapshot): void {
  const missing = [...modelsReferencedBy(project)].filter((id) => !snapshot.models.some((m) => m.id === id));
  if (missing.length > 0) {
    throw new GatewayError('invalid_request', `routing: no model ${missing.map((m) => `"${m}"`).join(', ')}`, { param: 'aliases' });
  }
  const shadowing = Object.keys(project.aliases ?? {}).filter((name) => project.models.includes(name));
  if (shadowing.length > 0) {
    throw new GatewayError('invalid_request', `aliases: ${shadowing.map((m) => `"${m}"`).join(', ')} would hide the pool model of that name`, {
      param: 'aliases',
    });
  }
}

const RoutePreviewInput = z
  .object({
    body: z.record(z.string(), z.unknown()),
    path: z.enum(ENDPOINTS.map((e) => e.path) as [string, ...string[]]).optional(),
    /** Ask the llm judge too (a real, metered call to the judge model). */
    includeLlm: z.boolean().optional(),
  })
  .strict();
export { RoutePreviewInput };

/**
 * `POST /api/projects/:id/route-preview`: how a request would be ranked right now, without
 * calling any provider (the judge only when asked). The body is checked as the proxy would.
 * Any member may preview; asking the judge (`includeLlm`) makes a real call billed to the
 * project, so it takes an editor.
 */
export function routePreviewRoutes(services: Services): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/:id/route-preview', requireProjectAccess(services, 'viewer'), async (c) => {
    const input = await readJson(c, services, RoutePreviewInput);
    const id = c.req.param('id');
    const project = assertProjectAccess(services, c, id, services.config.index.projects.get(id), input.includeLlm ? 'editor' : 'viewer');
    const endpoint = ENDPOINTS.find((e) => e.path === (input.path ?? '/v1/chat/completions'))!;
    const valid = endpoint.schema.safeParse(input.body);
    if (!valid.success) {
      const issue = valid.error.issues[0]!;
      throw new GatewayError('invalid_request', `body.${issue.path.join('.')}: ${issue.message}`, { param: 'body' });
    }
    const set = candidatesFor(project, String(input.body.model), services.config.index, endpoint);
    const routing = compileRouting(set.routing);
    const request = routingRequest(endpoint, input.body, JSON.stringify(input.body), project.id, c.req.raw.headers);
    const env: PolicyEnv = { now: services.now(), stats: services.stats, budget: await services.limits.projectBudgets(project) };
    let judge: { model: string; choice?: string; cached: boolean; error?: string } | undefined;
    if (routing.judge && input.includeLlm) {
      const settings = routing.judge;
      const call = { project, token: { id: `user:${c.get('userId')}` }, requestId: `preview_${crypto.randomUUID()}`, startedAt: services.now(), waitUntil: c.env.waitUntil, limits: UNLIMITED };
      const verdict = await services.judge.choose(settings, services.config.index.models.get(settings.model), project.id, set.candidates, request.features(), (report) =>
        recordJudgeCall(services, call, report),
      );
      env.judgeChoice = verdict.choice;
      judge = { model: settings.model, ...verdict };
    }
    const ranking = rank(rankable(set, routing), request, env, routing.policies, services.logger);
    const order = attemptOrder(ranking, set, routing).map((m) => m.config.id);
    return c.json({
      requested: { model: String(input.body.model), as: set.requested },
      ranked: ranking.ranked.map((r) => ({ model: r.candidate.model.config.id, score: r.score, scores: r.scores })),
      excluded: [...set.unfit, ...ranking.excluded],
      order,
      ...(order.length === 0 ? { error: nothingLeft(ranking, set.named).message } : {}),
      ...(ranking.abstained.length ? { abstained: ranking.abstained } : {}),
      ...(ranking.failed.length ? { failed: ranking.failed } : {}),
      ...(ranking.overridden.length ? { overridden: ranking.overridden } : {}),
      ...(judge ? { judge } : {}),
      ...(set.warnings.length ? { warnings: set.warnings } : {}),
    });
  });
  return app;
}
