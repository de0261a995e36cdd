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

/*
 * The same checks as plain predicates, for the hot path: a body they accept is one the schema
 * accepts, so zod runs only on a body that may be wrong, to say what is wrong with it in its
 * words. Each may answer false where the schema would pass (then the schema decides).
 */
type Body = Record<string, unknown>;
const isModel = (value: unknown) => typeof value === 'string' && value.length > 0;
const isNullishBoolean = (value: unknown) => value === undefined || value === null || typeof value === 'boolean';
const isPlainObject = (value: unknown): value is Body => typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringOrArray = (value: unknown) => typeof value === 'string' || Array.isArray(value);

const chatCompletionsAccepts = (body: Body) =>
  isModel(body.model) &&
  Array.isArray(body.messages) &&
  body.messages.length > 0 &&
  isNullishBoolean(body.stream) &&
  (body.stream_options === undefined ||
    body.stream_options === null ||
    (isPlainObject(body.stream_options) && (body.stream_options.include_usage === undefined || typeof body.stream_options.include_usage === 'boolean')));
const messagesAccepts = (body: Body) =>
  isModel(body.model) &&
  Array.isArray(body.messages) &&
  Number.isSafeInteger(body.max_tokens) &&
  (body.max_tokens as number) > 0 &&
  (body.stream === undefined || typeof body.stream === 'boolean');
const countTokensAccepts = (body: Body) => isModel(body.model) && Array.isArray(body.messages);
const responsesAccepts = (body: Body) => isModel(body.model) && (body.input === undefined || isStringOrArray(body.input)) && isNullishBoolean(body.stream);
const embeddingsAccepts = (body: Body) => isModel(body.model) && isStringOrArray(body.input);

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
  /** True only for a body `schema` accepts, without running it (see above). */
  accepts(body: Record<string, unknown>): boolean;
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
    accepts: chatCompletionsAccepts,
  },
  {
    path: '/v1/messages',
    errorFormat: 'anthropic',
    passthrough: { format: 'anthropic', operation: 'chat' },
    operation: 'chat',
    client: anthropicMessagesFormat,
    schema: messagesBody,
    accepts: messagesAccepts,
  },
  {
    path: '/v1/messages/count_tokens',
    errorFormat: 'anthropic',
    passthrough: { format: 'anthropic', operation: 'count_tokens' },
    operation: 'count_tokens',
    client: anthropicMessagesFormat,
    schema: countTokensBody,
    accepts: countTokensAccepts,
  },
  {
    path: '/v1/responses',
    errorFormat: 'openai',
    passthrough: { format: 'openai', operation: 'responses' },
    operation: 'chat',
    client: openAIResponsesFormat,
    schema: responsesBody,
    accepts: responsesAccepts,
  },
  {
    path: '/v1/embeddings',
    errorFormat: 'openai',
    passthrough: { format: 'openai', operation: 'embeddings' },
    operation: 'embeddings',
    client: openAIEmbeddingsFormat,
    schema: embeddingsBody,
    accepts: embeddingsAccepts,
  },
];

export type { Operation };
