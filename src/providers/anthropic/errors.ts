import type { ProviderErrorDetails } from '../../ir/codec.js';
import { isRecord } from '../../json/record.js';

export function isAnthropicErrorBody(body: unknown): boolean {
  return isRecord(body) && body.type === 'error' && isRecord(body.error) && typeof body.error.type === 'string';
}

/** The HTTP status of each documented error type, for errors that arrive inside a 200 stream. */
const STATUS_BY_ERROR_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  conflict_error: 409,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** An unknown type is taken for a server-side failure: the stream had already been accepted. */
export function anthropicErrorStatus(type: string | undefined): number {
  return type !== undefined && Object.hasOwn(STATUS_BY_ERROR_TYPE, type) ? (STATUS_BY_ERROR_TYPE[type] ?? 500) : 500;
}

/** `{type: 'error', error: {type, message}}` → what it says; undefined for any other shape. */
export function readAnthropicError(body: unknown): ProviderErrorDetails | undefined {
  if (!isRecord(body) || !isRecord(body.error)) return undefined;
  const { message, type } = body.error;
  if (typeof message !== 'string' && typeof type !== 'string') return undefined;
  return {
    message: typeof message === 'string' ? message : String(type),
    ...(typeof type === 'string' ? { type } : {}),
  };
}
