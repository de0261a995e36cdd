import { Hono, type Context } from 'hono';
import { baseUrlProblem } from '../config/base-url.js';
import { allows } from '../config/roles.js';
import { ModelInput, type StoredModel } from '../config/schemas.js';
import { resolveModel, type ResolvedModel } from '../config/state.js';
import { GatewayError } from '../errors.js';
import { testModelCall, type ModelTestResult } from '../proxy/test-call.js';
import type { AppEnv, Services } from '../services.js';
import { noteForAudit } from './audit.js';
import { assertAllowedAddress, assertReachable, movedFields } from './models.js';
import { requirePermission } from './session.js';
import { readJson } from './validate.js';
import { signalPresence } from '../http/client-presence.js';

/**
 * Test calls for the model form, under /api/models: one short real chat call to a stored model
 * (`POST /:id/test`) or to a form's unsaved values (`POST /test`), answering 200 with what the
 * provider said either way (proxy/test-call.ts). Not routed, not charged, not recorded as usage.
 */
export function modelTestRoutes(services: Services): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const write = requirePermission(services, 'models:write');

  /**
   * The unsaved model a form describes, as a call would use it. It may go only where a model
   * could be saved to (ModelInput's base URL rules, then the settings' private-address rule).
   * Without an apiKey, a form for an existing model uses that model's stored key; sending that
   * key somewhere else (another base URL, provider, preset or headers) takes what changing the
   * model itself would take: the key supplied again, or every permission (models.ts, PUT).
   */
  const unsaved = async (c: Context<AppEnv>): Promise<ResolvedModel> => {
    const { apiKey, ...input } = await readJson(c, services, ModelInput);
    noteForAudit(c, { target: input.id });
    assertReachable(input);
    const snapshot = services.config.snapshot;
    assertAllowedAddress(input, snapshot.settings);
    let key = apiKey;
    const stored = apiKey === undefined ? snapshot.models.find((m) => m.id === input.id) : undefined;
    if (stored?.apiKeySealed !== undefined) {
      const moved = movedFields(stored, input);
      if (moved.length > 0 && !allows(services.config.index.roles.get(c.get('role')), '*')) {
        throw new GatewayError(
          'forbidden',
          `testing model "${input.id}" with its stored key at a different ${moved.join(', ')} would send the key elsewhere: supply the key (apiKey) with the test, or ask an admin`,
          { param: 'apiKey' },
        );
      }
      key = services.config.index.models.get(input.id)?.apiKey;
    }
    const now = new Date(services.now()).toISOString();
    const config: StoredModel = { ...input, createdAt: now, updatedAt: now };
    return resolveModel(config, snapshot.settings, key);
  };

  app.post('/test', write, async (c) => c.json(await testModelCall(services, await unsaved(c), signalPresence(c.req.raw))));

  app.post('/:id{.+}/test', write, async (c) => {
    const id = c.req.param('id');
    const model = services.config.index.models.get(id);
    if (!model) throw new GatewayError('not_found', `no model "${id}"`);
    noteForAudit(c, { target: id });
    // Saved before the address rules or the setting changed: say why, rather than let the outbound guard's refusal read as "unreachable".
    const problem = baseUrlProblem(model.baseUrl, { forbidPrivateAddresses: services.config.snapshot.settings.forbidPrivateAddresses === true });
    if (problem !== undefined) return c.json({ ok: false, latencyMs: 0, error: { type: 'refused_address', message: `baseUrl: ${problem}` } } satisfies ModelTestResult);
    return c.json(await testModelCall(services, model, signalPresence(c.req.raw)));
  });

  return app;
}
