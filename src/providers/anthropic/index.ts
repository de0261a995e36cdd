import type { ProviderAdapter } from '../types.js';
import { anthropicStreamErrorEvent, isAnthropicErrorBody } from './errors.js';
import { buildAnthropicRequest } from './request.js';
import { usageFromAnthropicBody } from './response.js';
import { createAnthropicStreamObserver } from './stream.js';

export const anthropicProvider: ProviderAdapter = {
  format: 'anthropic',
  operations: ['chat', 'count_tokens'],
  prepare(input) {
    return {
      request: buildAnthropicRequest(input),
      stream: input.operation === 'chat' && input.parsed.stream === true,
      createObserver: createAnthropicStreamObserver,
    };
  },
  usageFromBody: usageFromAnthropicBody,
  streamErrorEvent: anthropicStreamErrorEvent,
  isErrorBody: isAnthropicErrorBody,
};
