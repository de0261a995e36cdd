import { Hono, type Context } from 'hono';
import {
  ProjectInput,
  ProjectUpdate,
  TokenInput,
  TokenUpdate,
  type ProjectMember,
  type ProjectRole,
  type StoredProject,
  type StoredToken,
} from '../config/schemas.js';
import type { ConfigSnapshot } from '../config/state.js';
import { randomId } from '../crypto/encoding.js';
import { generateToken, hashToken, tokenHint } from '../crypto/tokens.js';
import { GatewayError } from '../errors.js';
import type { AppEnv, Services } from '../services.js';
import { assertProjectAccess, hasFullAccess, OWNER_ONLY_FIELDS, projectRoleOf, requireProjectAccess } from './access.js';
import { noteForAudit } from './audit.js';
import { assertRoutingModelsExist } from './project-routing.js';
import { requirePermission } from './session.js';
import { readJson } from './validate.js';

/** What the API shows of a project: token ids, names and hints, never hashes. */
function publicProject({ tokens, ...project }: StoredProject) {
  return { ...project, members: project.members ?? [], tokens: tokens.map(publicToken) };
}

function assertModelsExist(models: string[], snapshot: ConfigSnapshot): void {
  const missing = models.filter((id) => !snapshot.models.some((m) => m.id === id));
  if (missing.length > 0) {
    throw new GatewayError('invalid_request', `models: no model ${missing.map((m) => `"${m}"`).join(', ')}`, { param: 'models' });
  }
}

function assertUsersExist(members: ProjectMember[], snapshot: ConfigSnapshot): void {
  const missing = members.filter((member) => !snapshot.users.some((u) => u.id === member.userId));
  if (missing.length > 0) {
    throw new GatewayError('invalid_request', `members: no user ${missing.map((m) => `"${m.userId}"`).join(', ')}`, { param: 'members' });
  }
}

type ProjectChanges = ReturnType<typeof ProjectUpdate.parse>;

/** Members in a canonical order, to tell a real change from the same list resent. */
const sameMembers = (a: ProjectMember[] = [], b: ProjectMember[] = []) => {
  const key = (list: ProjectMember[]) => JSON.stringify(list.map((m) => `${m.userId}=${m.role}`).sort());
  return key(a) === key(b);
};

/**
 * The owner-only fields (`models`, `members`) an update would change. A field resent as it is
 * does not count, so a form that PUTs the whole project back works for editors too.
 */
function ownerOnlyChanges(project: StoredProject, changes: ProjectChanges): string[] {
  return OWNER_ONLY_FIELDS.filter((field) => {
    if (changes[field] === undefined) return false;
    if (field === 'members') return !sameMembers(project.members, changes.members);
    return JSON.stringify([...new Set(changes.models)]) !== JSON.stringify(project.models);
  });
}

function newToken(input: TokenInput, now: string): { token: string; stored: StoredToken } {
  const token = generateToken();
  const stored: StoredToken = { id: randomId('tok'), hash: hashToken(token), hint: tokenHint(token), createdAt: now };
  applyTokenFields(stored, input);
  return { token, stored };
}

/** Sets what `input` gives. */
function applyTokenFields(token: StoredToken, input: TokenInput): void {
  if (input.name !== undefined) token.name = input.name;
  applyEnvelope(token, input);
}

/**
 * A project's or token's budgets and limits, where `input` has them: an empty budget list or
 * limits object removes them rather than storing an empty envelope.
 */
function applyEnvelope(target: Pick<StoredToken, 'budgets' | 'limits'>, input: Pick<TokenInput, 'budgets' | 'limits'>): void {
  if (input.budgets !== undefined) {
    if (input.budgets.length > 0) target.budgets = input.budgets;
    else delete target.budgets;
  }
  if (input.limits !== undefined) {
    if (Object.keys(input.limits).length > 0) target.limits = input.limits;
    else delete target.limits;
  }
}

/** What the API shows of a token: never its hash. */
function publicToken({ hash: _hash, ...token }: StoredToken) {
  return token;
}

/**
 * The members of a new project: as given, with a creator who lacks full access made its owner
 * (else they could not see what they just made).
 */
function initialMembers(c: Context<AppEnv>, services: Services, given: ProjectMember[] = []): ProjectMember[] {
  if (hasFullAccess(services, c)) return given;
  const creator = c.get('userId');
  return [...given.filter((m) => m.userId !== creator), { userId: creator, role: 'owner' }];
}

/** Project routes; who may do what on a project is decided in access.ts. */
export function projectRoutes(services: Services): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const signedIn = requirePermission(services, null);
  const create = requirePermission(services, 'projects:write');
  const as = (role: ProjectRole) => requireProjectAccess(services, role);
  const nowIso = () => new Date(services.now()).toISOString();
  /**
   * Applies `change` to project `id` inside one serialized config write, once the caller is
   * found to hold `need` on it there (so a membership change racing this one cannot slip by).
   */
  const updateProject = <R>(c: Context<AppEnv>, need: ProjectRole, change: (project: StoredProject, snapshot: ConfigSnapshot) => Promise<R> | R) => {
    const id = c.req.param('id') ?? '';
    return services.config.update('projects', async (projects, snapshot) => {
      const project = assertProjectAccess(services, c, id, projects.find((p) => p.id === id), need);
      const result = await change(project, snapshot);
      project.updatedAt = nowIso();
      return { next: projects, result };
    });
  };

  app.get('/', signedIn, (c) => {
    const visible = services.config.snapshot.projects.filter((project) => projectRoleOf(services, c, project) !== undefined);
    return c.json({ projects: visible.map(publicProject) });
  });
  app.get('/:id', as('viewer'), (c) => c.json(publicProject(services.config.index.projects.get(c.req.param('id'))!)));

  app.post('/', create, async (c) => {
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
      applyEnvelope(created, input);
      const members = initialMembers(c, services, input.members);
      assertUsersExist(members, snapshot);
      if (members.length > 0) created.members = members;
      assertRoutingModelsExist(created, snapshot);
      return { next: [...projects, created], result: created };
    });
    noteForAudit(c, { target: project.id });
    // The token is shown here once; only its hash is kept.
    return c.json({ ...publicProject(project), token, tokenId: stored.id }, 201);
  });

  app.put('/:id', as('editor'), async (c) => {
    const changes = await readJson(c, services, ProjectUpdate);
    const project = await updateProject(c, 'editor', (project, snapshot) => {
      const ownerOnly = ownerOnlyChanges(project, changes);
      if (ownerOnly.length > 0 && projectRoleOf(services, c, project) !== 'owner') {
        throw new GatewayError('forbidden', `changing ${ownerOnly.join(' and ')} of project "${project.id}" takes its owner`, { param: ownerOnly[0] });
      }
      if (changes.models) {
        assertModelsExist(changes.models, snapshot);
        project.models = [...new Set(changes.models)];
      }
      if (changes.members !== undefined) {
        assertUsersExist(changes.members, snapshot);
        if (changes.members.length > 0) project.members = changes.members;
        else delete project.members;
      }
      if (changes.name !== undefined) project.name = changes.name;
      if (changes.rejectUnsupportedParams !== undefined) project.rejectUnsupportedParams = changes.rejectUnsupportedParams;
      if (changes.routing !== undefined) project.routing = changes.routing;
      if (changes.aliases !== undefined) project.aliases = changes.aliases;
      if (changes.unknownModel !== undefined) project.unknownModel = changes.unknownModel;
      applyEnvelope(project, changes);
      assertRoutingModelsExist(project, snapshot);
      return project;
    });
    return c.json(publicProject(project));
  });

  app.delete('/:id', as('owner'), async (c) => {
    const id = c.req.param('id');
    await services.config.update('projects', async (projects) => {
      assertProjectAccess(services, c, id, projects.find((p) => p.id === id), 'owner');
      return { next: projects.filter((p) => p.id !== id), result: undefined };
    });
    return c.body(null, 204);
  });

  app.post('/:id/tokens', as('editor'), async (c) => {
    const input = await readJson(c, services, TokenInput, { optional: true });
    const { token, stored } = newToken(input, nowIso());
    await updateProject(c, 'editor', (project) => {
      project.tokens.push(stored);
    });
    noteForAudit(c, { target: stored.id });
    return c.json({ ...publicToken(stored), token }, 201);
  });

  app.put('/:id/tokens/:tokenId', as('editor'), async (c) => {
    const changes = await readJson(c, services, TokenUpdate);
    const tokenId = c.req.param('tokenId');
    const updated = await updateProject(c, 'editor', (project) => {
      const token = project.tokens.find((t) => t.id === tokenId);
      if (!token) throw new GatewayError('not_found', `no token "${tokenId}"`);
      applyTokenFields(token, changes);
      return token;
    });
    return c.json(publicToken(updated));
  });

  app.delete('/:id/tokens/:tokenId', as('editor'), async (c) => {
    const tokenId = c.req.param('tokenId');
    await updateProject(c, 'editor', (project) => {
      if (!project.tokens.some((t) => t.id === tokenId)) throw new GatewayError('not_found', `no token "${tokenId}"`);
      project.tokens = project.tokens.filter((t) => t.id !== tokenId);
    });
    return c.body(null, 204);
  });

  return app;
}
