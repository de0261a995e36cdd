import type { Routing } from '../config/routing.js';
import type { StoredProject } from '../config/schemas.js';
import type { ConfigIndex, ResolvedModel } from '../config/state.js';
import { GatewayError } from '../errors.js';
import type { Candidate, ExcludedCandidate } from '../routing/types.js';
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

/** How the client's `model` was read. */
export type Requested = 'named' | 'alias' | 'auto' | 'unknown';

export interface CandidateSet {
  requested: Requested;
  candidates: Candidate[];
  /** Pool models that cannot serve this endpoint at all. */
  unfit: ExcludedCandidate[];
  /** The pool model the client named, tried first when it is eligible. */
  named?: string;
  routing: Routing | undefined;
  warnings: string[];
}

/**
 * The models a call may go to: an alias's models with its routing (or the project's), the
 * whole pool for `auto` and for names the project does not know (unless it rejects them),
 * and for a named pool model the whole pool too, the named one first.
 */
export function candidatesFor(project: StoredProject, requested: string, index: ConfigIndex, endpoint: Endpoint): CandidateSet {
  const alias = project.aliases && Object.hasOwn(project.aliases, requested) ? project.aliases[requested] : undefined;
  const ids = alias ? alias.models : project.models;
  const warnings: string[] = [];
  let kind: Requested;
  if (alias) kind = 'alias';
  else if (requested === 'auto') kind = 'auto';
  else if (project.models.includes(requested)) kind = 'named';
  else {
    if (project.unknownModel === 'reject') {
      throw new GatewayError('not_found', `model "${requested}" is not in project "${project.name}": use one of its models, an alias or "auto"`, {
        param: 'model',
      });
    }
    kind = 'unknown';
    warnings.push(`unknown-model:${requested.replace(/[^A-Za-z0-9._:@/-]/g, '').slice(0, 128)}`);
  }

  const candidates: Candidate[] = [];
  const unfit: ExcludedCandidate[] = [];
  ids.forEach((id, order) => {
    const model = index.models.get(id);
    if (!model) return;
    if (routeFor(model, endpoint)) candidates.push({ model, order });
    else if (id === requested) {
      // Named outright, a model that cannot do this at all is the client's mistake, not a reason to go elsewhere.
      throw new GatewayError('invalid_request', `model "${id}" (${model.config.provider}) cannot serve ${endpoint.path}`, { param: 'model' });
    }
    else unfit.push({ model: id, policy: 'endpoint', reason: `${model.config.provider} cannot serve ${endpoint.path}` });
  });
  if (candidates.length === 0) {
    if (ids.length === 0) throw new GatewayError('no_models', `project "${project.name}" has no models`);
    const what = alias ? `alias "${requested}"` : `project "${project.name}"`;
    throw new GatewayError('invalid_request', `no model of ${what} can serve ${endpoint.path}`, { param: 'model' });
  }
  return {
    requested: kind,
    candidates,
    unfit,
    ...(kind === 'named' ? { named: requested } : {}),
    routing: alias?.routing ?? project.routing,
    warnings,
  };
}
