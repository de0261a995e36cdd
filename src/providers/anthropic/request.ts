import { setMember } from '../../json/members.js';
import { baseUpstreamHeaders } from '../shared.js';
import type { ForwardInput, UpstreamRequest } from '../types.js';

/** The API version sent when the client names none (the SDKs always do). */
export const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';

const PATHS = { chat: '/v1/messages', count_tokens: '/v1/messages/count_tokens' } as const;

/**
 * Builds the call to Anthropic's Messages API: the client's body byte for byte with
 * `model` swapped, and the client's `anthropic-version` and `anthropic-beta` headers
 * kept, since betas change what the body may contain.
 */
export function buildAnthropicRequest(input: ForwardInput): UpstreamRequest {
  const { model, clientHeaders } = input;
  const headers = baseUpstreamHeaders(model, clientHeaders);
  headers.set('anthropic-version', clientHeaders.get('anthropic-version') ?? DEFAULT_ANTHROPIC_VERSION);
  const beta = clientHeaders.get('anthropic-beta');
  if (beta) headers.set('anthropic-beta', beta);
  if (model.apiKey) headers.set('x-api-key', model.apiKey);
  const path = PATHS[input.operation];
  return {
    url: `${model.baseUrl}${path}${input.search}`,
    headers,
    body: setMember(input.body, 'model', JSON.stringify(model.upstreamModel)),
  };
}
