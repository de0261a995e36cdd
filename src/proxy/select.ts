import type { ConfigIndex, ResolvedModel } from '../config/state.js';
import type { StoredProject } from '../config/schemas.js';
import { GatewayError } from '../errors.js';
import { PROVIDER_REGISTRY } from '../providers/registry.js';
import type { Endpoint } from './endpoints.js';

/**
 * Picks the model for a request until the routing engine replaces this: the model the
 * client named when it is in the project's pool; otherwise (`auto`, an unknown name) the
 * first pool model that serves this endpoint natively, else the first of the pool.
 */
export function selectModel(project: StoredProject, requested: string, index: ConfigIndex, endpoint: Endpoint): ResolvedModel {
  const pool = project.models.flatMap((id) => index.models.get(id) ?? []);
  if (pool.length === 0) throw new GatewayError('no_models', `project "${project.name}" has no models`);
  const named = pool.find((m) => m.config.id === requested);
  if (named) return named;
  const native = pool.find((m) => {
    const adapter = PROVIDER_REGISTRY[m.config.provider].adapter;
    return adapter?.format === endpoint.format && adapter.operations.includes(endpoint.operation);
  });
  return native ?? pool[0]!;
}
