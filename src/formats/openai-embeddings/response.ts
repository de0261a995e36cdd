import type { EmbeddingResponse } from '../../ir/embeddings.js';
import { bytesToBase64 } from '../../ir/media.js';

/**
 * The IR answer as OpenAI's CreateEmbeddingResponse. With `encoding_format: 'base64'` each
 * vector is the base64 of its little-endian float32 bytes, which the openai SDKs decode
 * themselves (and ask for by default).
 */
export function encodeEmbeddingsResponse(response: EmbeddingResponse, format: 'float' | 'base64'): Record<string, unknown> {
  return {
    object: 'list',
    data: response.vectors.map((vector, index) => ({
      object: 'embedding',
      index,
      embedding: format === 'base64' ? float32Base64(vector) : vector,
    })),
    model: response.model,
    // The client's type requires numbers; the gateway's own record says when they were not reported.
    usage: { prompt_tokens: response.inputTokens ?? 0, total_tokens: response.inputTokens ?? 0 },
  };
}

export function float32Base64(vector: number[]): string {
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  vector.forEach((value, i) => view.setFloat32(i * 4, value, true));
  return bytesToBase64(bytes);
}
