import type { ProviderAdapter } from '../types.js';
import { isOpenAIErrorBody, openAIStreamErrorEvent } from './errors.js';
import { buildOpenAIRequest } from './request.js';
import { usageFromOpenAIBody } from './response.js';
import { createOpenAIStreamObserver } from './stream.js';

/** OpenAI and every OpenAI-compatible endpoint (`custom`); vendors differ only in data (base URL, headers). */
export const openAIProvider: ProviderAdapter = {
  format: 'openai',
  operations: ['chat'],
  prepare(input) {
    const { request, injectedUsage } = buildOpenAIRequest(input);
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
