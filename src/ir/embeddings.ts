/** The gateway's representation of an embeddings call (OpenAI `/v1/embeddings` is the one client format). */
export interface EmbeddingRequest {
  model: string;
  /** Texts, or token-id arrays (which only OpenAI-compatible providers accept). */
  input: string[] | number[][];
  dimensions?: number;
  user?: string;
  /** Client parameters with no place here, by their client-format name. */
  unsupported: string[];
}

export interface EmbeddingResponse {
  model: string;
  /** One vector per input, in input order. */
  vectors: number[][];
  /** Undefined when the provider does not say (Gemini): the call is then recorded as unreported, not as free. */
  inputTokens?: number;
}
