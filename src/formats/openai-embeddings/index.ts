import type { ClientEmbeddingsFormat } from '../../ir/codec.js';
import { decodeEmbeddingsRequest, encodingFormat } from './request.js';
import { encodeEmbeddingsResponse } from './response.js';

/** OpenAI Embeddings (`/v1/embeddings`) as a client format, for calls served by a provider of another format. */
export const openAIEmbeddingsFormat: ClientEmbeddingsFormat = {
  decodeRequest: decodeEmbeddingsRequest,
  encodeResponse: (response, body) => encodeEmbeddingsResponse(response, encodingFormat(body)),
};
