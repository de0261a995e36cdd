import { ERROR_TABLE, codeForStatus } from '../../errors.js';
import { formatSseEvent } from '../../sse/writer.js';

export { anthropicStreamErrorEvent } from '../../ir/stream-errors.js';

/** The error types an Anthropic client knows (its SDK maps each to an error class). */
const ANTHROPIC_ERROR_TYPES = new Set([
  'invalid_request_error',
  'authentication_error',
  'billing_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'api_error',
  'timeout_error',
  'overloaded_error',
]);

/**
 * The Anthropic error type for a failure a provider reported inside its stream: its own type
 * when it already speaks Anthropic's vocabulary, otherwise the one its HTTP status has
 * (529 is Anthropic's "overloaded").
 */
export function anthropicErrorType(status: number, providerType?: string): string {
  if (providerType !== undefined && ANTHROPIC_ERROR_TYPES.has(providerType)) return providerType;
  if (status === 529) return 'overloaded_error';
  return ERROR_TABLE[codeForStatus(status)].anthropic;
}

/** The `event: error` an Anthropic stream ends with when the model's provider failed mid-answer. */
export function anthropicProviderErrorEvent(status: number, message: string, providerType?: string): string {
  const body = { type: 'error', error: { type: anthropicErrorType(status, providerType), message } };
  return formatSseEvent({ event: 'error', data: JSON.stringify(body) });
}
