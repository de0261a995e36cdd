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
import { CSRF_HEADER, SESSION_COOKIE, SESSION_MODE_HEADER } from './session-cookie.js';

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
  /** Header parameters, each `{name, description}`. */
  headers?: { name: string; description: string }[];
}

function operation(op: Operation) {
  const parameters = [
    ...(op.query ?? []).map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } })),
    ...(op.headers ?? []).map(({ name, description }) => ({ name, in: 'header', required: false, description, schema: { type: 'string' } })),
  ];
  return {
    summary: op.summary,
    ...(op.public ? { security: [] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: schema(op.body) } } } } : {}),
    responses: {
      [op.ok]: op.result ? { description: 'OK', content: { 'application/json': { schema: op.result } } } : { description: 'OK' },
      default: { description: 'Error', content: { 'application/json': { schema: errorSchema } } },
    },
  };
}

const idParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });
/** `{token}`, or in cookie mode (x-routerly-session: cookie) the session cookie and `{csrfToken}`. */
const tokenResult = {
  oneOf: [
    { type: 'object', properties: { token: { type: 'string' } }, required: ['token'] },
    { type: 'object', properties: { csrfToken: { type: 'string' } }, required: ['csrfToken'] },
  ],
};
const sessionMode = [
  {
    name: SESSION_MODE_HEADER,
    description: '`cookie`: set the session as an HttpOnly cookie (routerly_session) and answer {csrfToken} instead of {token}',
  },
];
const usageTokens = { type: ['object', 'null'], properties: { inputTokens: { type: 'integer' }, outputTokens: { type: 'integer' } } };
/** A model test call's answer (proxy/test-call.ts): usage and costUsd are null when the provider reported no usage. */
const testResult = {
  oneOf: [
    {
      type: 'object',
      properties: { ok: { const: true }, latencyMs: { type: 'number' }, text: { type: 'string' }, usage: usageTokens, costUsd: { type: ['number', 'null'] } },
      required: ['ok', 'latencyMs', 'text', 'usage', 'costUsd'],
    },
    {
      type: 'object',
      properties: {
        ok: { const: false },
        latencyMs: { type: 'number' },
        status: { type: 'integer' },
        error: { type: 'object', properties: { type: { type: 'string' }, message: { type: 'string' } }, required: ['message'] },
      },
      required: ['ok', 'latencyMs', 'error'],
    },
  ],
};
const setupStatus = { type: 'object', properties: { needed: { type: 'boolean' } }, required: ['needed'] };
const model = schema(PublicModel, 'output');
const user = schema(PublicUser, 'output');
const role = schema(PublicRole, 'output');

export function openApiDocument(): object {
  return {
    openapi: '3.1.0',
    info: { title: 'Routerly management API', version: '1' },
    components: {
      securitySchemes: {
        session: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        // The dashboard's: writes must also send x-csrf-token (the csrfToken of login, setup or /api/auth/me).
        cookieSession: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: `Writes also need the ${CSRF_HEADER} header` },
      },
    },
    security: [{ session: [] }, { cookieSession: [] }],
    paths: {
      '/health': { get: operation({ summary: 'Readiness', ok: 200, public: true }) },
      '/api/openapi.json': { get: operation({ summary: 'This document', ok: 200, public: true }) },
      '/api/setup': {
        get: operation({ summary: 'Whether first-run setup is still needed (no user exists yet)', ok: 200, result: setupStatus, public: true }),
        post: operation({ summary: 'Create the first admin (409 once a user exists)', body: Credentials, ok: 201, result: tokenResult, public: true, headers: sessionMode }),
      },
      '/api/auth/login': {
        post: operation({ summary: 'Log in (403 for a disabled user)', body: Credentials, ok: 200, result: tokenResult, public: true, headers: sessionMode }),
      },
      '/api/auth/me': {
        get: operation({ summary: 'The signed-in user, their role and its permissions, and their project memberships; csrfToken too when signed in by cookie', ok: 200 }),
      },
      '/api/auth/logout': { post: operation({ summary: 'End every session of the signed-in user, this one included, and clear the session cookie', ok: 204 }) },
      '/api/auth/password': {
        put: operation({
          summary: "Change one's own password: every session ends; the answer holds a new token (or, in cookie mode, a new cookie and csrfToken)",
          body: PasswordChange,
          ok: 200,
          result: tokenResult,
          headers: sessionMode,
        }),
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
      '/api/catalog': {
        get: operation({
          summary: 'Known models (models.dev) in our model fields, newest first, to start a model from (models:read); provider is our id, q a substring of the id or name, limit 50 by default, at most 500',
          ok: 200,
          query: ['provider', 'preset', 'q', 'limit'],
        }),
      },
      '/api/models/stats': {
        get: operation({ summary: 'Live routing statistics per model (this process or isolate only)', ok: 200 }),
        delete: operation({ summary: 'Forget the live statistics: circuits, cooldowns, latencies', ok: 204 }),
      },
      '/api/models/test': {
        post: operation({
          summary:
            "Test a model form's unsaved values with one short real chat call (models:write); without apiKey an existing model's stored key is used, and only at that model's destination. Not routed, not charged to any project, not recorded as usage. 200 either way: {ok: true, …} or {ok: false, …} with the provider's error",
          body: ModelInput,
          ok: 200,
          result: testResult,
        }),
      },
      '/api/models/{id}/test': {
        parameters: [idParam('id')],
        post: operation({
          summary:
            "Test a stored model with one short real chat call ('Reply with the word ok.', 16 output tokens, not streamed, the model's timeouts); models:write. Not routed, not charged to any project, not recorded as usage. 200 either way: {ok: true, …} or {ok: false, …} with the provider's error",
          ok: 200,
          result: testResult,
        }),
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
        get: operation({
          summary:
            'Usage totals from the rollups, grouped by project, model, token, day or hour: per group and in totals, calls (requests), errors, attempts, tokens, cost, charged cost, average latency and time to first byte (per attempt), fallbacks (calls served after a failed attempt), and p50/p95 of call latency and time to first byte (p50LatencyMs, p95LatencyMs, p50TtftMs, p95TtftMs: estimated from log-scale histograms, within a factor of 1.59 at worst; null without data)',
          ok: 200,
          query: ['projectId', 'from', 'to', 'groupBy'],
        }),
      },
      '/api/logs': {
        get: operation({
          summary:
            'The call log, newest first, one row per call (its last record; a routing judge call is a row of its own): {calls: [{requestId, time, projectId, tokenId, model, endpoint, status, outcome, inputTokens, outputTokens, costUsd, latencyMs, ttftMs, attempts, stream}], nextCursor}; usage:read, members see their projects only; limit 50 by default, at most 500; open a call with GET /api/usage/{requestId}',
          ok: 200,
          query: ['projectId', 'model', 'outcome', 'limit', 'cursor'],
        }),
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
