import type { ProviderAdapter } from '../types.js';
import { isOpenAIErrorBody, openAIStreamErrorEvent } from './errors.js';
import { buildOpenAIEmbeddingsRequest, buildOpenAIRequest } from './request.js';
import { usageFromOpenAIBody } from './response.js';
import { createOpenAIStreamObserver } from './stream.js';
import { OPENAI_COMPATIBLE_VENDORS, type OpenAICompatibleProfile } from './vendors.js';

export { openAICompatibleChat } from './codec.js';
export { openAICompatibleEmbeddings } from './embeddings.js';
export { readOpenAIError } from './errors.js';
export { OPENAI_COMPATIBLE_VENDORS, type OpenAICompatibleProfile, type OpenAICompatibleVendor } from './vendors.js';

/** Same-format forwarding to OpenAI or an OpenAI-compatible vendor; vendors differ only in their profile's data. */
export function openAICompatibleProvider(profile: OpenAICompatibleProfile): ProviderAdapter {
  // Embeddings are forwarded as is only where the vendor's dialect is OpenAI's own (its
  // `dimensions`, `user`, token-array input and base64 encoding); others are translated.
  const embeddings = profile.embeddings;
  const exactEmbeddings = embeddings?.dimensionsField === 'dimensions' && embeddings.user && embeddings.tokenInput;
  return {
    format: 'openai',
    operations: exactEmbeddings ? ['chat', 'embeddings'] : ['chat'],
    prepare(input) {
      if (input.operation === 'embeddings') {
        return { request: buildOpenAIEmbeddingsRequest(input, profile), stream: false, createObserver: () => createOpenAIStreamObserver(false) };
      }
      const { request, injectedUsage } = buildOpenAIRequest(input, profile);
      return {
        request,
        stream: input.parsed.stream === true,
        createObserver: () => createOpenAIStreamObserver(injectedUsage),
      };
    },
    usageFromBody: usageFromOpenAIBody,
    streamErrorEvent: openAIStreamErrorEvent,
    isErrorBody: isOpenAIErrorBody,
  };
}

export const openAIProvider: ProviderAdapter = openAICompatibleProvider(OPENAI_COMPATIBLE_VENDORS.openai);
