import { describe, expect, it } from 'vitest';
import { cohereEmbeddings } from '../../../../src/providers/cohere/index.js';
import { thrownGatewayError } from '../../../support/codec-helpers.js';
import { cohereModel, fixtureJson } from './helpers.js';

const model = cohereModel({ upstreamModel: 'embed-v4.0' });

describe('cohere embeddings', () => {
  it('posts texts to /v2/embed as search documents, asking for floats and no silent truncation', () => {
    const { request, dropped } = cohereEmbeddings.encodeRequest({ model: 'gw-embed', input: ['hello', 'goodbye'], unsupported: [] }, model);
    expect(request.url).toBe('https://api.cohere.com/v2/embed');
    expect(request.headers.get('authorization')).toBe('Bearer co-key');
    expect(request.headers.get('accept')).toBe('application/json');
    expect(JSON.parse(request.body)).toEqual({
      model: 'embed-v4.0',
      texts: ['hello', 'goodbye'],
      input_type: 'search_document',
      embedding_types: ['float'],
      truncate: 'NONE',
    });
    expect(dropped).toEqual([]);
  });

  it('sends dimensions as output_dimension and reports user', () => {
    const { request, dropped } = cohereEmbeddings.encodeRequest(
      { model: 'gw-embed', input: ['a'], dimensions: 512, user: 'u-1', unsupported: [] },
      model,
    );
    expect(JSON.parse(request.body)).toMatchObject({ output_dimension: 512 });
    expect(JSON.parse(request.body)).not.toHaveProperty('user');
    expect(dropped).toEqual(['user']);
  });

  it('refuses token-id input', () => {
    const error = thrownGatewayError(() => cohereEmbeddings.encodeRequest({ model: 'gw-embed', input: [[1, 2, 3]], unsupported: [] }, model));
    expect(error.code).toBe('invalid_request');
    expect(error.options.param).toBe('input');
  });

  it('refuses more than 96 texts (v2 Embed limit) with a clear invalid_request, and accepts exactly 96', () => {
    const input = (n: number) => Array.from({ length: n }, (_, i) => `text ${i}`);
    const ok = cohereEmbeddings.encodeRequest({ model: 'gw-embed', input: input(96), unsupported: [] }, model);
    expect((JSON.parse(ok.request.body) as { texts: unknown[] }).texts).toHaveLength(96);
    const error = thrownGatewayError(() => cohereEmbeddings.encodeRequest({ model: 'gw-embed', input: input(97), unsupported: [] }, model));
    expect(error.code).toBe('invalid_request');
    expect(error.options.param).toBe('input');
    expect(error.message).toMatch(/at most 96 inputs.*has 97/);
  });

  it('decodes float vectors and billed input tokens', () => {
    expect(cohereEmbeddings.decodeResponse(fixtureJson('embed.json'))).toEqual({
      model: '',
      vectors: [
        [0.016296387, -0.008354187, -0.04699707, -0.07104492],
        [-0.0146102905, 0.0053215027, -0.057037354, 0.008743286],
      ],
      inputTokens: 2,
    });
  });

  it('falls back to counted tokens, and to unreported (never a silent zero)', () => {
    const embeddings = { float: [[1, 2]] };
    expect(cohereEmbeddings.decodeResponse({ embeddings, meta: { tokens: { input_tokens: 3 } } }).inputTokens).toBe(3);
    expect(cohereEmbeddings.decodeResponse({ embeddings })).not.toHaveProperty('inputTokens');
  });

  it('refuses answers without float vectors', () => {
    for (const body of [null, {}, { embeddings: {} }, { embeddings: { int8: [[1]] } }, { embeddings: { float: [[1, 'x']] } }, { embeddings: { float: [3] } }]) {
      expect(thrownGatewayError(() => cohereEmbeddings.decodeResponse(body)).code).toBe('upstream_error');
    }
  });
});
