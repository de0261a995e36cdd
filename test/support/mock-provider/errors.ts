// Error bodies in each API's documented shape.
// OpenAI:    {"error": {"message", "type", "param", "code"}}
// Anthropic: {"type": "error", "error": {"type", "message"}, "request_id"}
// Gemini:    {"error": {"code", "message", "status", "details"?}} (google.rpc.Status), pretty-printed
// Cohere:    {"id", "message"}

import type { MockApi } from './types.js';

export interface OpenAIErrorFields {
  message: string;
  type: string;
  param?: string | null;
  code?: string | null;
}

export function openaiErrorBody({ message, type, param = null, code = null }: OpenAIErrorFields) {
  return { error: { message, type, param, code } };
}

export function anthropicErrorBody(type: string, message: string, requestId: string | null) {
  return { type: 'error', error: { type, message }, request_id: requestId };
}

/** The error OpenAI sends for a status (types and codes as its API reports them). */
function openaiDefaultError(status: number): OpenAIErrorFields {
  switch (status) {
    case 401:
      return { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' };
    case 404:
      return { message: 'The model does not exist or you do not have access to it.', type: 'invalid_request_error', code: 'model_not_found' };
    case 429:
      return { message: 'Rate limit reached for requests (mock).', type: 'requests', code: 'rate_limit_exceeded' };
    case 529:
      // OpenAI has no 529; routing tests use it as "overloaded" on every API, so answer the
      // message OpenAI sends when its engine is overloaded (with a 503 in real life).
      return { message: 'The engine is currently overloaded, please try again later.', type: 'server_error' };
    default:
      return status >= 500
        ? { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error' }
        : { message: `Mock error with status ${status}.`, type: 'invalid_request_error' };
  }
}

/** Anthropic's documented error type for each status; other 4xx are invalid_request_error, other 5xx api_error. */
export function anthropicErrorType(status: number): string {
  const byStatus: Record<number, string> = {
    400: 'invalid_request_error',
    401: 'authentication_error',
    402: 'billing_error',
    403: 'permission_error',
    404: 'not_found_error',
    409: 'conflict_error',
    413: 'request_too_large',
    429: 'rate_limit_error',
    500: 'api_error',
    504: 'timeout_error',
    529: 'overloaded_error',
  };
  return byStatus[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

/** The canonical google.rpc.Code name Google APIs send with each HTTP status. */
export function geminiStatusName(code: number): string {
  const byCode: Record<number, string> = {
    400: 'INVALID_ARGUMENT',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED',
    404: 'NOT_FOUND',
    409: 'ABORTED',
    429: 'RESOURCE_EXHAUSTED',
    499: 'CANCELLED',
    500: 'INTERNAL',
    501: 'NOT_IMPLEMENTED',
    503: 'UNAVAILABLE',
    504: 'DEADLINE_EXCEEDED',
    // Not a Google status (Anthropic's "overloaded"): named as Gemini's own overload, a 503.
    529: 'UNAVAILABLE',
  };
  return byCode[code] ?? (code >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION');
}

/** Google's JSON error: the body is pretty-printed with two-space indents, as the API sends it. */
export function geminiErrorBody(code: number, message: string, status = geminiStatusName(code), details?: unknown[]): string {
  return JSON.stringify({ error: { code, message, status, ...(details ? { details } : {}) } }, null, 2);
}

/** The messages Gemini sends with the common failure statuses. */
function geminiDefaultMessage(code: number): string {
  const byCode: Record<number, string> = {
    400: 'Request contains an invalid argument.',
    401: 'Request had invalid authentication credentials.',
    403: 'The caller does not have permission',
    404: 'Requested entity was not found.',
    429: 'Resource has been exhausted (e.g. check quota).',
    500: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
    503: 'The model is overloaded. Please try again later.',
    504: 'Deadline expired before operation could complete.',
    529: 'The model is overloaded. Please try again later.',
  };
  return byCode[code] ?? `Mock error with status ${code}.`;
}

export function cohereErrorBody(message: string, id: string) {
  return { id, message };
}

function cohereDefaultMessage(status: number): string {
  const byStatus: Record<number, string> = {
    400: 'invalid request: mock bad request',
    401: 'invalid api token',
    402: 'Please add a payment method to continue using the API.',
    404: 'model not found',
    429: 'You are past the per minute request limit, please wait and try again later.',
    500: 'internal server error, this has been reported to our developers',
    503: 'service unavailable',
    // Cohere sends no 529; an overload message keeps "overloaded" recognisable on every API.
    529: 'service overloaded, please try again later',
  };
  return byStatus[status] ?? `Mock error with status ${status}.`;
}

/** The body the 'error' behaviour sends when the test gives none. */
export function defaultErrorBody(api: MockApi, status: number, requestId: string): unknown {
  if (api === 'openai') return openaiErrorBody(openaiDefaultError(status));
  if (api === 'gemini') return geminiErrorBody(status, geminiDefaultMessage(status));
  if (api === 'cohere') return cohereErrorBody(cohereDefaultMessage(status), requestId);
  const type = anthropicErrorType(status);
  const message = type === 'overloaded_error' ? 'Overloaded' : `Mock ${type} (status ${status}).`;
  return anthropicErrorBody(type, message, requestId);
}
