import type { UpstreamTarget } from '../../ir/target.js';
import type { EncodedRequest, ProviderEmbeddingsCodec } from '../../ir/codec.js';
import type { EmbeddingRequest, EmbeddingResponse } from '../../ir/embeddings.js';
import { GatewayError } from '../../errors.js';
import { isRecord } from '../../json/record.js';
import { geminiHeaders, geminiMethodUrl } from './request.js';

/** batchEmbedContents refuses more requests than this in one call (400 "at most 100 requests can be in one batch"). */
export const GEMINI_EMBED_BATCH_LIMIT = 100;

/**
 * Embeddings through `batchEmbedContents`, one request per input text. Gemini takes text
 * only: token-id inputs cannot be sent. Its answer reports no token count, so inputTokens is
 * left unset: an estimate would be recorded as if Gemini had said it, and 0 would cost the
 * call at $0 silently; unset, the usage record says `usageReported: false`.
 */
export const geminiEmbeddings: ProviderEmbeddingsCodec = {
  encodeRequest(request: EmbeddingRequest, model: UpstreamTarget): EncodedRequest {
    const dropped: string[] = [];
    // One call holds one upstream request, so a larger input cannot be split here: it is
    // refused with a clear message rather than left to Gemini's 400.
    if (request.input.length > GEMINI_EMBED_BATCH_LIMIT) {
      throw new GatewayError(
        'invalid_request',
        `Gemini embeds at most ${GEMINI_EMBED_BATCH_LIMIT} inputs per request; this request has ${request.input.length}. Split it into smaller requests.`,
        { param: 'input' },
      );
    }
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
    return { model: '', vectors };
  },
};
