import type { ProviderChatCodec } from '../../ir/codec.js';
import { decodeChatCompletion } from './decode.js';
import { encodeChatRequest } from './encode.js';
import { createOpenAIStreamDecoder, openAIStreamStartError } from './stream-decoder.js';
import type { OpenAICompatibleProfile } from './vendors.js';

/** Chat translation for OpenAI or any OpenAI-compatible vendor; only the request side differs by vendor. */
export function openAICompatibleChat(profile: OpenAICompatibleProfile): ProviderChatCodec {
  return {
    encodeRequest: (request, model, clientHeaders) => encodeChatRequest(request, model, clientHeaders, profile),
    decodeResponse: decodeChatCompletion,
    createStreamDecoder: createOpenAIStreamDecoder,
    streamStartError: openAIStreamStartError,
  };
}
