import type { ClientChatFormat } from '../../ir/codec.js';
import { decodeMessagesRequest } from './request.js';
import { encodeMessagesResponse } from './response.js';
import { createMessagesStreamEncoder } from './stream.js';

/**
 * Anthropic Messages (`POST /v1/messages`, and `/v1/messages/count_tokens` bodies) as a
 * client format: what @anthropic-ai/sdk or Claude Code sends, served by any provider.
 */
export const anthropicMessagesFormat: ClientChatFormat = {
  errorFormat: 'anthropic',
  decodeRequest: decodeMessagesRequest,
  encodeResponse: encodeMessagesResponse,
  createStreamEncoder: createMessagesStreamEncoder,
};

export { decodeMessagesRequest } from './request.js';
export { encodeMessagesResponse, encodeCountTokensResponse, anthropicStopReason } from './response.js';
export { createMessagesStreamEncoder } from './stream.js';
export { anthropicErrorType, anthropicProviderErrorEvent } from './errors.js';
