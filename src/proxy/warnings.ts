import type { StoredProject } from '../config/schemas.js';
import type { ResolvedModel } from '../config/state.js';
import { GatewayError } from '../errors.js';

export const WARNINGS_HEADER = 'x-routerly-warnings';

/**
 * A model that cannot take the request as sent (a strict project's unsupported parameters):
 * the router passes it over for the next candidate, and only when none can take the request
 * is this the client's 400. Any other invalid_request is the client's own fault, final at once.
 */
export class IneligibleModelError extends GatewayError {}

/** Names as a client reads them: the IR's `topK` is `top_k`; client-format names pass as they are. */
function displayName(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/**
 * Parameters a translated call could not carry to its provider. A project that refuses
 * them gets a 400 naming them all; otherwise the call goes ahead and the names are listed
 * in `x-routerly-warnings`, so nothing is ever dropped silently. Names come partly from the
 * client's own body, so only header-safe characters are kept.
 */
export function unsupportedParamsHeaders(names: string[], project: StoredProject, model: ResolvedModel): Record<string, string> {
  const unique = [...new Set(names.map((name) => displayName(name).replace(/[^A-Za-z0-9_.:[\]-]/g, '').slice(0, 64)))].filter(Boolean);
  if (unique.length === 0) return {};
  const where = `${model.config.provider} model "${model.config.id}"`;
  if (project.rejectUnsupportedParams) {
    throw new IneligibleModelError('invalid_request', `no equivalent on ${where} for: ${unique.join(', ')} (this project refuses such requests)`, {
      param: unique[0]!,
    });
  }
  return { [WARNINGS_HEADER]: unique.slice(0, 50).map((name) => `unsupported:${name}`).join(', ') };
}

/** Adds the gateway's own warnings (`unknown-model:<name>`) to those already in `headers`. */
export function withWarnings(headers: Headers, warnings: readonly string[]): void {
  const existing = headers.get(WARNINGS_HEADER);
  headers.set(WARNINGS_HEADER, [...(existing ? [existing] : []), ...warnings].join(', '));
}
