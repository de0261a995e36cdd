import { errorBody, type GatewayError } from '../../errors.js';
import { formatSseEvent } from '../../sse/writer.js';
import { isRecord } from '../shared.js';

/** Anthropic streams report a failure as an `error` event holding its usual error object. */
export function anthropicStreamErrorEvent(error: GatewayError): string {
  return formatSseEvent({ event: 'error', data: JSON.stringify(errorBody(error, 'anthropic')) });
}

export function isAnthropicErrorBody(body: unknown): boolean {
  return isRecord(body) && body.type === 'error' && isRecord(body.error) && typeof body.error.type === 'string';
}
