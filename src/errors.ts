/**
 * The one table of gateway error codes. Each code has one HTTP status and the error
 * `type` it takes in each client format, so a client always gets errors in the shape
 * of the API it called.
 */
export const ERROR_TABLE = {
  invalid_request: { status: 400, openai: 'invalid_request_error', anthropic: 'invalid_request_error' },
  invalid_json: { status: 400, openai: 'invalid_request_error', anthropic: 'invalid_request_error' },
  no_models: { status: 400, openai: 'invalid_request_error', anthropic: 'invalid_request_error' },
  unauthorized: { status: 401, openai: 'invalid_request_error', anthropic: 'authentication_error' },
  forbidden: { status: 403, openai: 'invalid_request_error', anthropic: 'permission_error' },
  not_found: { status: 404, openai: 'invalid_request_error', anthropic: 'not_found_error' },
  conflict: { status: 409, openai: 'invalid_request_error', anthropic: 'invalid_request_error' },
  payload_too_large: { status: 413, openai: 'invalid_request_error', anthropic: 'request_too_large' },
  unsupported_media_type: { status: 415, openai: 'invalid_request_error', anthropic: 'invalid_request_error' },
  rate_limited: { status: 429, openai: 'rate_limit_error', anthropic: 'rate_limit_error' },
  /** A project's or token's budget is spent: OpenAI's own type for an exhausted quota. */
  budget_exceeded: { status: 429, openai: 'insufficient_quota', anthropic: 'rate_limit_error' },
  internal: { status: 500, openai: 'server_error', anthropic: 'api_error' },
  upstream_error: { status: 502, openai: 'server_error', anthropic: 'api_error' },
  upstream_unreachable: { status: 502, openai: 'server_error', anthropic: 'api_error' },
  not_ready: { status: 503, openai: 'server_error', anthropic: 'api_error' },
  upstream_timeout: { status: 504, openai: 'server_error', anthropic: 'timeout_error' },
  /** A provider that says it is overloaded (Anthropic's 529). */
  upstream_overloaded: { status: 529, openai: 'server_error', anthropic: 'overloaded_error' },
  /** Only in usage records: the client went away before any answer (nginx's convention); never sent. */
  client_closed: { status: 499, openai: 'invalid_request_error', anthropic: 'invalid_request_error' },
} as const satisfies Record<string, { status: number; openai: string; anthropic: string }>;

export type ErrorCode = keyof typeof ERROR_TABLE;

/** Which error shape a route answers in. `api` is the management API's own. */
export type ErrorFormat = 'openai' | 'anthropic' | 'api';

export class GatewayError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: { param?: string; headers?: Record<string, string>; status?: number; details?: unknown } = {},
  ) {
    super(message);
    this.name = 'GatewayError';
    this.status = options.status ?? ERROR_TABLE[code].status;
  }
}

/** The JSON body of an error in the given format. */
export function errorBody(error: GatewayError, format: ErrorFormat): unknown {
  const entry = ERROR_TABLE[error.code];
  switch (format) {
    case 'openai':
      return { error: { message: error.message, type: entry.openai, param: error.options.param ?? null, code: error.code } };
    case 'anthropic':
      return { type: 'error', error: { type: entry.anthropic, message: error.message } };
    case 'api':
      return {
        error: {
          code: error.code,
          message: error.message,
          ...(error.options.details === undefined ? {} : { details: error.options.details }),
        },
      };
  }
}

export function errorResponse(error: GatewayError, format: ErrorFormat, extraHeaders?: HeadersInit): Response {
  const headers = new Headers(extraHeaders);
  headers.set('content-type', 'application/json');
  for (const [name, value] of Object.entries(error.options.headers ?? {})) headers.set(name, value);
  return new Response(JSON.stringify(errorBody(error, format)), { status: error.status, headers });
}

/**
 * The code for a status a provider answered (a provider's HTML 429, a relayed 500). A
 * provider's 5xx is never one of the gateway's own codes (`internal`, `not_ready`): the
 * client must be able to tell the provider failed, not the gateway.
 */
export function codeForStatus(status: number): ErrorCode {
  if (status >= 500) return status === 504 ? 'upstream_timeout' : status === 529 ? 'upstream_overloaded' : 'upstream_error';
  const exact = (Object.keys(ERROR_TABLE) as ErrorCode[]).find((code) => ERROR_TABLE[code].status === status && code !== 'client_closed');
  return exact ?? 'invalid_request';
}

/** Turns anything thrown into a GatewayError without leaking internals to the client. */
export function toGatewayError(thrown: unknown): GatewayError {
  if (thrown instanceof GatewayError) return thrown;
  return new GatewayError('internal', 'internal error');
}
