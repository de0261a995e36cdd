import { codeForStatus, ERROR_TABLE, type GatewayError } from '../../errors.js';
import { openAIStreamErrorEvent } from '../../ir/stream-errors.js';
import { formatSseEvent } from '../../sse/writer.js';

/** A stream broken off by the gateway: OpenAI's error object as a data event (no `[DONE]` follows). */
export function chatStreamFailure(error: GatewayError): string {
  return openAIStreamErrorEvent(error);
}

/**
 * A failure the provider reported inside its stream, re-told as OpenAI tells one: the type
 * follows the status, and the provider's own error type is kept as the `code`.
 */
export function chatStreamProviderError(status: number, message: string, errorType?: string): string {
  const type = ERROR_TABLE[codeForStatus(status)].openai;
  return formatSseEvent({ data: JSON.stringify({ error: { message, type, param: null, code: errorType ?? null } }) });
}
