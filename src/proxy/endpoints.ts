import { z } from 'zod';
import { anthropicMessagesFormat } from '../formats/anthropic-messages/index.js';
import { openAIChatFormat } from '../formats/openai-chat/index.js';
import { openAIEmbeddingsFormat } from '../formats/openai-embeddings/index.js';
import { openAIResponsesFormat } from '../formats/openai-responses/index.js';
import type { ClientChatFormat, ClientEmbeddingsFormat } from '../ir/codec.js';
import type { Operation, WireFormat } from '../providers/types.js';

/**
 * What each proxied route must receive before anything else happens. Only the fields the
 * gateway itself relies on are checked here; the client format's decoder checks the rest
 * when the call is translated, and on same-format calls every other field is the
 * provider's business and passes through untouched.
 */
const chatCompletionsBody = z.looseObject({
  model: z.string().min(1),
  messages: z.array(z.unknown()).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
});

const messagesBody = z.looseObject({
  model: z.string().min(1),
  messages: z.array(z.unknown()),
  max_tokens: z.number().int().positive(),
  stream: z.boolean().optional(),
});

const countTokensBody = z.looseObject({
  model: z.string().min(1),
  messages: z.array(z.unknown()),
});

const responsesBody = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.unknown())]).optional(),
  stream: z.boolean().nullish(),
});

const embeddingsBody = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.unknown())]),
});

interface EndpointBase {
  path: string;
  /** The error shape this route answers in: that of the API it imitates. */
  errorFormat: WireFormat;
  /**
   * The provider API this route is forwarded to byte for byte, for a model that speaks it
   * natively: its wire format and the operation its adapter must offer. Any other model is
   * served through translation.
   */
  passthrough: { format: WireFormat; operation: Operation };
  schema: z.ZodType;
}

export type Endpoint =
  | (EndpointBase & { operation: 'chat'; client: ClientChatFormat })
  | (EndpointBase & { operation: 'count_tokens'; client: ClientChatFormat })
  | (EndpointBase & { operation: 'embeddings'; client: ClientEmbeddingsFormat });

export const ENDPOINTS: readonly Endpoint[] = [
  {
    path: '/v1/chat/completions',
    errorFormat: 'openai',
    passthrough: { format: 'openai', operation: 'chat' },
    operation: 'chat',
    client: openAIChatFormat,
    schema: chatCompletionsBody,
  },
  {
    path: '/v1/messages',
    errorFormat: 'anthropic',
    passthrough: { format: 'anthropic', operation: 'chat' },
    operation: 'chat',
    client: anthropicMessagesFormat,
    schema: messagesBody,
  },
  {
    path: '/v1/messages/count_tokens',
    errorFormat: 'anthropic',
    passthrough: { format: 'anthropic', operation: 'count_tokens' },
    operation: 'count_tokens',
    client: anthropicMessagesFormat,
    schema: countTokensBody,
  },
  {
    path: '/v1/responses',
    errorFormat: 'openai',
    passthrough: { format: 'openai', operation: 'responses' },
    operation: 'chat',
    client: openAIResponsesFormat,
    schema: responsesBody,
  },
  {
    path: '/v1/embeddings',
    errorFormat: 'openai',
    passthrough: { format: 'openai', operation: 'embeddings' },
    operation: 'embeddings',
    client: openAIEmbeddingsFormat,
    schema: embeddingsBody,
  },
];

export type { Operation };
