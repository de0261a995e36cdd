import { describe, expect, it } from 'vitest';
import { openAIEmbeddingsFormat } from '../../../../src/formats/openai-embeddings/index.js';
import type { EmbeddingResponse } from '../../../../src/ir/embeddings.js';
import { fakeOpenAIClient, thrownGatewayError } from '../../../support/codec-helpers.js';

const decode = (body: Record<string, unknown>) => openAIEmbeddingsFormat.decodeRequest(body);

const refusal = (body: Record<string, unknown>) => thrownGatewayError(() => decode(body));

/** Values exact in float32, so the round trip compares equal. */
const RESPONSE: EmbeddingResponse = { model: 'embed-v4.0', vectors: [[0.5, -1.25, 3], [0, 1e-3, -2.5e10]], inputTokens: 9 };

describe('Embeddings request decoding', () => {
  it('reads every input shape into a list', () => {
    expect(decode({ model: 'e', input: 'hello' })).toEqual({ model: 'e', input: ['hello'], unsupported: [] });
    expect(decode({ model: 'e', input: ['a', 'b'] }).input).toEqual(['a', 'b']);
    expect(decode({ model: 'e', input: [1, 2, 3] }).input).toEqual([[1, 2, 3]]);
    expect(decode({ model: 'e', input: [[1, 2], [3]] }).input).toEqual([[1, 2], [3]]);
  });

  it('reads dimensions and user, consumes encoding_format, reports the rest', () => {
    expect(decode({ model: 'e', input: 'x', dimensions: 256, user: 'u1', encoding_format: 'base64', input_type: 'query', extra: null })).toEqual({
      model: 'e',
      input: ['x'],
      dimensions: 256,
      user: 'u1',
      unsupported: ['input_type'],
    });
  });

  it('refuses empty or malformed input and bad parameters, naming the field', () => {
    expect(refusal({ model: 'e', input: '' }).options.param).toBe('input');
    expect(refusal({ model: 'e', input: [] }).options.param).toBe('input');
    expect(refusal({ model: 'e', input: ['a', ''] }).options.param).toBe('input[1]');
    expect(refusal({ model: 'e', input: ['a', 1] }).options.param).toBe('input[0]');
    expect(refusal({ model: 'e', input: [[1], []] }).options.param).toBe('input[1]');
    expect(refusal({ model: 'e', input: 7 }).options.param).toBe('input');
    expect(refusal({ model: 'e', input: Array.from({ length: 2049 }, () => 'x') }).options.param).toBe('input');
    expect(refusal({ input: 'x' }).options.param).toBe('model');
    expect(refusal({ model: 'e', input: 'x', encoding_format: 'int8' }).options.param).toBe('encoding_format');
    expect(refusal({ model: 'e', input: 'x', dimensions: 0 }).options.param).toBe('dimensions');
    expect(refusal({ model: 'e', input: 'x', user: 5 }).status).toBe(400);
  });
});

describe('Embeddings response encoding', () => {
  it('encodes floats exactly as OpenAI sends them', () => {
    expect(JSON.stringify(openAIEmbeddingsFormat.encodeResponse(RESPONSE, { model: 'gw', input: ['a', 'b'] }))).toBe(
      '{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5,-1.25,3]},' +
        '{"object":"embedding","index":1,"embedding":[0,0.001,-25000000000]}],"model":"embed-v4.0","usage":{"prompt_tokens":9,"total_tokens":9}}',
    );
  });

  it('encodes base64 as little-endian float32 bytes', () => {
    const out = openAIEmbeddingsFormat.encodeResponse(RESPONSE, { model: 'gw', input: ['a', 'b'], encoding_format: 'base64' }) as {
      data: Array<{ embedding: string }>;
    };
    // 0.5 = 0x3f000000, -1.25 = 0xbfa00000, 3 = 0x40400000, little-endian.
    expect(Buffer.from(out.data[0]!.embedding, 'base64').toString('hex')).toBe('0000003f0000a0bf00004040');
    const bytes = Buffer.from(out.data[1]!.embedding, 'base64');
    const floats = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4));
    expect(floats).toEqual(RESPONSE.vectors[1]!.map(Math.fround));
  });

  it('gives back the floats through the openai SDK, which asks for base64 by default', async () => {
    const { sdk, sent } = fakeOpenAIClient((body) => {
      openAIEmbeddingsFormat.decodeRequest(body);
      return Response.json(openAIEmbeddingsFormat.encodeResponse(RESPONSE, body));
    });
    const result = await sdk.embeddings.create({ model: 'gw', input: ['a', 'b'] });
    expect(sent[0]!.encoding_format).toBe('base64');
    expect(result.data.map((item) => item.embedding)).toEqual(RESPONSE.vectors.map((vector) => vector.map(Math.fround)));
    expect(result.usage).toEqual({ prompt_tokens: 9, total_tokens: 9 });
  });

  it('encodes a 3072-dimension vector without overflowing the call stack', () => {
    const vector = Array.from({ length: 3072 }, (_, i) => i / 4);
    const out = openAIEmbeddingsFormat.encodeResponse({ model: 'm', vectors: [vector], inputTokens: 1 }, { encoding_format: 'base64' }) as {
      data: Array<{ embedding: string }>;
    };
    const bytes = Buffer.from(out.data[0]!.embedding, 'base64');
    expect(Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4))).toEqual(vector);
  });
});
