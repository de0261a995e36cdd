import { Hono } from 'hono';
import { ProjectInput, ProjectUpdate, TokenInput, TokenUpdate, type StoredProject, type StoredToken } from '../config/schemas.js';
import type { ConfigSnapshot } from '../config/state.js';
import { randomId } from '../crypto/encoding.js';
import { generateToken, hashToken, tokenHint } from '../crypto/tokens.js';
import { GatewayError } from '../errors.js';
import type { AppEnv, Services } from '../services.js';
import { assertRoutingModelsExist } from './project-routing.js';
import { requirePermission } from './session.js';
import { readJson } from './validate.js';

/** What the API shows of a project: token ids, names and hints, never hashes. */
function publicProject({ tokens, ...project }: StoredProject) {
  return { ...project, tokens: tokens.map(publicToken) };
}

function assertModelsExist(models: string[], snapshot: ConfigSnapshot): void {
  const missing = models.filter((id) => !snapshot.models.some((m) => m.id === id));
  if (missing.length > 0) {
    throw new GatewayError('invalid_request', `models: no model ${missing.map((m) => `"${m}"`).join(', ')}`, { param: 'models' });
  }
}

function newToken(input: TokenInput, now: string): { token: string; stored: StoredToken } {
  const token = generateToken();
  const stored: StoredToken = { id: randomId('tok'), hash: hashToken(token), hint: tokenHint(token), createdAt: now };
  applyTokenFields(stored, input);
  return { token, stored };
}

/** Sets what `input` gives; an empty budget list or limits object removes them rather than storing an empty envelope. */
function applyTokenFields(token: StoredToken, input: TokenInput): void {
  if (input.name !== undefined) token.name = input.name;
  if (input.budgets !== undefined) {
    if (input.budgets.length > 0) token.budgets = input.budgets;
    else delete token.budgets;
  }
  if (input.limits !== undefined) {
    if (Object.keys(input.limits).length > 0) token.limits = input.limits;
    else delete token.limits;
  }
}

/** What the API shows of a token: never its hash. */
function publicToken({ hash: _hash, ...token }: StoredToken) {
  return token;
}

export function projectRoutes(services: Services): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const read = requirePermission(services, 'projects:read');
  const write = requirePermission(services, 'projects:write');
  const nowIso = () => new Date(services.now()).toISOString();
  const find = (id: string) => {
    const project = services.config.snapshot.projects.find((p) => p.id === id);
    if (!project) throw new GatewayError('not_found', `no project "${id}"`);
    return project;
  };
  /** Applies `change` to project `id` inside one serialized config write. */
  const updateProject = <R>(id: string, change: (project: StoredProject, snapshot: ConfigSnapshot) => Promise<R> | R) =>
    services.config.update('projects', async (projects, snapshot) => {
      const project = projects.find((p) => p.id === id);
      if (!project) throw new GatewayError('not_found', `no project "${id}"`);
      const result = await change(project, snapshot);
      project.updatedAt = nowIso();
      return { next: projects, result };
    });

  app.get('/', read, (c) => c.json({ projects: services.config.snapshot.projects.map(publicProject) }));
  app.get('/:id', read, (c) => c.json(publicProject(find(c.req.param('id')))));

  app.post('/', write, async (c) => {
    const input = await readJson(c, services, ProjectInput);
    const now = nowIso();
    const { token, stored } = newToken({ name: 'default' }, now);
    const project = await services.config.update('projects', async (projects, snapshot) => {
      assertModelsExist(input.models, snapshot);
      const created: StoredProject = { id: randomId('prj'), name: input.name, models: [...new Set(input.models)], tokens: [stored], createdAt: now, updatedAt: now };
      if (input.rejectUnsupportedParams !== undefined) created.rejectUnsupportedParams = input.rejectUnsupportedParams;
      if (input.routing !== undefined) created.routing = input.routing;
      if (input.aliases !== undefined) created.aliases = input.aliases;
      if (input.unknownModel !== undefined) created.unknownModel = input.unknownModel;
      if (input.budgets?.length) created.budgets = input.budgets;
      if (input.limits && Object.keys(input.limits).length > 0) created.limits = input.limits;
      assertRoutingModelsExist(created, snapshot);
      return { next: [...projects, created], result: created };
    });
    // The token is shown here once; only its hash is kept.
    return c.json({ ...publicProject(project), token, tokenId: stored.id }, 201);
  });

  app.put('/:id', write, async (c) => {
    const changes = await readJson(c, services, ProjectUpdate);
    const project = await updateProject(c.req.param('id'), (project, snapshot) => {
      if (changes.models) {
        assertModelsExist(changes.models, snapshot);
        project.models = [...new Set(changes.models)];
      }
      if (changes.name !== undefined) project.name = changes.name;
      if (changes.rejectUnsupportedParams !== undefined) project.rejectUnsupportedParams = changes.rejectUnsupportedParams;
      if (changes.routing !== undefined) project.routing = changes.routing;
      if (changes.aliases !== undefined) project.aliases = changes.aliases;
      if (changes.unknownModel !== undefined) project.unknownModel = changes.unknownModel;
      if (changes.budgets !== undefined) {
        if (changes.budgets.length > 0) project.budgets = changes.budgets;
        else delete project.budgets;
      }
      if (changes.limits !== undefined) {
        if (Object.keys(changes.limits).length > 0) project.limits = changes.limits;
        else delete project.limits;
      }
      assertRoutingModelsExist(project, snapshot);
      return project;
    });
    return c.json(publicProject(project));
  });

  app.delete('/:id', write, async (c) => {
    const id = c.req.param('id');
    await services.config.update('projects', async (projects) => {
      if (!projects.some((p) => p.id === id)) throw new GatewayError('not_found', `no project "${id}"`);
      return { next: projects.filter((p) => p.id !== id), result: undefined };
    });
    return c.body(null, 204);
  });

  app.post('/:id/tokens', write, async (c) => {
    const input = await readJson(c, services, TokenInput, { optional: true });
    const { token, stored } = newToken(input, nowIso());
    await updateProject(c.req.param('id'), (project) => {
      project.tokens.push(stored);
    });
    return c.json({ ...publicToken(stored), token }, 201);
  });

  app.put('/:id/tokens/:tokenId', write, async (c) => {
    const changes = await readJson(c, services, TokenUpdate);
    const tokenId = c.req.param('tokenId');
    const updated = await updateProject(c.req.param('id'), (project) => {
      const token = project.tokens.find((t) => t.id === tokenId);
      if (!token) throw new GatewayError('not_found', `no token "${tokenId}"`);
      applyTokenFields(token, changes);
      return token;
    });
    return c.json(publicToken(updated));
  });

  app.delete('/:id/tokens/:tokenId', write, async (c) => {
    const tokenId = c.req.param('tokenId');
    await updateProject(c.req.param('id'), (project) => {
      if (!project.tokens.some((t) => t.id === tokenId)) throw new GatewayError('not_found', `no token "${tokenId}"`);
      project.tokens = project.tokens.filter((t) => t.id !== tokenId);
    });
    return c.body(null, 204);
  });

  return app;
}
