/**
 * Project membership: what viewers, editors and owners of a project may do on it, what
 * non-members see (nothing: 404, as for a missing project), and how creating a project makes
 * a creator without `*` its owner.
 */
import type { Context } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { visibleProjectIds, canReadProject } from '../../src/management/access.js';
import type { AppEnv } from '../../src/services.js';
import { managementHarness, type Harness, type SignedInUser } from '../support/management-harness.js';

let h: Harness;
let viewer: SignedInUser;
let editor: SignedInUser;
let owner: SignedInUser;
let outsider: SignedInUser;
let operator: SignedInUser;

beforeAll(async () => {
  h = await managementHarness();
  for (const id of ['a', 'b']) {
    expect((await h.call('POST', '/api/models', { token: h.admin.token, body: { id, provider: 'openai', apiKey: 'sk-upstream' } })).status).toBe(201);
  }
  // Members hold a role with no permissions at all: whatever they do on a project, membership allows.
  expect((await h.call('POST', '/api/roles', { token: h.admin.token, body: { id: 'member', permissions: [] } })).status).toBe(201);
  viewer = await h.user('viewer@example.com', 'member');
  editor = await h.user('editor@example.com', 'member');
  owner = await h.user('owner@example.com', 'member');
  outsider = await h.user('outsider@example.com', 'member');
  operator = await h.user('operator@example.com', 'operator');
});

const members = () => [
  { userId: viewer.id, role: 'viewer' },
  { userId: editor.id, role: 'editor' },
  { userId: owner.id, role: 'owner' },
];

async function project(name = 'p'): Promise<string> {
  const created = await h.call('POST', '/api/projects', { token: h.admin.token, body: { name, models: ['a'], members: members() } });
  expect(created.status).toBe(201);
  return created.body.id;
}

describe('project membership', () => {
  it('lists only member projects for non-admins, and every project for admins', async () => {
    const mine = await project('mine');
    const other = await h.call('POST', '/api/projects', { token: h.admin.token, body: { name: 'other' } });
    const ids = async (user: SignedInUser) => (await h.call('GET', '/api/projects', { token: user.token })).body.projects.map((p: any) => p.id);
    expect(await ids(viewer)).toContain(mine);
    expect(await ids(viewer)).not.toContain(other.body.id);
    expect(await ids(outsider)).not.toContain(mine);
    // A global role with projects:read does not widen it.
    expect(await ids(operator)).not.toContain(mine);
    expect(await ids(h.admin)).toEqual(expect.arrayContaining([mine, other.body.id]));
  });

  it('answers 404 to non-members, as for a missing project, on every project route', async () => {
    const id = await project();
    for (const [method, path, body] of [
      ['GET', `/api/projects/${id}`],
      ['PUT', `/api/projects/${id}`, { name: 'x' }],
      ['DELETE', `/api/projects/${id}`],
      ['POST', `/api/projects/${id}/tokens`, {}],
      ['POST', `/api/projects/${id}/route-preview`, { body: { model: 'a', messages: [{ role: 'user', content: 'hi' }] } }],
    ] as const) {
      const answer = await h.call(method, path, { token: outsider.token, body });
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.body.error.message).toBe(`no project "${id}"`);
    }
  });

  it('lets a viewer read and preview, and nothing more', async () => {
    const id = await project();
    expect((await h.call('GET', `/api/projects/${id}`, { token: viewer.token })).body.members).toEqual(members());
    const preview = await h.call('POST', `/api/projects/${id}/route-preview`, { token: viewer.token, body: { body: { model: 'a', messages: [{ role: 'user', content: 'hi' }] } } });
    expect(preview.status).toBe(200);
    // Asking the judge is a billed call: editors only.
    const judged = await h.call('POST', `/api/projects/${id}/route-preview`, { token: viewer.token, body: { includeLlm: true, body: { model: 'a', messages: [] } } });
    expect(judged.status).toBe(403);
    expect((await h.call('PUT', `/api/projects/${id}`, { token: viewer.token, body: { name: 'x' } })).status).toBe(403);
    expect((await h.call('POST', `/api/projects/${id}/tokens`, { token: viewer.token, body: {} })).status).toBe(403);
    expect((await h.call('DELETE', `/api/projects/${id}`, { token: viewer.token })).status).toBe(403);
  });

  it('lets an editor change settings and tokens, but not the pool, the members or the project itself', async () => {
    const id = await project();
    const changed = await h.call('PUT', `/api/projects/${id}`, {
      token: editor.token,
      body: { name: 'renamed', budgets: [{ period: 'day', limitUsd: 5 }], limits: { rpm: 10 }, aliases: { fast: { models: ['b'] } }, unknownModel: 'reject' },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ name: 'renamed', unknownModel: 'reject' });
    const token = await h.call('POST', `/api/projects/${id}/tokens`, { token: editor.token, body: { name: 'ci' } });
    expect(token.status).toBe(201);
    expect((await h.call('PUT', `/api/projects/${id}/tokens/${token.body.id}`, { token: editor.token, body: { name: 'ci-2' } })).status).toBe(200);
    expect((await h.call('DELETE', `/api/projects/${id}/tokens/${token.body.id}`, { token: editor.token })).status).toBe(204);

    const pool = await h.call('PUT', `/api/projects/${id}`, { token: editor.token, body: { models: ['a', 'b'] } });
    expect(pool.status).toBe(403);
    expect((await h.call('PUT', `/api/projects/${id}`, { token: editor.token, body: { members: [{ userId: editor.id, role: 'owner' }] } })).status).toBe(403);
    expect((await h.call('DELETE', `/api/projects/${id}`, { token: editor.token })).status).toBe(403);
    // Resending the pool and members unchanged (a form that PUTs the whole project) is fine.
    const whole = (await h.call('GET', `/api/projects/${id}`, { token: editor.token })).body;
    expect((await h.call('PUT', `/api/projects/${id}`, { token: editor.token, body: { name: 'again', models: whole.models, members: [...whole.members].reverse() } })).status).toBe(200);
    const after = (await h.call('GET', `/api/projects/${id}`, { token: h.admin.token })).body;
    expect(after).toMatchObject({ name: 'again', models: ['a'] });
    expect(after.members).toHaveLength(3);
    expect(after.members).toEqual(expect.arrayContaining(members()));
  });

  it('lets an owner change the pool and members, and delete the project', async () => {
    const id = await project();
    expect((await h.call('PUT', `/api/projects/${id}`, { token: owner.token, body: { models: ['b'] } })).body.models).toEqual(['b']);
    const withOutsider = [...members(), { userId: outsider.id, role: 'viewer' }];
    expect((await h.call('PUT', `/api/projects/${id}`, { token: owner.token, body: { members: withOutsider } })).status).toBe(200);
    expect((await h.call('GET', `/api/projects/${id}`, { token: outsider.token })).status).toBe(200);
    // Members must be users that exist, once each.
    expect((await h.call('PUT', `/api/projects/${id}`, { token: owner.token, body: { members: [{ userId: 'usr_nobody', role: 'viewer' }] } })).status).toBe(400);
    expect((await h.call('PUT', `/api/projects/${id}`, { token: owner.token, body: { members: [...members(), { userId: viewer.id, role: 'owner' }] } })).status).toBe(400);
    expect((await h.call('PUT', `/api/projects/${id}`, { token: owner.token, body: { members: [{ userId: viewer.id, role: 'boss' }] } })).status).toBe(400);
    expect((await h.call('DELETE', `/api/projects/${id}`, { token: owner.token })).status).toBe(204);
  });

  it('takes a membership away at once', async () => {
    const id = await project();
    expect((await h.call('GET', `/api/projects/${id}`, { token: editor.token })).status).toBe(200);
    expect((await h.call('PUT', `/api/projects/${id}`, { token: owner.token, body: { members: [{ userId: owner.id, role: 'owner' }] } })).status).toBe(200);
    expect((await h.call('GET', `/api/projects/${id}`, { token: editor.token })).status).toBe(404);
  });

  it('needs projects:write to create a project, and makes a creator without * its owner', async () => {
    expect((await h.call('POST', '/api/projects', { token: viewer.token, body: { name: 'mine' } })).status).toBe(403);
    const created = await h.call('POST', '/api/projects', { token: operator.token, body: { name: 'ops', models: ['a'], members: [{ userId: operator.id, role: 'viewer' }, { userId: viewer.id, role: 'viewer' }] } });
    expect(created.status).toBe(201);
    expect(created.body.members).toEqual([{ userId: viewer.id, role: 'viewer' }, { userId: operator.id, role: 'owner' }]);
    expect((await h.call('DELETE', `/api/projects/${created.body.id}`, { token: operator.token })).status).toBe(204);
    // An admin's project has no members but those given.
    const admins = await h.call('POST', '/api/projects', { token: h.admin.token, body: { name: 'admins' } });
    expect(admins.body.members).toEqual([]);
  });

  it('drops the memberships of a deleted user', async () => {
    const id = await project();
    const temp = await h.user('temp@example.com', 'member');
    expect((await h.call('PUT', `/api/projects/${id}`, { token: h.admin.token, body: { members: [...members(), { userId: temp.id, role: 'editor' }] } })).status).toBe(200);
    expect((await h.call('DELETE', `/api/users/${temp.id}`, { token: h.admin.token })).status).toBe(204);
    expect((await h.call('GET', `/api/projects/${id}`, { token: h.admin.token })).body.members).toEqual(members());
  });

  it('gives the usage routes the visible projects: all for admins, the member ones otherwise', async () => {
    const id = await project();
    const other = (await h.call('POST', '/api/projects', { token: h.admin.token, body: { name: 'other' } })).body.id as string;
    // The functions read only the services' config and the context's user id.
    const services = await h.configServices();
    const asUser = (userId: string) => ({ get: (key: string) => (key === 'userId' ? userId : undefined) }) as unknown as Context<AppEnv>;
    expect(visibleProjectIds(services, asUser(h.admin.id))).toBeUndefined();
    const visible = visibleProjectIds(services, asUser(viewer.id))!;
    expect(visible.has(id)).toBe(true);
    expect(visible.has(other)).toBe(false);
    expect(visibleProjectIds(services, asUser(outsider.id))!.has(id)).toBe(false);
    expect(canReadProject(services, asUser(viewer.id), id)).toBe(true);
    expect(canReadProject(services, asUser(viewer.id), other)).toBe(false);
    expect(canReadProject(services, asUser(h.admin.id), other)).toBe(true);
    expect(canReadProject(services, asUser(h.admin.id), 'prj_missing')).toBe(false);
  });
});
