import { z } from 'zod';
import type { Operation, WireFormat } from '../providers/types.js';

/**
 * What each proxied route must receive. Only the fields the gateway itself relies on are
 * checked; every other field is the provider's business and passes through untouched.
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

export interface Endpoint {
  path: string;
  /** The client API this route belongs to: it decides the error format. */
  format: WireFormat;
  operation: Operation;
  schema: z.ZodType;
}

export const ENDPOINTS: readonly Endpoint[] = [
  { path: '/v1/chat/completions', format: 'openai', operation: 'chat', schema: chatCompletionsBody },
  { path: '/v1/messages', format: 'anthropic', operation: 'chat', schema: messagesBody },
  { path: '/v1/messages/count_tokens', format: 'anthropic', operation: 'count_tokens', schema: countTokensBody },
];
