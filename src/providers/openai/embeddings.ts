import type { UpstreamTarget } from '../../ir/target.js';
import type { ProviderEmbeddingsCodec } from '../../ir/codec.js';
import type { EmbeddingRequest, EmbeddingResponse } from '../../ir/embeddings.js';
import { GatewayError } from '../../errors.js';
import { isRecord } from '../../json/record.js';
import { count } from '../shared.js';
import { setVendorAuth } from './request.js';
import type { OpenAICompatibleProfile } from './vendors.js';
import { HeaderFields } from '../../http/header-fields.js';

/**
 * `/embeddings` of an OpenAI-compatible vendor, or undefined when the vendor has none.
 * Vectors are always asked for as floats: base64 is a client-side transport choice the
 * client format re-applies if it wants.
 */
export function openAICompatibleEmbeddings(profile: OpenAICompatibleProfile): ProviderEmbeddingsCodec | undefined {
  const options = profile.embeddings;
  if (!options) return undefined;
  return {
    encodeRequest(request: EmbeddingRequest, model: UpstreamTarget) {
      const dropped: string[] = [];
      const tokenInput = request.input.some((item) => typeof item !== 'string');
      if (tokenInput && !options.tokenInput) {
        throw new GatewayError('invalid_request', `${profile.id} embeddings take text input only, not token arrays`, { param: 'input' });
      }
      const body: Record<string, unknown> = { model: model.upstreamModel, input: request.input };
      if (request.dimensions !== undefined) body[options.dimensionsField] = request.dimensions;
      if (request.user !== undefined) {
        if (options.user) body.user = request.user;
        else dropped.push('user');
      }
      body.encoding_format = 'float';
      const headers = new HeaderFields(model.config.headers);
      headers.set('content-type', 'application/json');
      headers.set('accept', 'application/json');
      setVendorAuth(headers, model, profile);
      return { request: { url: `${model.baseUrl}/embeddings`, headers, body: JSON.stringify(body) }, dropped };
    },
    decodeResponse: decodeEmbeddings,
  };
}

/** `{data: [{embedding, index}], model, usage: {prompt_tokens}}`, in input order whatever order the data came in. */
export function decodeEmbeddings(body: unknown): EmbeddingResponse {
  if (!isRecord(body) || !Array.isArray(body.data)) {
    throw new GatewayError('upstream_error', 'the provider answered with something that is not an embeddings list');
  }
  const items = body.data.map((item, position) => {
    if (!isRecord(item) || !Array.isArray(item.embedding) || !item.embedding.every((x) => typeof x === 'number')) {
      throw new GatewayError('upstream_error', 'the provider answered an embedding that is not a list of numbers');
    }
    return { index: typeof item.index === 'number' ? item.index : position, vector: item.embedding as number[] };
  });
  items.sort((a, b) => a.index - b.index);
  return {
    model: typeof body.model === 'string' ? body.model : '',
    vectors: items.map((item) => item.vector),
    ...(isRecord(body.usage) && typeof body.usage.prompt_tokens === 'number' ? { inputTokens: count(body.usage.prompt_tokens) } : {}),
  };
}
