import { openAIStreamErrorEvent } from '../../ir/stream-errors.js';
import type { Operation, ProviderAdapter } from '../types.js';
import { isOpenAIErrorBody } from './errors.js';
import { buildOpenAIForwardRequest, buildOpenAIRequest } from './request.js';
import { usageFromOpenAIBody } from './response.js';
import { createOpenAIStreamObserver, createResponsesStreamObserver } from './stream.js';
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
  const operations: Operation[] = ['chat'];
  if (exactEmbeddings) operations.push('embeddings');
  if (profile.responsesApi) operations.push('responses');
  return {
    format: 'openai',
    operations,
    prepare(input) {
      if (input.operation === 'embeddings') {
        return { request: buildOpenAIForwardRequest(input, profile, '/embeddings'), stream: false, createObserver: () => createOpenAIStreamObserver(false) };
      }
      if (input.operation === 'responses') {
        return {
          request: buildOpenAIForwardRequest(input, profile, '/responses'),
          stream: input.parsed.stream === true,
          createObserver: createResponsesStreamObserver,
        };
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
