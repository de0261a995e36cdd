import { setMember } from '../../json/members.js';
import { baseUpstreamHeaders, isRecord } from '../shared.js';
import type { ForwardInput, UpstreamRequest } from '../types.js';

/**
 * Builds the call to an OpenAI-compatible `/chat/completions`. The body is the client's,
 * byte for byte, with `model` swapped; for streams it also asks for the usage chunk,
 * which is how the gateway costs streamed calls (and which it hides again if the client
 * did not ask for it: see stream.ts).
 */
export function buildOpenAIRequest(input: ForwardInput): { request: UpstreamRequest; injectedUsage: boolean } {
  const { model, parsed } = input;
  let body = setMember(input.body, 'model', JSON.stringify(model.upstreamModel));
  const options = parsed.stream_options;
  const injectedUsage = parsed.stream === true && !(isRecord(options) && options.include_usage === true);
  if (injectedUsage) {
    const merged = { ...(isRecord(options) ? options : {}), include_usage: true };
    body = setMember(body, 'stream_options', JSON.stringify(merged));
  }
  const headers = baseUpstreamHeaders(model, input.clientHeaders);
  if (model.apiKey) headers.set('authorization', `Bearer ${model.apiKey}`);
  return { request: { url: `${model.baseUrl}/chat/completions${input.search}`, headers, body }, injectedUsage };
}
