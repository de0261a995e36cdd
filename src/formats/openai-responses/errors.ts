import { codeForStatus, type GatewayError } from '../../errors.js';

/**
 * How a Responses stream tells its client it failed: an `error` event (ResponseErrorEvent:
 * code, message, param), then `response.failed` whose Response carries `error` (ResponseError,
 * whose `code` is one of the API's own: the gateway uses `rate_limit_exceeded` for a 429 and
 * `server_error` otherwise). Both, because clients differ in which they watch: the SDKs
 * yield `error` as an event, and agents such as Codex end a turn on `response.failed`.
 */
export interface StreamFailure {
  event: { code: string | null; message: string; param: string | null };
  responseError: { code: string; message: string };
}

export function gatewayFailure(error: GatewayError): StreamFailure {
  return {
    event: { code: error.code, message: error.message, param: error.options.param ?? null },
    responseError: { code: responseErrorCode(error.status), message: error.message },
  };
}

/** A failure the provider reported inside its stream; its own error type is kept as the event's `code`. */
export function providerFailure(status: number, message: string, errorType?: string): StreamFailure {
  return {
    event: { code: errorType ?? codeForStatus(status), message, param: null },
    responseError: { code: responseErrorCode(status), message },
  };
}

function responseErrorCode(status: number): string {
  return status === 429 ? 'rate_limit_exceeded' : 'server_error';
}
