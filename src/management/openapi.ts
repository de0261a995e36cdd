import { z } from 'zod';
import {
  Credentials,
  PasswordChange,
  ModelInput,
  ModelUpdate,
  ProjectInput,
  ProjectUpdate,
  PublicModel,
  PublicRole,
  PublicUser,
  RoleInput,
  RoleUpdate,
  Settings,
  SettingsInput,
  TokenInput,
  TokenUpdate,
  UserInput,
  UserUpdate,
} from '../config/schemas.js';
import { RoutePreviewInput } from './project-routing.js';

/**
 * The management API's OpenAPI 3.1 document, generated from the same zod schemas that
 * validate its requests, so the two cannot drift apart.
 */
const schema = (s: z.ZodType, io: 'input' | 'output' = 'input') => z.toJSONSchema(s, { io, unrepresentable: 'any' });

const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
      required: ['code', 'message'],
    },
  },
};

interface Operation {
  summary: string;
  body?: z.ZodType;
  ok: number;
  result?: object;
  public?: boolean;
  query?: string[];
}

function operation(op: Operation) {
  return {
    summary: op.summary,
    ...(op.public ? { security: [] } : {}),
    ...(op.query ? { parameters: op.query.map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } })) } : {}),
    ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: schema(op.body) } } } } : {}),
    responses: {
      [op.ok]: op.result ? { description: 'OK', content: { 'application/json': { schema: op.result } } } : { description: 'OK' },
      default: { description: 'Error', content: { 'application/json': { schema: errorSchema } } },
    },
  };
}

const idParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });
const tokenResult = { type: 'object', properties: { token: { type: 'string' } }, required: ['token'] };
const model = schema(PublicModel, 'output');
const user = schema(PublicUser, 'output');
const role = schema(PublicRole, 'output');

export function openApiDocument(): object {
  return {
    openapi: '3.1.0',
    info: { title: 'Routerly management API', version: '1' },
    components: { securitySchemes: { session: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    security: [{ session: [] }],
    paths: {
      '/health': { get: operation({ summary: 'Readiness', ok: 200, public: true }) },
      '/api/openapi.json': { get: operation({ summary: 'This document', ok: 200, public: true }) },
      '/api/setup': { post: operation({ summary: 'Create the first admin (409 once a user exists)', body: Credentials, ok: 201, result: tokenResult, public: true }) },
      '/api/auth/login': { post: operation({ summary: 'Log in (403 for a disabled user)', body: Credentials, ok: 200, result: tokenResult, public: true }) },
      '/api/auth/me': {
        get: operation({ summary: 'The signed-in user, their role and its permissions, and their project memberships', ok: 200 }),
      },
      '/api/auth/logout': { post: operation({ summary: "End every session of the signed-in user, this one included", ok: 204 }) },
      '/api/auth/password': {
        put: operation({ summary: 'Change one\'s own password: every session ends; the answer holds a new token', body: PasswordChange, ok: 200, result: tokenResult }),
      },
      '/api/users': {
        get: operation({ summary: 'List users (users:read)', ok: 200 }),
        post: operation({ summary: 'Create a user with a role (users:write; only a role whose permissions you hold)', body: UserInput, ok: 201, result: user }),
      },
      '/api/users/{id}': {
        parameters: [idParam('id')],
        get: operation({ summary: 'Get a user', ok: 200, result: user }),
        put: operation({ summary: "Change a user's role, reset their password or (dis)able them; each ends their sessions (409 for the last admin)", body: UserUpdate, ok: 200, result: user }),
        delete: operation({ summary: 'Delete a user and their memberships (409 for the last admin)', ok: 204 }),
      },
      '/api/roles': {
        get: operation({ summary: 'List roles, built-in and custom (users:read)', ok: 200 }),
        post: operation({ summary: 'Create a custom role (users:write; only permissions you hold)', body: RoleInput, ok: 201, result: role }),
      },
      '/api/roles/{id}': {
        parameters: [idParam('id')],
        get: operation({ summary: 'Get a role', ok: 200, result: role }),
        put: operation({ summary: "Change a role's description or permissions (admin keeps *)", body: RoleUpdate, ok: 200, result: role }),
        delete: operation({ summary: 'Delete a custom role (409 for a built-in or a role in use)', ok: 204 }),
      },
      '/api/audit': {
        get: operation({ summary: 'The audit log of management writes, a page at a time in written order (audit:read)', ok: 200, query: ['from', 'to', 'limit', 'cursor'] }),
      },
      '/api/models': {
        get: operation({ summary: 'List models', ok: 200 }),
        post: operation({ summary: 'Create a model', body: ModelInput, ok: 201, result: model }),
      },
      '/api/models/stats': {
        get: operation({ summary: 'Live routing statistics per model (this process or isolate only)', ok: 200 }),
        delete: operation({ summary: 'Forget the live statistics: circuits, cooldowns, latencies', ok: 204 }),
      },
      '/api/models/{id}': {
        parameters: [idParam('id')],
        get: operation({ summary: 'Get a model', ok: 200, result: model }),
        put: operation({ summary: 'Update a model (apiKey: null removes the key)', body: ModelUpdate, ok: 200, result: model }),
        delete: operation({ summary: 'Delete a model (409 while a project uses it)', ok: 204 }),
      },
      '/api/projects': {
        get: operation({ summary: 'List the projects you may see (all with *, else those you are a member of)', ok: 200 }),
        post: operation({ summary: 'Create a project with a first token (shown once); projects:write; a creator without * becomes its owner', body: ProjectInput, ok: 201 }),
      },
      '/api/projects/{id}': {
        parameters: [idParam('id')],
        get: operation({ summary: 'Get a project (members: viewer and up)', ok: 200 }),
        put: operation({ summary: 'Update a project (editor; models and members: owner)', body: ProjectUpdate, ok: 200 }),
        delete: operation({ summary: 'Delete a project (owner)', ok: 204 }),
      },
      '/api/projects/{id}/route-preview': {
        parameters: [idParam('id')],
        post: operation({ summary: 'Rank the candidates for a request without calling any provider', body: RoutePreviewInput, ok: 200 }),
      },
      '/api/projects/{id}/budgets': {
        parameters: [idParam('id')],
        get: operation({ summary: "Each budget of the project and its tokens: spent and held in the current period, and when it ends (members: viewer and up)", ok: 200 }),
      },
      '/api/projects/{id}/tokens': {
        parameters: [idParam('id')],
        post: operation({ summary: 'Create a project token (shown once)', body: TokenInput, ok: 201 }),
      },
      '/api/projects/{id}/tokens/{tokenId}': {
        parameters: [idParam('id'), idParam('tokenId')],
        put: operation({ summary: "Rename a token or replace its budgets and limits (budgets: [] and limits: {} remove them)", body: TokenUpdate, ok: 200 }),
        delete: operation({ summary: 'Revoke a token, at once', ok: 204 }),
      },
      '/api/usage': { get: operation({ summary: 'Usage records (a page, in recorded order) and totals (first page only); nextCursor for the next page', ok: 200, query: ['projectId', 'from', 'to', 'limit', 'cursor'] }) },
      '/api/usage/summary': {
        get: operation({ summary: 'Usage totals from the hourly rollups, grouped by project, model, token, day or hour', ok: 200, query: ['projectId', 'from', 'to', 'groupBy'] }),
      },
      '/api/usage/{requestId}': {
        parameters: [idParam('requestId')],
        get: operation({ summary: 'Every record of one call: its attempts, the last with the routing trace', ok: 200 }),
      },
      '/metrics': { get: operation({ summary: 'Prometheus metrics (bearer metricsToken, or a session allowed metrics:read)', ok: 200 }) },
      '/api/settings': {
        get: operation({ summary: 'Gateway settings (hasMetricsToken, never the token)', ok: 200, result: schema(Settings.omit({ metricsTokenHash: true }), 'output') }),
        put: operation({ summary: 'Replace gateway settings; metricsToken is kept unless set anew or null', body: SettingsInput, ok: 200 }),
      },
    },
  };
}
