import type { ProviderErrorDetails } from '../../ir/codec.js';
import { isRecord } from '../../json/record.js';

/**
 * What a Cohere error body says. Cohere answers errors as `{id, message}` (the id names the
 * request for Cohere's support; older answers leave it out). The body has no error type: the
 * HTTP status is the only kind it gives, so `type` stays unset.
 */
export function readCohereError(body: unknown): ProviderErrorDetails | undefined {
  if (!isRecord(body) || body.message === undefined || body.message === null) return undefined;
  const message = typeof body.message === 'string' ? body.message : JSON.stringify(body.message);
  return { message };
}
