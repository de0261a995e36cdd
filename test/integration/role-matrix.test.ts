/**
 * The role-by-route matrix: for every operation in the OpenAPI document, the status each kind
 * of user gets. A documented route without a row fails the test, and so does a route the
 * management API serves that the document leaves out.
 *
 * Columns: the built-in roles (admin, operator, viewer) and a custom role, none of them a
 * member of the project under test; then the project's viewer, editor and owner and a
 * non-member, who all hold the `member` role, which grants only `usage:read` (so that the
 * usage rows test routes, not that permission). Every call a row makes is its own: a row that
 * deletes gets a fresh target for each user.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { managementApi } from '../../src/management/index.js';
import { openApiDocument } from '../../src/management/openapi.js';
import type { Services } from '../../src/services.js';
import { managementHarness, PASSWORD, type Harness } from '../support/management-harness.js';

const ACTORS = ['admin', 'operator', 'viewer', 'custom', 'projectViewer', 'projectEditor', 'projectOwner', 'nonMember'] as const;
type Actor = (typeof ACTORS)[number];
type Member = 'projectViewer' | 'projectEditor' | 'projectOwner';

/** The custom role: users and the audit log, read-only, and models. */
const CUSTOM_PERMISSIONS = ['users:read', 'audit:read', 'models:read', 'usage:read'];

interface Call {
  /** Values for the route's `{name}` parameters. */
  params?: Record<string, string>;
  body?: unknown;
}

interface Row {
  expect: Record<Actor, number>;
  /** What to send, made anew for each user (a fresh target to delete, a unique name). */
  call?: (actor: Actor) => Promise<Call> | Call;
  /** Sent without a session (public routes). */
  anonymous?: boolean;
  /** The call ends the user's sessions: sign them in again after it. */
  revokesSessions?: boolean;
}

/** `ok` for the actors listed, `otherwise` (403) for the rest. */
function only(ok: number, allowed: readonly Actor[], otherwise = 403): Record<Actor, number> {
  return Object.fromEntries(ACTORS.map((actor) => [actor, allowed.includes(actor) ? ok : otherwise])) as Record<Actor, number>;
}
const everyone = (status: number) => only(status, ACTORS);
/** A project route: admins and members by membership role, 404 for everyone else. */
function onProject(statuses: Record<Member, number>, adminStatus: number): Record<Actor, number> {
  return { ...only(0, [], 404), admin: adminStatus, ...statuses };
}

/** The discard port on this machine, where nothing listens: a test call there fails at once. */
const CLOSED_PORT = 'http://127.0.0.1:9/v1';

let h: Harness;
const tokens = {} as Record<Actor, string>;
const emails = {} as Record<Actor, string>;
let projectId: string;
let tokenId: string;
let targetUserId: string;
let counter = 0;
const unique = (prefix: string) => `${prefix}${++counter}`;

async function signIn(actor: Actor): Promise<void> {
  const answer = await h.login(emails[actor]);
  expect(answer.status, `login ${actor}`).toBe(200);
  tokens[actor] = answer.body.token;
}

/** Fixtures are made by the admin, whose session the auth rows renew. */
async function asAdmin(method: string, path: string, body?: unknown) {
  const answer = await h.call(method, path, { token: tokens.admin, body });
  if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

const ids = {} as Record<Actor, string>;
const freshProject = async () => (await asAdmin('POST', '/api/projects', { name: unique('p'), models: ['a'], members: projectMembers() })).id as string;
function projectMembers() {
  return [
    { userId: ids.projectViewer, role: 'viewer' },
    { userId: ids.projectEditor, role: 'editor' },
    { userId: ids.projectOwner, role: 'owner' },
  ];
}

const MATRIX: Record<string, Row> = {
  'GET /health': { expect: everyone(200), anonymous: true },
  'GET /api/openapi.json': { expect: everyone(200), anonymous: true },
  'GET /api/setup': { expect: everyone(200), anonymous: true },
  'POST /api/setup': { expect: everyone(409), anonymous: true, call: () => ({ body: { email: 'late@example.com', password: PASSWORD } }) },
  'POST /api/auth/login': { expect: everyone(200), anonymous: true, call: (actor) => ({ body: { email: emails[actor], password: PASSWORD } }) },
  'GET /api/auth/me': { expect: everyone(200) },
  'POST /api/auth/logout': { expect: everyone(204), revokesSessions: true },
  'PUT /api/auth/password': { expect: everyone(200), revokesSessions: true, call: () => ({ body: { currentPassword: PASSWORD, newPassword: PASSWORD } }) },

  'GET /api/users': { expect: only(200, ['admin', 'custom']) },
  'POST /api/users': { expect: only(201, ['admin']), call: () => ({ body: { email: `${unique('u')}@example.com`, password: PASSWORD, role: 'viewer' } }) },
  'GET /api/users/{id}': { expect: only(200, ['admin', 'custom']), call: () => ({ params: { id: targetUserId } }) },
  'PUT /api/users/{id}': { expect: only(200, ['admin']), call: () => ({ params: { id: targetUserId }, body: { role: 'viewer' } }) },
  'DELETE /api/users/{id}': {
    expect: only(204, ['admin']),
    call: async () => ({ params: { id: (await asAdmin('POST', '/api/users', { email: `${unique('d')}@example.com`, password: PASSWORD, role: 'viewer' })).id } }),
  },

  'GET /api/roles': { expect: only(200, ['admin', 'custom']) },
  'POST /api/roles': { expect: only(201, ['admin']), call: () => ({ body: { id: unique('role'), permissions: ['models:read'] } }) },
  'GET /api/roles/{id}': { expect: only(200, ['admin', 'custom']), call: () => ({ params: { id: 'spare' } }) },
  'PUT /api/roles/{id}': { expect: only(200, ['admin']), call: () => ({ params: { id: 'spare' }, body: { description: 'edited' } }) },
  'DELETE /api/roles/{id}': {
    expect: only(204, ['admin']),
    call: async () => ({ params: { id: (await asAdmin('POST', '/api/roles', { id: unique('gone'), permissions: [] })).id } }),
  },

  'GET /api/models': { expect: only(200, ['admin', 'operator', 'viewer', 'custom']) },
  'POST /api/models': { expect: only(201, ['admin', 'operator']), call: () => ({ body: { id: unique('m'), provider: 'openai' } }) },
  'GET /api/catalog': { expect: only(200, ['admin', 'operator', 'viewer', 'custom']) },
  'GET /api/models/stats': { expect: only(200, ['admin', 'operator', 'viewer', 'custom']) },
  'DELETE /api/models/stats': { expect: only(204, ['admin', 'operator']) },
  // Calls go to a closed local port: the answer is 200 {ok: false}, and nothing leaves the machine.
  'POST /api/models/{id}/test': { expect: only(200, ['admin', 'operator']), call: () => ({ params: { id: 'local' } }) },
  'POST /api/models/test': { expect: only(200, ['admin', 'operator']), call: () => ({ body: { id: unique('t'), provider: 'openai', baseUrl: CLOSED_PORT } }) },
  'GET /api/models/{id}': { expect: only(200, ['admin', 'operator', 'viewer', 'custom']), call: () => ({ params: { id: 'a' } }) },
  'PUT /api/models/{id}': { expect: only(200, ['admin', 'operator']), call: () => ({ params: { id: 'b' }, body: { description: 'edited' } }) },
  'DELETE /api/models/{id}': {
    expect: only(204, ['admin', 'operator']),
    call: async () => ({ params: { id: (await asAdmin('POST', '/api/models', { id: unique('gone'), provider: 'openai' })).id } }),
  },

  // Everyone may list; each sees only their projects (project-membership.test.ts).
  'GET /api/projects': { expect: everyone(200) },
  'POST /api/projects': { expect: only(201, ['admin', 'operator']), call: () => ({ body: { name: unique('new') } }) },
  'GET /api/projects/{id}': { expect: onProject({ projectViewer: 200, projectEditor: 200, projectOwner: 200 }, 200), call: () => ({ params: { id: projectId } }) },
  'PUT /api/projects/{id}': {
    expect: onProject({ projectViewer: 403, projectEditor: 200, projectOwner: 200 }, 200),
    call: () => ({ params: { id: projectId }, body: { name: unique('renamed') } }),
  },
  'DELETE /api/projects/{id}': { expect: onProject({ projectViewer: 403, projectEditor: 403, projectOwner: 204 }, 204), call: async () => ({ params: { id: await freshProject() } }) },
  'POST /api/projects/{id}/route-preview': {
    expect: onProject({ projectViewer: 200, projectEditor: 200, projectOwner: 200 }, 200),
    call: () => ({ params: { id: projectId }, body: { body: { model: 'a', messages: [{ role: 'user', content: 'hi' }] } } }),
  },
  'GET /api/projects/{id}/budgets': { expect: onProject({ projectViewer: 200, projectEditor: 200, projectOwner: 200 }, 200), call: () => ({ params: { id: projectId } }) },
  'POST /api/projects/{id}/tokens': {
    expect: onProject({ projectViewer: 403, projectEditor: 201, projectOwner: 201 }, 201),
    call: () => ({ params: { id: projectId }, body: { name: unique('t') } }),
  },
  'PUT /api/projects/{id}/tokens/{tokenId}': {
    expect: onProject({ projectViewer: 403, projectEditor: 200, projectOwner: 200 }, 200),
    call: () => ({ params: { id: projectId, tokenId }, body: { name: unique('t') } }),
  },
  'DELETE /api/projects/{id}/tokens/{tokenId}': {
    expect: onProject({ projectViewer: 403, projectEditor: 204, projectOwner: 204 }, 204),
    call: async () => ({ params: { id: projectId, tokenId: (await asAdmin('POST', `/api/projects/${projectId}/tokens`, {})).id } }),
  },

  // The custom role and `member` hold usage:read; the operator and viewer too.
  'GET /api/usage': { expect: everyone(200) },
  'GET /api/usage/summary': { expect: everyone(200) },
  'GET /api/logs': { expect: everyone(200) },
  'GET /api/usage/{requestId}': { expect: everyone(404), call: () => ({ params: { requestId: 'req_none' } }) },
  'GET /api/settings': { expect: only(200, ['admin', 'operator', 'viewer']) },
  'PUT /api/settings': { expect: only(200, ['admin']), call: () => ({ body: {} }) },
  'GET /api/audit': { expect: only(200, ['admin', 'custom']) },
  'GET /metrics': { expect: only(200, ['admin', 'operator', 'viewer']) },
};

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** Every `METHOD /path` the OpenAPI document lists. */
function documentedOperations(): string[] {
  const paths = (openApiDocument() as { paths: Record<string, Record<string, unknown>> }).paths;
  return Object.entries(paths).flatMap(([path, item]) => Object.keys(item).filter((key) => HTTP_METHODS.includes(key)).map((method) => `${method.toUpperCase()} ${path}`));
}

beforeAll(async () => {
  h = await managementHarness();
  tokens.admin = h.admin.token;
  await asAdmin('POST', '/api/models', { id: 'a', provider: 'openai', apiKey: 'sk-upstream' });
  await asAdmin('POST', '/api/models', { id: 'b', provider: 'openai' });
  await asAdmin('POST', '/api/models', { id: 'local', provider: 'openai', baseUrl: CLOSED_PORT, apiKey: 'sk-local' });
  await asAdmin('POST', '/api/roles', { id: 'custom', permissions: CUSTOM_PERMISSIONS });
  await asAdmin('POST', '/api/roles', { id: 'member', permissions: ['usage:read'] });
  await asAdmin('POST', '/api/roles', { id: 'spare', permissions: [] });
  emails.admin = h.admin.email;
  ids.admin = h.admin.id;
  const roleOf: Record<Exclude<Actor, 'admin'>, string> = {
    operator: 'operator',
    viewer: 'viewer',
    custom: 'custom',
    projectViewer: 'member',
    projectEditor: 'member',
    projectOwner: 'member',
    nonMember: 'member',
  };
  for (const [actor, role] of Object.entries(roleOf) as [Actor, string][]) {
    const user = await h.user(`${actor.toLowerCase()}@example.com`, role);
    tokens[actor] = user.token;
    emails[actor] = user.email;
    ids[actor] = user.id;
  }
  targetUserId = (await asAdmin('POST', '/api/users', { email: 'target@example.com', password: PASSWORD, role: 'viewer' })).id;
  projectId = await freshProject();
  tokenId = (await asAdmin('POST', `/api/projects/${projectId}/tokens`, { name: 'kept' })).id;
});

describe('the role-by-route matrix', () => {
  it('has a row for every documented operation, and documents every row', () => {
    expect(Object.keys(MATRIX).sort()).toEqual(documentedOperations().sort());
  });

  it('documents every route the management API serves', () => {
    // Building the routes reads nothing from the services; only their shape is looked at.
    const app = managementApi({ now: Date.now } as Partial<Services> as Services);
    const served = new Set(
      app.routes
        .filter((route) => route.method !== 'ALL')
        .map((route) => `${route.method} /api${route.path.replace(/\{[^}]*\}/g, '').replace(/:(\w+)/g, '{$1}').replace(/\/$/, '')}`),
    );
    const documented = new Set(documentedOperations());
    expect([...served].filter((operation) => !documented.has(operation))).toEqual([]);
  });

  for (const [operation, row] of Object.entries(MATRIX)) {
    it(`${operation}`, async () => {
      const [method, template] = operation.split(' ') as [string, string];
      const statuses = {} as Record<Actor, number>;
      for (const actor of ACTORS) {
        const call = (await row.call?.(actor)) ?? {};
        const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(call.params?.[name] ?? `missing-${name}`));
        const answer = await h.call(method, path, { token: row.anonymous ? undefined : tokens[actor], body: call.body });
        statuses[actor] = answer.status;
        if (row.revokesSessions) await signIn(actor);
      }
      // Compared whole, so a failure shows every column at once.
      expect(statuses).toEqual(row.expect);
    });
  }
});
