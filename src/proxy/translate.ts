import { GatewayError, toGatewayError } from '../errors.js';
import type { ClientChatFormat, ClientEmbeddingsFormat, StreamEncoder } from '../ir/codec.js';
import type { StreamEvent } from '../ir/chat.js';
import { COUNT_LIMITS, countInputTokens } from '../ir/token-estimate.js';
import { mergeUsage } from '../ir/usage.js';
import type { HeaderSource } from '../http/upstream.js';
import { jsonNestingDepth } from '../json/depth.js';
import type { StreamObserver, TokenUsage } from '../providers/types.js';
import type { ProxyContext } from './context.js';
import { translatedErrorResponse } from './errors.js';
import { clientHeaders } from './headers.js';
import type { ExchangePlan } from './exchange.js';
import { firstEventError, startErrorResponse } from './stream-start.js';
import { unsupportedParamsHeaders, WARNINGS_HEADER } from './warnings.js';
import { utf8 } from '../crypto/encoding.js';

const JSON_TYPE = 'application/json';
const NO_HEADERS: HeaderSource = { header: () => null };

/**
 * The deepest nesting a translated body may have. Translation re-serializes parts of the
 * client's body (tool schemas, tool inputs, response schemas) and walks some of them, and
 * JSON.stringify overflows the stack a few thousand levels down (Node: ~5,000); no real
 * schema or tool input comes near this. Forwarded bodies are never re-serialized: the
 * provider judges those.
 */
export const MAX_TRANSLATED_NESTING = 512;

export function assertTranslatableNesting(body: string): void {
  const depth = jsonNestingDepth(body);
  if (depth > MAX_TRANSLATED_NESTING) {
    throw new GatewayError(
      'invalid_request',
      `the request body nests objects and arrays ${depth} levels deep; at most ${MAX_TRANSLATED_NESTING} can be translated for this model`,
    );
  }
}

function parseProviderJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(utf8.decode(bytes));
  } catch {
    throw new GatewayError('upstream_error', 'the provider answered with a body that is not JSON');
  }
}

/**
 * A chat call in a format the model does not speak: the client's body is decoded into the
 * IR, encoded for the provider, and every answer (whole, streamed, or an error) is decoded
 * from the provider and encoded back in the client's format.
 */
export function translatedChatPlan(ctx: ProxyContext, client: ClientChatFormat): ExchangePlan {
  const { model, project, parsed } = ctx;
  const codec = model.provider.chat;
  const chatRequest = client.decodeRequest(parsed, ctx.headers);
  const encoded = codec.encodeRequest(chatRequest, model, ctx.headers);
  const headers = unsupportedParamsHeaders([...chatRequest.unsupported, ...encoded.dropped], project, model);

  let encoder: StreamEncoder | undefined;
  return {
    request: encoded.request,
    stream: chatRequest.stream,
    headers,
    errorResponse: (upstream, call, responseHeaders, summary) =>
      translatedErrorResponse(upstream, call, client.errorFormat, model.provider.readError, model.config.id, responseHeaders, summary),
    startErrorResponse: (error, responseHeaders) => startErrorResponse(client.errorFormat, error, responseHeaders),
    startError: (event) => firstEventError(codec, event),
    createObserver() {
      const decoder = codec.createStreamDecoder();
      const streamEncoder = client.createStreamEncoder(parsed);
      encoder = streamEncoder;
      let usage: TokenUsage | undefined;
      let failure: string | undefined;
      const encode = (events: StreamEvent[]) => {
        let out = '';
        for (const event of events) {
          if (event.type === 'usage') usage = mergeUsage(usage, event.usage);
          // The client gets its format's error event for it; the record says what broke.
          if (event.type === 'error') failure ??= event.errorType === 'truncated_stream' || event.errorType === 'invalid_event' ? event.errorType : 'stream_error';
          // Some providers (Cohere) do not say which model answered: it is the one asked.
          if (event.type === 'start' && !event.model) event.model = model.upstreamModel;
          out += streamEncoder.push(event);
        }
        return out;
      };
      // A provider event the decoder cannot read ends the client's stream with an error event
      // in its format; whatever the provider sends after that is not passed on.
      let failed = false;
      const guarded = (step: () => string): string => {
        if (failed) return '';
        try {
          return step();
        } catch (error) {
          failed = true;
          failure ??= 'invalid_event';
          if (!(error instanceof GatewayError)) {
            ctx.services.logger.error('stream translation failed', { requestId: ctx.requestId, model: model.config.id, error: String(error) });
          }
          return streamEncoder.fail(toGatewayError(error));
        }
      };
      const observer: StreamObserver = {
        rewrites: true,
        usage: () => usage,
        failure: () => failure,
        onEvent: (event) => guarded(() => encode(decoder.push(event))),
        end: () => guarded(() => encode(decoder.end()) + streamEncoder.end()),
      };
      return observer;
    },
    streamErrorEvent: (error) => (encoder ?? client.createStreamEncoder(parsed)).fail(error),
    answer(bytes) {
      const response = codec.decodeResponse(parseProviderJson(bytes));
      if (!response.model) response.model = model.upstreamModel;
      const usage = response.usage;
      return { body: JSON.stringify(client.encodeResponse(response, parsed)), contentType: JSON_TYPE, account: () => ({ usage }) };
    },
  };
}

/** An embeddings call to a provider whose embeddings API is not OpenAI's. */
export function translatedEmbeddingsPlan(ctx: ProxyContext, client: ClientEmbeddingsFormat): ExchangePlan {
  const { model, project, parsed } = ctx;
  const codec = model.provider.embeddings;
  if (!codec) throw new GatewayError('invalid_request', `model "${model.config.id}" has no embeddings`, { param: 'model' });
  const embeddingRequest = client.decodeRequest(parsed);
  const encoded = codec.encodeRequest(embeddingRequest, model);
  const headers = unsupportedParamsHeaders([...embeddingRequest.unsupported, ...encoded.dropped], project, model);
  return {
    request: encoded.request,
    stream: false,
    headers,
    errorResponse: (upstream, call, responseHeaders, summary) =>
      translatedErrorResponse(upstream, call, 'openai', model.provider.readError, model.config.id, responseHeaders, summary),
    startErrorResponse: (error, responseHeaders) => startErrorResponse('openai', error, responseHeaders),
    startError: () => undefined,
    createObserver: () => {
      throw new GatewayError('internal', 'embeddings are never streamed');
    },
    streamErrorEvent: () => '',
    answer(bytes) {
      const response = codec.decodeResponse(parseProviderJson(bytes));
      if (!response.model) response.model = model.upstreamModel;
      const usage: TokenUsage | undefined =
        response.inputTokens === undefined ? undefined : { inputTokens: response.inputTokens, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0 };
      return { body: JSON.stringify(client.encodeResponse(response, parsed)), contentType: JSON_TYPE, account: () => ({ usage }) };
    },
  };
}

/**
 * `count_tokens` for a model whose provider cannot count: the gateway's documented estimate
 * (src/ir/token-estimate.ts), with OpenAI's own tokenizer for OpenAI models where the
 * adapter provides it, flagged as an estimate in x-routerly-warnings. No upstream call.
 */
export async function estimatedCountTokens(ctx: ProxyContext, client: ClientChatFormat, warnings: readonly string[] = []): Promise<Response> {
  const chatRequest = client.decodeRequest(ctx.parsed, ctx.headers);
  const { model, services } = ctx;
  const tokenizer = model.provider.tokenizer === 'openai' && services.openAITokenizer ? await services.openAITokenizer() : undefined;
  // In slices with yields to the event loop: a body can be megabytes of text (issue 8).
  const { tokens: inputTokens, overTokenizerBudget } = await countInputTokens(chatRequest, tokenizer, { signal: ctx.request.signal });
  const written = ctx.record({ status: 200, outcome: 'ok', stream: false, final: true });
  if (services.durableUsage) await written;
  const method = !tokenizer
    ? 'no tokenizer for this model'
    : overTokenizerBudget
      ? `text by the o200k_base tokenizer up to ${COUNT_LIMITS.tokenizerBytes / 2 ** 20} MiB; past that 4 bytes a token`
      : 'text by the o200k_base tokenizer';
  return new Response(JSON.stringify({ input_tokens: inputTokens }), {
    status: 200,
    headers: {
      // No upstream answer to take headers from: only the gateway's own.
      ...clientHeaders(NO_HEADERS, model.config.id, ctx.requestId),
      'content-type': JSON_TYPE,
      'x-routerly-attempts': `${model.config.id};status=200`,
      [WARNINGS_HEADER]: [`estimated:input_tokens (${model.config.provider} has no token counting API; ${method})`, ...warnings].join(', '),
      ...ctx.limits.headers,
    },
  });
}
