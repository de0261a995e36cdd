import type { ClientChatFormat } from '../../ir/codec.js';
import { decodeResponsesRequest } from './request.js';
import { encodeResponsesResponse } from './response.js';
import { createResponsesStreamEncoder } from './stream.js';

export { REDACTED_THINKING_PREFIX } from './reasoning.js';

/** OpenAI's Responses API (`POST /v1/responses`) as a client format; errors take OpenAI's shape. */
export const openAIResponsesFormat: ClientChatFormat = {
  errorFormat: 'openai',
  decodeRequest: decodeResponsesRequest,
  encodeResponse: encodeResponsesResponse,
  createStreamEncoder: createResponsesStreamEncoder,
};
