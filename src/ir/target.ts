/**
 * What a provider codec needs of the model it is sending to. The config layer's
 * ResolvedModel satisfies it; the IR and the providers know only this, so they sit below
 * the config that describes models.
 */

/** What the operator says a model can do (mirrors `Capabilities` in src/config/schemas.ts). */
export interface ModelCapabilities {
  vision?: boolean;
  tools?: boolean;
  json?: boolean;
  thinking?: boolean;
  /**
   * Anthropic models that take `thinking: {type: 'adaptive'}` with `output_config.effort`
   * and refuse `budget_tokens` (Claude 4.7 and later; 4.6 takes both).
   */
  adaptiveThinking?: boolean;
}

/** A model as a provider sees it: where to send, what to call it there, and with which key. */
export interface UpstreamTarget {
  config: {
    /** Extra headers sent upstream (custom endpoints, gateways in front of a provider). */
    headers?: Record<string, string>;
    capabilities?: ModelCapabilities;
  };
  /** Without a trailing slash. */
  baseUrl: string;
  /** The model's name at the provider. */
  upstreamModel: string;
  /** Already decrypted; absent for providers that need none (Ollama). */
  apiKey?: string;
}
