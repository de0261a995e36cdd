// Error bodies in each API's documented shape.
// OpenAI:    {"error": {"message", "type", "param", "code"}}
// Anthropic: {"type": "error", "error": {"type", "message"}, "request_id"}

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

/** The body the 'error' behaviour sends when the test gives none. */
export function defaultErrorBody(api: MockApi, status: number, requestId: string): unknown {
  if (api === 'openai') return openaiErrorBody(openaiDefaultError(status));
  const type = anthropicErrorType(status);
  const message = type === 'overloaded_error' ? 'Overloaded' : `Mock ${type} (status ${status}).`;
  return anthropicErrorBody(type, message, requestId);
}
