import type { ProviderChatCodec, ProviderEmbeddingsCodec, ProviderErrorDetails } from '../ir/codec.js';
import { anthropicChat, anthropicProvider, readAnthropicError } from './anthropic/index.js';
import { cohereChat, cohereEmbeddings, readCohereError } from './cohere/index.js';
import { geminiChat, geminiEmbeddings, readGeminiError } from './gemini/index.js';
import {
  OPENAI_COMPATIBLE_VENDORS,
  openAICompatibleChat,
  openAICompatibleEmbeddings,
  openAICompatibleProvider,
  readOpenAIError,
  type OpenAICompatibleProfile,
} from './openai/index.js';
import type { ProviderAdapter } from './types.js';

/** Every provider a model may name (src/config/schemas.ts validates `provider` against these). */
export const PROVIDER_NAMES = ['openai', 'anthropic', 'gemini', 'ollama', 'mistral', 'cohere', 'xai', 'custom'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** Well-known OpenAI-compatible services: a `custom` model with a preset gets its base URL and key header. */
export const PRESET_NAMES = ['openrouter', 'groq', 'deepseek', 'together', 'azure'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** Everything the gateway knows of one provider. */
export interface ProviderEntry {
  /** Where requests go when a model sets no baseUrl; undefined means the model must set one. */
  defaultBaseUrl?: string;
  /** Calls in the provider's own wire format, forwarded byte for byte. */
  passthrough?: ProviderAdapter;
  /** Calls in any other format, translated through the IR. */
  chat: ProviderChatCodec;
  /** Undefined when the provider has no embeddings API (Anthropic). */
  embeddings?: ProviderEmbeddingsCodec;
  /** What the provider's error body says, for errors re-told in another format. */
  readError(body: unknown): ProviderErrorDetails | undefined;
  /** Whose tokenizer counts this provider's text, for count_tokens where the gateway has it. */
  tokenizer?: 'openai';
}

function openAICompatibleEntry(profile: OpenAICompatibleProfile): ProviderEntry {
  return {
    ...(profile.defaultBaseUrl === undefined ? {} : { defaultBaseUrl: profile.defaultBaseUrl }),
    passthrough: openAICompatibleProvider(profile),
    chat: openAICompatibleChat(profile),
    ...(profile.embeddings ? { embeddings: openAICompatibleEmbeddings(profile) } : {}),
    readError: readOpenAIError,
  };
}

/**
 * Base URLs follow each vendor's own SDK convention: OpenAI-style bases include `/v1`
 * (paths are `/chat/completions`), Anthropic's does not (paths are `/v1/messages`),
 * Gemini's includes its API version (`/v1beta`).
 */
export const PROVIDER_REGISTRY: Record<ProviderName, ProviderEntry> = {
  openai: { ...openAICompatibleEntry(OPENAI_COMPATIBLE_VENDORS.openai), tokenizer: 'openai' },
  anthropic: {
    defaultBaseUrl: 'https://api.anthropic.com',
    passthrough: anthropicProvider,
    chat: anthropicChat,
    readError: readAnthropicError,
  },
  gemini: {
    defaultBaseUrl: 'https://generativelanguage.googleapis.com/v1beta',
    chat: geminiChat,
    embeddings: geminiEmbeddings,
    readError: readGeminiError,
  },
  cohere: { defaultBaseUrl: 'https://api.cohere.com', chat: cohereChat, embeddings: cohereEmbeddings, readError: readCohereError },
  ollama: openAICompatibleEntry(OPENAI_COMPATIBLE_VENDORS.ollama),
  mistral: openAICompatibleEntry(OPENAI_COMPATIBLE_VENDORS.mistral),
  xai: openAICompatibleEntry(OPENAI_COMPATIBLE_VENDORS.xai),
  custom: openAICompatibleEntry(OPENAI_COMPATIBLE_VENDORS.custom),
};

/** `custom` models with a preset: the same OpenAI-compatible base with that service's data. */
export const PRESET_REGISTRY: Record<PresetName, ProviderEntry> = {
  openrouter: openAICompatibleEntry(OPENAI_COMPATIBLE_VENDORS.openrouter),
  groq: openAICompatibleEntry(OPENAI_COMPATIBLE_VENDORS.groq),
  deepseek: openAICompatibleEntry(OPENAI_COMPATIBLE_VENDORS.deepseek),
  together: openAICompatibleEntry(OPENAI_COMPATIBLE_VENDORS.together),
  azure: { ...openAICompatibleEntry(OPENAI_COMPATIBLE_VENDORS.azure), tokenizer: 'openai' },
};

/** The entry that serves a model: its preset's when it has one, else its provider's. */
export function providerEntry(model: { provider: ProviderName; preset?: PresetName }): ProviderEntry {
  return model.preset ? PRESET_REGISTRY[model.preset] : PROVIDER_REGISTRY[model.provider];
}
