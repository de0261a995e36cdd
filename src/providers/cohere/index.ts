import type { ProviderChatCodec } from '../../ir/codec.js';
import { encodeCohereChatRequest } from './request.js';
import { decodeCohereChatResponse } from './response.js';
import { createCohereStreamDecoder } from './stream.js';

export { cohereEmbeddings } from './embeddings.js';
export { readCohereError } from './errors.js';

/**
 * Cohere's v2 Chat API (POST {baseUrl}/v2/chat, Bearer auth). Cohere has no same-format
 * client API in the gateway, so every call is translated through the IR.
 */
export const cohereChat: ProviderChatCodec = {
  encodeRequest: (request, model) => encodeCohereChatRequest(request, model),
  decodeResponse: decodeCohereChatResponse,
  createStreamDecoder: createCohereStreamDecoder,
};
