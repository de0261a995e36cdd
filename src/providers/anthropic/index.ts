import type { ProviderChatCodec } from '../../ir/codec.js';
import { anthropicStreamErrorEvent } from '../../ir/stream-errors.js';
import type { ProviderAdapter } from '../types.js';
import { isAnthropicErrorBody } from './errors.js';
import { buildAnthropicRequest, encodeAnthropicRequest } from './request.js';
import { decodeAnthropicResponse, usageFromAnthropicBody } from './response.js';
import { createAnthropicStreamObserver } from './stream.js';
import { createAnthropicStreamDecoder } from './stream-decoder.js';

export { readAnthropicError } from './errors.js';

/** Messages API clients: their calls are forwarded byte for byte. */
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

/** Clients of other formats served by a Claude model: translated through the IR. */
export const anthropicChat: ProviderChatCodec = {
  encodeRequest: encodeAnthropicRequest,
  decodeResponse: (body) => decodeAnthropicResponse(body),
  createStreamDecoder: () => createAnthropicStreamDecoder(),
};
