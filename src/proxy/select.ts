import type { ConfigIndex, ResolvedModel } from '../config/state.js';
import type { StoredProject } from '../config/schemas.js';
import { GatewayError } from '../errors.js';
import type { Endpoint } from './endpoints.js';

/** How a call reaches a model: in the model's own format byte for byte, or through the IR. */
export type Route = 'passthrough' | 'translate';

/** How `model` can serve `endpoint`, or undefined when it cannot (embeddings from Anthropic). */
export function routeFor(model: ResolvedModel, endpoint: Endpoint): Route | undefined {
  const native = model.provider.passthrough;
  const { format, operation } = endpoint.passthrough;
  if (native?.format === format && native.operations.includes(operation)) return 'passthrough';
  if (endpoint.operation === 'embeddings') return model.provider.embeddings ? 'translate' : undefined;
  // Every provider chats; count_tokens is answered by an estimate where the provider has no API for it.
  return 'translate';
}

/**
 * Picks the model for a request until the routing engine replaces this: the model the
 * client named when it is in the project's pool; otherwise (`auto`, an unknown name) the
 * first pool model that serves this endpoint natively, else the first that can serve it
 * through translation.
 */
export function selectModel(
  project: StoredProject,
  requested: string,
  index: ConfigIndex,
  endpoint: Endpoint,
): { model: ResolvedModel; route: Route } {
  const pool = project.models.flatMap((id) => index.models.get(id) ?? []);
  if (pool.length === 0) throw new GatewayError('no_models', `project "${project.name}" has no models`);
  const named = pool.find((m) => m.config.id === requested);
  if (named) {
    const route = routeFor(named, endpoint);
    if (!route) {
      throw new GatewayError('invalid_request', `model "${named.config.id}" (${named.config.provider}) cannot serve ${endpoint.path}`, {
        param: 'model',
      });
    }
    return { model: named, route };
  }
  let translated: { model: ResolvedModel; route: Route } | undefined;
  for (const model of pool) {
    const route = routeFor(model, endpoint);
    if (route === 'passthrough') return { model, route };
    if (route && !translated) translated = { model, route };
  }
  if (!translated) throw new GatewayError('invalid_request', `no model of project "${project.name}" can serve ${endpoint.path}`);
  return translated;
}
