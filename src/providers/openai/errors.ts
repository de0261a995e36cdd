import { errorBody, type GatewayError } from '../../errors.js';
import { formatSseEvent } from '../../sse/writer.js';
import { isRecord } from '../shared.js';

/** OpenAI streams report a failure as a data event holding its usual error object. */
export function openAIStreamErrorEvent(error: GatewayError): string {
  return formatSseEvent({ data: JSON.stringify(errorBody(error, 'openai')) });
}

export function isOpenAIErrorBody(body: unknown): boolean {
  return isRecord(body) && isRecord(body.error) && typeof body.error.message === 'string';
}
