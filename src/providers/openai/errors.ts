import type { StreamEvent } from '../../ir/chat.js';
import type { ProviderErrorDetails } from '../../ir/codec.js';
import { isRecord } from '../../json/record.js';

export function isOpenAIErrorBody(body: unknown): boolean {
  return isRecord(body) && isRecord(body.error) && typeof body.error.message === 'string';
}

/**
 * What an OpenAI-compatible error body says. OpenAI wraps it: `{error: {message, type, code}}`;
 * Mistral does not (`{object: "error", message, type, code}`, its message sometimes an object
 * of validation details); Ollama sends `{error: "text"}`; FastAPI servers `{detail: …}`.
 * `type` is the most specific name given: OpenAI's `code` (`invalid_api_key`), else its `type`.
 */
export function readOpenAIError(body: unknown): ProviderErrorDetails | undefined {
  if (!isRecord(body)) return undefined;
  if (typeof body.error === 'string') return { message: body.error };
  const error = isRecord(body.error) ? body.error : body.object === 'error' || 'message' in body ? body : undefined;
  if (!error) return body.detail === undefined ? undefined : { message: textOf(body.detail) };
  if (error.message === undefined || error.message === null) return undefined;
  const details: ProviderErrorDetails = { message: textOf(error.message) };
  const type = typeof error.code === 'string' && error.code !== '' ? error.code : typeof error.type === 'string' ? error.type : undefined;
  if (type !== undefined) details.type = type;
  return details;
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

const STATUS_BY_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  rate_limit_error: 429,
  rate_limit_exceeded: 429,
  insufficient_quota: 429,
  server_error: 500,
  overloaded_error: 503,
};

/** A stream chunk that is an error object, as the IR's `error` event (a status is guessed from its type when it carries none). */
export function openAIStreamError(chunk: Record<string, unknown>): StreamEvent | undefined {
  if (chunk.error === undefined || chunk.error === null) return undefined;
  const details = readOpenAIError(chunk) ?? { message: 'the provider reported an error in the stream' };
  const error = isRecord(chunk.error) ? chunk.error : {};
  const stated = [error.status, error.code].find((value) => typeof value === 'number' && value >= 400 && value <= 599);
  const statusOf = (type: unknown) => (typeof type === 'string' && Object.hasOwn(STATUS_BY_TYPE, type) ? STATUS_BY_TYPE[type] : undefined);
  const guessed = statusOf(error.type) ?? statusOf(details.type) ?? 502;
  const status = typeof stated === 'number' ? stated : guessed;
  return { type: 'error', status, message: details.message, ...(details.type === undefined ? {} : { errorType: details.type }) };
}
