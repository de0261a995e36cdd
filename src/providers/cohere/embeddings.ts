import { GatewayError } from '../../errors.js';
import type { ProviderEmbeddingsCodec } from '../../ir/codec.js';
import type { EmbeddingRequest, EmbeddingResponse } from '../../ir/embeddings.js';
import type { UpstreamTarget } from '../../ir/target.js';
import { isRecord } from '../../json/record.js';
import { count } from '../shared.js';
import { cohereHeaders } from './request.js';

/**
 * The input type sent for every call. v2 Embed requires one and the IR (OpenAI's embeddings
 * format) has none; `search_document` is Cohere's type for text stored to be searched, the
 * common use of an OpenAI-style embeddings call. Query-side embeddings made this way match a
 * little less well than with `search_query`.
 */
export const COHERE_EMBED_INPUT_TYPE = 'search_document';

/** v2 Embed refuses more texts than this in one call. */
export const COHERE_EMBED_BATCH_LIMIT = 96;

/**
 * IR to a v2 Embed call (POST /v2/embed), asking for float vectors only. `truncate: 'NONE'`
 * keeps OpenAI's behaviour for an input longer than the model takes (an error), where
 * `START`/`END` would silently embed only part of the text. Cohere takes at most 96 texts a call: one
 * call holds one upstream request, so more are refused here with a clear message, not split.
 */
export function encodeCohereEmbeddingRequest(request: EmbeddingRequest, model: UpstreamTarget) {
  if (request.input.length > COHERE_EMBED_BATCH_LIMIT) {
    throw new GatewayError(
      'invalid_request',
      `Cohere embeds at most ${COHERE_EMBED_BATCH_LIMIT} inputs per request; this request has ${request.input.length}. Split it into smaller requests.`,
      { param: 'input' },
    );
  }
  const texts: string[] = [];
  for (const item of request.input) {
    if (typeof item !== 'string') {
      throw new GatewayError('invalid_request', 'Cohere embeds text only: token-id arrays cannot be sent to this model', { param: 'input' });
    }
    texts.push(item);
  }
  const body: Record<string, unknown> = {
    model: model.upstreamModel,
    texts,
    input_type: COHERE_EMBED_INPUT_TYPE,
    embedding_types: ['float'],
    truncate: 'NONE',
  };
  // Embed v4 and newer take 256, 512, 1024 or 1536; other values and models are refused upstream.
  if (request.dimensions !== undefined) body.output_dimension = request.dimensions;
  const dropped = request.user === undefined ? [] : ['user'];
  return {
    request: { url: `${model.baseUrl}/v2/embed`, headers: cohereHeaders(model, false), body: JSON.stringify(body) },
    dropped,
  };
}

/**
 * A v2 Embed answer (EmbedByTypeResponse) to the IR: `embeddings.float` in input order, and
 * the billed input tokens (as for chat, see response.ts), else the counted ones. The answer
 * names no model: `model` is left empty for the caller to fill.
 */
export function decodeCohereEmbeddingResponse(body: unknown): EmbeddingResponse {
  const embeddings = isRecord(body) && isRecord(body.embeddings) ? body.embeddings : undefined;
  const float = embeddings?.float;
  if (!Array.isArray(float) || !float.every((vector) => Array.isArray(vector) && vector.every((x) => typeof x === 'number'))) {
    throw new GatewayError('upstream_error', 'Cohere sent an embed answer without float embeddings');
  }
  const meta = isRecord(body) && isRecord(body.meta) ? body.meta : {};
  const billed = isRecord(meta.billed_units) ? meta.billed_units : {};
  const tokens = isRecord(meta.tokens) ? meta.tokens : {};
  const reported = typeof billed.input_tokens === 'number' ? billed.input_tokens : tokens.input_tokens;
  const response: EmbeddingResponse = { model: '', vectors: float as number[][] };
  if (typeof reported === 'number') response.inputTokens = count(reported);
  return response;
}

export const cohereEmbeddings: ProviderEmbeddingsCodec = {
  encodeRequest: encodeCohereEmbeddingRequest,
  decodeResponse: decodeCohereEmbeddingResponse,
};
