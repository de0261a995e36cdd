/**
 * What the model form needs to know of each provider and preset, as src/providers/registry.ts
 * and src/providers/openai/vendors.ts define them. Copied as data rather than imported: the
 * gateway's registry pulls in every provider codec, which the browser has no use for. Keep the
 * ids, default base URLs and key headers in step with those files.
 */

export const PROVIDER_IDS = ['openai', 'anthropic', 'gemini', 'ollama', 'mistral', 'cohere', 'xai', 'custom'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export const PRESET_IDS = ['openrouter', 'groq', 'deepseek', 'together', 'azure'] as const;
export type PresetId = (typeof PRESET_IDS)[number];

export interface ProviderInfo {
  label: string;
  /** Where calls go when the model sets no base URL; undefined: the model must set one. */
  defaultBaseUrl?: string;
  /** How the key travels, and whether one is needed at all. */
  keyHint: string;
  /** A word on the base URL's shape, after the default. */
  baseUrlHint?: string;
}

export const PROVIDERS: Record<ProviderId, ProviderInfo> = {
  openai: { label: 'OpenAI', defaultBaseUrl: 'https://api.openai.com/v1', keyHint: 'Sent as Authorization: Bearer.', baseUrlHint: 'OpenAI-style base URLs include /v1.' },
  anthropic: { label: 'Anthropic', defaultBaseUrl: 'https://api.anthropic.com', keyHint: 'Sent as x-api-key.', baseUrlHint: 'Without /v1: paths are /v1/messages.' },
  gemini: { label: 'Google Gemini', defaultBaseUrl: 'https://generativelanguage.googleapis.com/v1beta', keyHint: 'A Google AI Studio key, sent as x-goog-api-key.', baseUrlHint: 'Includes the API version (/v1beta).' },
  ollama: { label: 'Ollama', defaultBaseUrl: 'http://127.0.0.1:11434/v1', keyHint: 'Ollama needs none; one set here is sent as Bearer, for a proxy in front of it.', baseUrlHint: 'The server’s OpenAI-compatible API, with /v1.' },
  mistral: { label: 'Mistral', defaultBaseUrl: 'https://api.mistral.ai/v1', keyHint: 'Sent as Authorization: Bearer.' },
  cohere: { label: 'Cohere', defaultBaseUrl: 'https://api.cohere.com', keyHint: 'Sent as Authorization: Bearer.' },
  xai: { label: 'xAI', defaultBaseUrl: 'https://api.x.ai/v1', keyHint: 'Sent as Authorization: Bearer.' },
  custom: { label: 'Custom (OpenAI-compatible)', keyHint: 'Sent as Authorization: Bearer.', baseUrlHint: 'The server’s OpenAI-compatible base, usually ending in /v1.' },
};

export const PRESETS: Record<PresetId, ProviderInfo> = {
  openrouter: { label: 'OpenRouter', defaultBaseUrl: 'https://openrouter.ai/api/v1', keyHint: 'Sent as Authorization: Bearer.' },
  groq: { label: 'Groq', defaultBaseUrl: 'https://api.groq.com/openai/v1', keyHint: 'Sent as Authorization: Bearer.' },
  deepseek: { label: 'DeepSeek', defaultBaseUrl: 'https://api.deepseek.com/v1', keyHint: 'Sent as Authorization: Bearer.' },
  together: { label: 'Together AI', defaultBaseUrl: 'https://api.together.xyz/v1', keyHint: 'Sent as Authorization: Bearer.' },
  azure: {
    label: 'Azure OpenAI',
    keyHint: 'Sent as the api-key header.',
    baseUrlHint: 'Your resource’s v1 API: https://RESOURCE.openai.azure.com/openai/v1. The upstream model is the deployment name.',
  },
};

/** The entry that serves a model: its preset's when it has one, else its provider's (as providerEntry does). */
export function providerInfo(provider: ProviderId, preset?: PresetId | ''): ProviderInfo {
  return provider === 'custom' && preset ? PRESETS[preset] : PROVIDERS[provider];
}

/** "Custom (OpenAI-compatible) · Groq" for a list. */
export function providerLabel(provider: string, preset?: string): string {
  const base = PROVIDERS[provider as ProviderId]?.label ?? provider;
  if (!preset) return base;
  return `${PRESETS[preset as PresetId]?.label ?? preset} (custom)`;
}
