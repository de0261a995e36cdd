import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../src/errors.js';
import { geminiEmbeddings, readGeminiError } from '../../../../src/providers/gemini/index.js';
import { fixtureJson, geminiModel } from './helpers.js';

describe('Gemini embeddings', () => {
  it('sends one batchEmbedContents request per text', () => {
    const { request, dropped } = geminiEmbeddings.encodeRequest(
      { model: 'emb', input: ['hello', 'world'], dimensions: 3, user: 'u1', unsupported: [] },
      geminiModel({ upstreamModel: 'gemini-embedding-001' }),
    );
    expect(request.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:batchEmbedContents');
    expect(request.headers.get('x-goog-api-key')).toBe('AIza-provider-key');
    expect(JSON.parse(request.body)).toEqual({
      requests: [
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'hello' }] }, outputDimensionality: 3 },
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'world' }] }, outputDimensionality: 3 },
      ],
    });
    expect(dropped).toEqual(['user']);
  });

  it('refuses token-id inputs', () => {
    const call = () => geminiEmbeddings.encodeRequest({ model: 'emb', input: [[1, 2, 3]], unsupported: [] }, geminiModel());
    expect(call).toThrow(GatewayError);
    expect(call).toThrow(/token-id/);
  });

  it('refuses more than 100 inputs (batchEmbedContents limit) with a clear invalid_request, and accepts exactly 100', () => {
    const input = (n: number) => Array.from({ length: n }, (_, i) => `text ${i}`);
    const ok = geminiEmbeddings.encodeRequest({ model: 'emb', input: input(100), unsupported: [] }, geminiModel());
    expect((JSON.parse(ok.request.body) as { requests: unknown[] }).requests).toHaveLength(100);
    let thrown: unknown;
    try {
      geminiEmbeddings.encodeRequest({ model: 'emb', input: input(101), unsupported: [] }, geminiModel());
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GatewayError);
    expect((thrown as GatewayError).code).toBe('invalid_request');
    expect((thrown as GatewayError).options.param).toBe('input');
    expect((thrown as GatewayError).message).toMatch(/at most 100 inputs.*has 101/);
  });

  it('reads vectors in order, with no token count (Gemini reports none)', () => {
    expect(geminiEmbeddings.decodeResponse(fixtureJson('batch-embed-response.json'))).toEqual({
      model: '',
      vectors: [
        [0.0123, -0.0456, 0.0789],
        [-0.5, 0.25, 1],
      ],
    });
  });

  it.each([[{}], [{ embeddings: [{ values: ['x'] }] }], [{ embeddings: [null] }], [fixtureJson('error.json')]])('refuses %j', (body) => {
    expect(() => geminiEmbeddings.decodeResponse(body)).toThrow(GatewayError);
  });
});

describe('Gemini errors', () => {
  it('reads message and status', () => {
    expect(readGeminiError(fixtureJson('error.json'))).toEqual({ message: 'API key not valid. Please pass a valid API key.', type: 'INVALID_ARGUMENT' });
    expect(readGeminiError([{ error: { code: 429, message: 'Quota exceeded', status: 'RESOURCE_EXHAUSTED' } }])).toEqual({
      message: 'Quota exceeded',
      type: 'RESOURCE_EXHAUSTED',
    });
    expect(readGeminiError({ error: { message: 'bare' } })).toEqual({ message: 'bare' });
  });

  it.each([[null], ['oops'], [{ error: 'x' }], [{ error: { code: 500 } }], [[]]])('finds nothing in %j', (body) => {
    expect(readGeminiError(body)).toBeUndefined();
  });
});
