import { z } from 'zod';
import { PRESET_NAMES, PROVIDER_NAMES } from '../providers/registry.js';
import { baseUrlProblem } from './base-url.js';
import { Aliases, Routing } from './routing.js';
import { Budgets, RateLimits } from './tenancy.js';

/**
 * The shapes of Routerly's configuration, shared by the management API (input
 * validation, OpenAPI) and the store (what config/*.json hold).
 */

/** The lists live with the provider registry, which the config layer sits above. */
export const PROVIDERS = PROVIDER_NAMES;
export const Provider = z.enum(PROVIDERS);
export type Provider = z.infer<typeof Provider>;

/** Well-known OpenAI-compatible services: a `custom` model with a preset gets its base URL and key header. */
export const PRESETS = PRESET_NAMES;
export const Preset = z.enum(PRESETS);
export type Preset = z.infer<typeof Preset>;

const identifier = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@/-]*$/, 'letters, digits and . _ : @ / - only, starting with a letter or digit');

/** USD per million tokens. */
export const Pricing = z
  .object({
    input: z.number().nonnegative(),
    output: z.number().nonnegative(),
    cachedInput: z.number().nonnegative().optional(),
    cacheWrite: z.number().nonnegative().optional(),
  })
  .strict();
export type Pricing = z.infer<typeof Pricing>;

export const Capabilities = z
  .object({
    vision: z.boolean().optional(),
    tools: z.boolean().optional(),
    json: z.boolean().optional(),
    thinking: z.boolean().optional(),
    /**
     * Anthropic models that take `thinking: {type: 'adaptive'}` with `output_config.effort`
     * and refuse `budget_tokens` (Claude 4.7 and later; 4.6 takes both).
     */
    adaptiveThinking: z.boolean().optional(),
  })
  .strict();

const milliseconds = z.number().int().positive().max(24 * 3600 * 1000);
export const Timeouts = z
  .object({
    /** Until the upstream's response headers arrive (streamed requests; a non-streamed answer's headers come after generation, so only totalMs bounds it). */
    connectMs: milliseconds.optional(),
    /** The whole exchange, body included. */
    totalMs: milliseconds.optional(),
    /** The longest silence allowed between two chunks of a streamed body. */
    idleMs: milliseconds.optional(),
  })
  .strict();
export type Timeouts = z.infer<typeof Timeouts>;

const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'a valid HTTP header name');
/** What a stored model may hold: any http(s) URL, so that a config written before the rules below still loads. */
const storedHttpUrl = z.url({ protocol: /^https?$/ });
/**
 * A model's `baseUrl` as the API takes it: no user-info, query or fragment, and no cloud
 * metadata endpoint (config/base-url.ts). Private addresses depend on a setting, so the
 * model routes check those.
 */
const httpUrl = storedHttpUrl.superRefine((value, ctx) => {
  const problem = baseUrlProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

export const ModelInput = z
  .object({
    id: identifier,
    provider: Provider,
    /** Only with provider `custom`: which OpenAI-compatible service this is. */
    preset: Preset.optional(),
    baseUrl: httpUrl.optional(),
    apiKey: z.string().min(1).max(4096).optional(),
    upstreamModel: z.string().min(1).max(256).optional(),
    pricing: Pricing.optional(),
    contextWindow: z.number().int().positive().optional(),
    /**
     * The most output tokens the model writes in one answer. A budget reserves this much output
     * for a call that sets no cap of its own (else a documented default, src/limits/reserve.ts).
     */
    maxOutputTokens: z.number().int().positive().max(10_000_000).optional(),
    capabilities: Capabilities.optional(),
    timeouts: Timeouts.optional(),
    /** Extra headers sent upstream (custom endpoints, gateways in front of a provider). */
    headers: z.record(headerName, z.string().max(8192)).optional(),
    /** What the model is good at, in a sentence or two: the `llm` routing policy shows it to the judge. */
    description: z.string().max(2000).optional(),
    /** The provider's quota for this model's key, which the `rate-limit` routing policy keeps under. */
    limits: z
      .object({ rpm: z.number().int().positive().optional(), tpm: z.number().int().positive().optional() })
      .strict()
      .optional(),
  })
  .strict();
export type ModelInput = z.infer<typeof ModelInput>;

/** PUT /api/models/:id merges these into the model; `apiKey: null` removes the key. */
export const ModelUpdate = ModelInput.omit({ id: true })
  .extend({ apiKey: z.string().min(1).max(4096).nullable().optional() })
  .partial()
  .strict();

/** A model as stored: the key sealed with AES-GCM, never in clear. */
export const StoredModel = ModelInput.omit({ apiKey: true }).extend({
  baseUrl: storedHttpUrl.optional(),
  apiKeySealed: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type StoredModel = z.infer<typeof StoredModel>;

/** What the API shows of a model. */
export const PublicModel = StoredModel.omit({ apiKeySealed: true }).extend({ hasApiKey: z.boolean() });

/**
 * What a user may do on one project (src/management/access.ts): `viewer` reads it, its
 * route-preview and its usage; `editor` also changes its tokens, budgets, limits, routing,
 * aliases and settings; `owner` also its model pool, its members, and deletes it.
 */
export const PROJECT_ROLES = ['viewer', 'editor', 'owner'] as const;
export const ProjectRole = z.enum(PROJECT_ROLES);
export type ProjectRole = z.infer<typeof ProjectRole>;

export const ProjectMember = z.object({ userId: z.string().min(1).max(128), role: ProjectRole }).strict();
export type ProjectMember = z.infer<typeof ProjectMember>;

/** At most one entry per user: two would leave it unclear which role holds. */
const ProjectMembers = z
  .array(ProjectMember)
  .max(1000)
  .refine((members) => new Set(members.map((m) => m.userId)).size === members.length, { message: 'one entry per userId' });

const ProjectFields = z
  .object({
    name: z.string().trim().min(1).max(200),
    models: z.array(identifier).max(256),
    /**
     * When a translated call carries a parameter the serving provider has no equivalent for,
     * answer 400 instead of sending it without (and listing it in x-routerly-warnings).
     */
    rejectUnsupportedParams: z.boolean().optional(),
    /** How the project's calls are ranked, retried and failed over (see src/config/routing.ts). */
    routing: Routing.optional(),
    /** Names a client may send as `model`, each routed among its own models. */
    aliases: Aliases.optional(),
    /**
     * A `model` that is neither a pool model, an alias nor `auto`: `route` (default) routes it
     * like `auto` and warns (drop-in apps hard-code names); `reject` answers 404.
     */
    unknownModel: z.enum(['route', 'reject']).optional(),
    /** Spending envelopes, at most one per period; every call must fit all of them (and its token's). */
    budgets: Budgets.optional(),
    /** Requests and tokens a minute and calls at once, for the whole project (a token's apply on top). */
    limits: RateLimits.optional(),
    /** Who may see and change this project besides admins, and how far (see ProjectRole). */
    members: ProjectMembers.optional(),
  })
  .strict();
export const ProjectInput = ProjectFields.extend({ models: ProjectFields.shape.models.default([]) }).strict();
/** Built from the fields without their defaults: a PUT of `{name}` must not reset `models` to []. */
export const ProjectUpdate = ProjectFields.partial().strict();

export const StoredToken = z.object({
  id: z.string(),
  name: z.string().optional(),
  /** Hex SHA-256 of the token: the token itself is never stored. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  hint: z.string(),
  createdAt: z.string(),
  /** This token's own budgets and limits, on top of its project's. */
  budgets: Budgets.optional(),
  limits: RateLimits.optional(),
});
export type StoredToken = z.infer<typeof StoredToken>;

export const StoredProject = z.object({
  id: z.string(),
  name: z.string(),
  models: z.array(z.string()),
  rejectUnsupportedParams: z.boolean().optional(),
  routing: Routing.optional(),
  aliases: Aliases.optional(),
  unknownModel: z.enum(['route', 'reject']).optional(),
  budgets: Budgets.optional(),
  limits: RateLimits.optional(),
  /** Absent in projects stored before memberships existed: no members. */
  members: z.array(ProjectMember).optional(),
  tokens: z.array(StoredToken),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type StoredProject = z.infer<typeof StoredProject>;

export const TokenInput = z
  .object({ name: z.string().trim().min(1).max(200).optional(), budgets: Budgets.optional(), limits: RateLimits.optional() })
  .strict();
export type TokenInput = z.infer<typeof TokenInput>;
/** PUT /api/projects/:id/tokens/:tokenId: the fields given replace the token's; `budgets: []` and `limits: {}` remove them. */
export const TokenUpdate = TokenInput.partial().strict();


export const StoredUser = z.object({
  id: z.string(),
  email: z.string(),
  passwordHash: z.string(),
  role: z.string(),
  createdAt: z.string(),
  updatedAt: z.string().optional(),
  /** A disabled user cannot log in, and their sessions are refused. */
  disabled: z.boolean().optional(),
  /**
   * Carried in every session token as `sv`; raising it (logout, a password or role change,
   * disabling) ends every session issued before at once. Absent: 0.
   */
  sessionVersion: z.number().int().nonnegative().optional(),
});
export type StoredUser = z.infer<typeof StoredUser>;

/** What the API shows of a user: never the password hash or the session version. */
export const PublicUser = StoredUser.omit({ passwordHash: true, sessionVersion: true });
export type PublicUser = z.infer<typeof PublicUser>;

/**
 * Every permission a role may hold. `*` is all of them, now and later. Project-scoped access
 * (reading or changing one project, its tokens and its usage) comes from project membership
 * instead, for everyone but holders of `*` (src/management/access.ts).
 */
export const PERMISSIONS = [
  '*',
  'models:read',
  'models:write',
  'projects:read',
  'projects:write',
  'users:read',
  'users:write',
  'usage:read',
  'settings:read',
  'settings:write',
  'metrics:read',
  'audit:read',
] as const;
export const Permission = z.enum(PERMISSIONS);
export type Permission = z.infer<typeof Permission>;

const roleId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9_-]*$/, 'lowercase letters, digits, _ and - only, starting with a letter');
const uniquePermissions = z
  .array(Permission)
  .max(PERMISSIONS.length)
  .refine((permissions) => new Set(permissions).size === permissions.length, { message: 'each permission once' });

export const StoredRole = z.object({
  id: z.string(),
  description: z.string(),
  /** `*` for everything; otherwise `<resource>:read` or `<resource>:write` (PERMISSIONS). */
  permissions: z.array(z.string()),
});
export type StoredRole = z.infer<typeof StoredRole>;

/** POST /api/roles. */
export const RoleInput = z
  .object({ id: roleId, description: z.string().max(500).default(''), permissions: uniquePermissions })
  .strict();
/** PUT /api/roles/:id: the fields given replace the role's. */
export const RoleUpdate = z.object({ description: z.string().max(500), permissions: uniquePermissions }).partial().strict();
/** What the API shows of a role. */
export const PublicRole = StoredRole.extend({ builtIn: z.boolean() });

const password = z.string().min(8).max(1024);

export const Credentials = z
  .object({
    email: z.email().max(320),
    password,
  })
  .strict();

/** POST /api/users. */
export const UserInput = z.object({ email: z.email().max(320), password, role: z.string().min(1).max(64) }).strict();
/** PUT /api/users/:id: a new role, a password reset, or (dis)abling; each ends the user's sessions. */
export const UserUpdate = z.object({ role: z.string().min(1).max(64), password, disabled: z.boolean() }).partial().strict();
/** PUT /api/auth/password: one's own. */
export const PasswordChange = z.object({ currentPassword: z.string().min(1).max(1024), newPassword: password }).strict();

export const Settings = z
  .object({
    /** Defaults for models that set no timeouts of their own. */
    defaultTimeouts: Timeouts.optional(),
    /** Hex SHA-256 of the bearer token that may read /metrics: the token itself is never stored. */
    metricsTokenHash: z.string().regex(/^[0-9a-f]{64}$/).optional(),
    /**
     * Refuse model base URLs on loopback, private and link-local addresses (127.0.0.0/8, ::1,
     * localhost, 10/8, 172.16/12, 192.168/16, fc00::/7, fe80::/10…) when a model is created or
     * its base URL changes. Default false: Ollama and self-hosted models live there.
     */
    forbidPrivateAddresses: z.boolean().optional(),
  })
  .strict();
export type Settings = z.infer<typeof Settings>;

/** PUT /api/settings: `metricsToken` is hashed before it is stored; `null` removes it, absent keeps it. */
export const SettingsInput = Settings.omit({ metricsTokenHash: true })
  .extend({ metricsToken: z.string().min(16).max(512).nullable().optional() })
  .strict();

export const UsageQuery = z.object({
  projectId: z.string().optional(),
  from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  /** Records per page: default 1000 (src/usage/query.ts), at most 10,000. */
  limit: z.coerce.number().int().positive().max(10_000).optional(),
  /** The previous page's `nextCursor`, as returned (opaque; anything else is a 400). */
  cursor: z.string().min(1).max(200).optional(),
});
