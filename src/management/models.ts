import { Hono } from 'hono';
import { baseUrlProblem } from '../config/base-url.js';
import { allows } from '../config/roles.js';
import { ModelInput, ModelUpdate, type Settings, type StoredModel } from '../config/schemas.js';
import { seal } from '../crypto/secret-box.js';
import { GatewayError } from '../errors.js';
import { providerEntry } from '../providers/registry.js';
import { DEFAULT_RATE_LIMIT_COOLDOWN } from '../routing/policies/rate-limit.js';
import { noteForAudit } from './audit.js';
import { modelsReferencedBy } from './project-routing.js';
import type { AppEnv, Services } from '../services.js';
import { requirePermission } from './session.js';
import { readJson } from './validate.js';

/** What the API shows of a model: never the key, only whether one is set. */
export function publicModel({ apiKeySealed, ...model }: StoredModel) {
  return { ...model, hasApiKey: apiKeySealed !== undefined };
}

/** Refuses (400) a preset on a non-custom model, and a model with no base URL of its own or its provider's. */
export function assertReachable(model: Pick<StoredModel, 'provider' | 'preset' | 'baseUrl'>): void {
  if (model.preset && model.provider !== 'custom') {
    throw new GatewayError('invalid_request', 'preset: only custom models take a preset', { param: 'preset' });
  }
  if (!model.baseUrl && !providerEntry(model).defaultBaseUrl) {
    throw new GatewayError('invalid_request', `baseUrl: required for ${model.provider} models`, { param: 'baseUrl' });
  }
}

export type Destination = Pick<StoredModel, 'provider' | 'preset' | 'baseUrl' | 'headers'>;

/** The base URL a model's calls go to: its own or its provider's (preset's) default, as the config index resolves it. */
function effectiveBaseUrl(model: Destination): string {
  const raw = model.baseUrl ?? providerEntry(model).defaultBaseUrl ?? '';
  let normalized = raw;
  try {
    normalized = new URL(raw).href;
  } catch {
    // assertReachable has refused a model without one; compare the text as it is.
  }
  return normalized.replace(/\/+$/, '');
}

/** Header names are case-insensitive; their order does not matter. */
function headerList(headers: StoredModel['headers']): string {
  const entries = Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]);
  return JSON.stringify(entries.sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0)));
}

/**
 * What of where a model's calls (and its provider key with them) go differs between
 * `before` and `after`: base URL, provider, preset, extra headers, each by effective value.
 */
export function movedFields(before: Destination, after: Destination): string[] {
  const moved: string[] = [];
  if (effectiveBaseUrl(before) !== effectiveBaseUrl(after)) moved.push('baseUrl');
  if (before.provider !== after.provider) moved.push('provider');
  if (before.preset !== after.preset) moved.push('preset');
  if (headerList(before.headers) !== headerList(after.headers)) moved.push('headers');
  return moved;
}

/** Refuses a base URL (its own or the provider's default) that the settings forbid: private addresses, when set. */
export function assertAllowedAddress(model: Destination, settings: Settings): void {
  const problem = baseUrlProblem(effectiveBaseUrl(model), { forbidPrivateAddresses: settings.forbidPrivateAddresses === true });
  if (problem !== undefined) throw new GatewayError('invalid_request', `baseUrl: ${problem}`, { param: 'baseUrl' });
}

export function modelRoutes(services: Services): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const read = requirePermission(services, 'models:read');
  const write = requirePermission(services, 'models:write');
  const find = (id: string) => {
    const model = services.config.snapshot.models.find((m) => m.id === id);
    if (!model) throw new GatewayError('not_found', `no model "${id}"`);
    return model;
  };

  app.get('/', read, (c) => c.json({ models: services.config.snapshot.models.map(publicModel) }));
  // Before /:id, which would take "stats" for a model id.
  app.get('/stats', read, (c) => {
    const models = [...services.stats.entries()].map(([id, stats]) => services.stats.describe(id, stats, DEFAULT_RATE_LIMIT_COOLDOWN));
    return c.json({ scope: 'process', models });
  });
  app.delete('/stats', write, (c) => {
    services.stats.reset();
    return c.body(null, 204);
  });
  app.get('/:id{.+}', read, (c) => c.json(publicModel(find(c.req.param('id')))));

  app.post('/', write, async (c) => {
    const { apiKey, ...input } = await readJson(c, services, ModelInput);
    assertReachable(input);
    const now = new Date(services.now()).toISOString();
    const model = await services.config.update('models', async (models, snapshot) => {
      if (models.some((m) => m.id === input.id)) throw new GatewayError('conflict', `model "${input.id}" already exists`);
      assertAllowedAddress(input, snapshot.settings);
      const created: StoredModel = {
        ...input,
        ...(apiKey === undefined ? {} : { apiKeySealed: await seal(services.encryptionKey, apiKey, input.id) }),
        createdAt: now,
        updatedAt: now,
      };
      return { next: [...models, created], result: created };
    });
    noteForAudit(c, { target: model.id });
    return c.json(publicModel(model), 201);
  });

  app.put('/:id{.+}', write, async (c) => {
    const id = c.req.param('id');
    const { apiKey, ...changes } = await readJson(c, services, ModelUpdate);
    // Full access (`*`, the admin role) may move a keyed model without its key.
    const mayMoveKeys = allows(services.config.index.roles.get(c.get('role')), '*');
    const model = await services.config.update('models', async (models, snapshot) => {
      const at = models.findIndex((m) => m.id === id);
      if (at === -1) throw new GatewayError('not_found', `no model "${id}"`);
      const { apiKeySealed, ...rest } = models[at]!;
      const moved = movedFields(rest, { ...rest, ...changes });
      // Sending a keyed model's calls elsewhere would hand its key to whoever is there: only
      // someone who could supply the key anyway may do that (or drop the key with apiKey: null).
      if (moved.length > 0 && apiKeySealed !== undefined && apiKey === undefined && !mayMoveKeys) {
        throw new GatewayError(
          'forbidden',
          `changing ${moved.join(', ')} of model "${id}" would send its provider key elsewhere: supply the key again (apiKey) with the change, or ask an admin`,
          { param: 'apiKey' },
        );
      }
      const sealed = apiKey === undefined ? apiKeySealed : apiKey === null ? undefined : await seal(services.encryptionKey, apiKey, id);
      const updated: StoredModel = {
        ...rest,
        ...changes,
        ...(sealed === undefined ? {} : { apiKeySealed: sealed }),
        updatedAt: new Date(services.now()).toISOString(),
      };
      assertReachable(updated);
      if (moved.includes('baseUrl')) assertAllowedAddress(updated, snapshot.settings);
      models[at] = updated;
      return { next: models, result: updated };
    });
    return c.json(publicModel(model));
  });

  app.delete('/:id{.+}', write, async (c) => {
    const id = c.req.param('id');
    await services.config.update('models', async (models, snapshot) => {
      if (!models.some((m) => m.id === id)) throw new GatewayError('not_found', `no model "${id}"`);
      const users = snapshot.projects.filter((p) => p.models.includes(id)).map((p) => p.id);
      if (users.length > 0) {
        throw new GatewayError('conflict', `model "${id}" is in the pool of projects ${users.join(', ')}: remove it there first`);
      }
      const referrers = snapshot.projects.filter((p) => modelsReferencedBy(p).has(id)).map((p) => p.id);
      if (referrers.length > 0) {
        throw new GatewayError('conflict', `model "${id}" is used by an alias or a routing judge of projects ${referrers.join(', ')}: remove it there first`);
      }
      return { next: models.filter((m) => m.id !== id), result: undefined };
    });
    return c.body(null, 204);
  });

  return app;
}
