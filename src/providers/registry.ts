import type { Provider } from '../config/schemas.js';
import { anthropicProvider } from './anthropic/index.js';
import { openAIProvider } from './openai/index.js';
import type { ProviderAdapter } from './types.js';

interface ProviderEntry {
  /** Where requests go when a model sets no baseUrl; undefined means the model must set one. */
  defaultBaseUrl?: string;
  /** Undefined while the provider is not served yet: its models can be configured but not called. */
  adapter?: ProviderAdapter;
}

/**
 * Base URLs follow each vendor's own SDK convention: OpenAI-style bases include `/v1`
 * (paths are `/chat/completions`), Anthropic's does not (paths are `/v1/messages`).
 */
export const PROVIDER_REGISTRY: Record<Provider, ProviderEntry> = {
  openai: { defaultBaseUrl: 'https://api.openai.com/v1', adapter: openAIProvider },
  anthropic: { defaultBaseUrl: 'https://api.anthropic.com', adapter: anthropicProvider },
  custom: { adapter: openAIProvider },
  gemini: { defaultBaseUrl: 'https://generativelanguage.googleapis.com/v1beta' },
  ollama: { defaultBaseUrl: 'http://127.0.0.1:11434' },
  mistral: { defaultBaseUrl: 'https://api.mistral.ai/v1' },
  cohere: { defaultBaseUrl: 'https://api.cohere.com' },
  xai: { defaultBaseUrl: 'https://api.x.ai/v1' },
};
