import type { ProviderChatCodec } from '../../ir/codec.js';
import { encodeGeminiChatRequest } from './request.js';
import { decodeGeminiResponse } from './response.js';
import { createGeminiStreamDecoder } from './stream.js';

/** Google Gemini through its native API (generateContent / streamGenerateContent), not its OpenAI-compatible endpoint. */
export const geminiChat: ProviderChatCodec = {
  encodeRequest: encodeGeminiChatRequest,
  decodeResponse: decodeGeminiResponse,
  createStreamDecoder: createGeminiStreamDecoder,
};

export { geminiEmbeddings } from './embeddings.js';
export { readGeminiError } from './errors.js';
export { GEMINI_DEFAULT_BASE_URL } from './request.js';
export { decodeToolCallId, encodeToolCallId, GEMINI_SIGNATURE_PREFIX } from './ids.js';
