import type { ClientChatFormat } from '../../ir/codec.js';
import { decodeChatCompletionsRequest } from './request.js';
import { encodeChatCompletion } from './response.js';
import { createChatCompletionsStreamEncoder } from './stream.js';

/**
 * OpenAI Chat Completions (`/v1/chat/completions`) as a client format, for calls served by
 * a provider of another format. Answers carry thinking both as `reasoning_content` and as
 * OpenRouter-style `reasoning_details`, which clients send back to keep signatures.
 */
export const openAIChatFormat: ClientChatFormat = {
  errorFormat: 'openai',
  decodeRequest: decodeChatCompletionsRequest,
  encodeResponse: (response) => encodeChatCompletion(response),
  createStreamEncoder: createChatCompletionsStreamEncoder,
};
