import { errorBody, type GatewayError } from '../errors.js';
import type { StreamEvent } from './chat.js';
import { formatSseEvent } from '../sse/writer.js';

/*
 * The SSE event that tells a client its stream failed part way, in each wire format. Both
 * a client format (src/formats, translated calls) and a provider (src/providers, same-format
 * passthrough) send it, and neither may import the other, so it lives here.
 */

/** OpenAI streams report a failure as a data event holding its usual error object. */
export function openAIStreamErrorEvent(error: GatewayError): string {
  return formatSseEvent({ data: JSON.stringify(errorBody(error, 'openai')) });
}

/** Anthropic streams report a failure as an `error` event holding its usual error object. */
export function anthropicStreamErrorEvent(error: GatewayError): string {
  return formatSseEvent({ event: 'error', data: JSON.stringify(errorBody(error, 'anthropic')) });
}

/**
 * What a provider's stream decoder emits when the body ends before the provider's own last
 * event (a finish reason, `message_stop`, `message-end`): the answer is cut short, and the
 * client must be told so rather than handed what looks like a whole answer.
 */
export function endedEarly(provider: string): StreamEvent {
  return { type: 'error', status: 502, message: `${provider} ended the stream before finishing its answer`, errorType: 'truncated_stream' };
}
