import type { ResolvedModel } from '../../config/state.js';
import type { EncodedRequest, ProviderEmbeddingsCodec } from '../../ir/codec.js';
import type { EmbeddingRequest, EmbeddingResponse } from '../../ir/embeddings.js';
import { GatewayError } from '../../errors.js';
import { isRecord } from '../shared.js';
import { geminiHeaders, geminiMethodUrl } from './request.js';

/**
 * Embeddings through `batchEmbedContents`, one request per input text. Gemini takes text
 * only: token-id inputs cannot be sent. Its answer reports no token count, so inputTokens is
 * 0: an estimate would be recorded as if Gemini had said it, and usage must stay what the
 * provider reported.
 */
export const geminiEmbeddings: ProviderEmbeddingsCodec = {
  encodeRequest(request: EmbeddingRequest, model: ResolvedModel): EncodedRequest {
    const dropped: string[] = [];
    const resource = `models/${model.upstreamModel.replace(/^models\//, '')}`;
    const requests = request.input.map((input, index) => {
      if (typeof input !== 'string') {
        throw new GatewayError('invalid_request', 'Gemini embeds text only: token-id arrays cannot be sent to this model.', {
          param: `input[${index}]`,
        });
      }
      const entry: Record<string, unknown> = { model: resource, content: { parts: [{ text: input }] } };
      if (request.dimensions !== undefined) entry.outputDimensionality = request.dimensions;
      return entry;
    });
    // Gemini's embedding API has no end-user field.
    if (request.user !== undefined) dropped.push('user');
    return {
      request: {
        url: geminiMethodUrl(model, 'batchEmbedContents'),
        headers: geminiHeaders(model, new Headers()),
        body: JSON.stringify({ requests }),
      },
      dropped,
    };
  },

  decodeResponse(body: unknown): EmbeddingResponse {
    if (!isRecord(body) || !Array.isArray(body.embeddings)) {
      throw new GatewayError('upstream_error', 'Gemini returned a body that is not a batchEmbedContents response');
    }
    const vectors = body.embeddings.map((embedding) => {
      const values = isRecord(embedding) ? embedding.values : undefined;
      if (!Array.isArray(values) || !values.every((value) => typeof value === 'number')) {
        throw new GatewayError('upstream_error', 'Gemini returned an embedding that is not a list of numbers');
      }
      return values as number[];
    });
    // The answer names no model; the handler knows which one it called.
    return { model: '', vectors, inputTokens: 0 };
  },
};
