// The fixture of the translation suite: one model of every provider, all served by the mock
// provider, and what each provider's mock bills, read back from the request the mock received.

import type { TokenUsage } from '../../src/providers/types.js';
import {
  mockAnthropicUsage,
  mockCohereUsage,
  mockGeminiUsage,
  mockOpenAIUsage,
  mockResponsesUsage,
  startMockProvider,
  type MockApi,
  type MockProvider,
  type RecordedRequest,
} from '../support/mock-provider.js';
import { createModel, createProject, NAMED_MODEL_ONLY, type AdminClient } from '../support/gateway-client.js';

export const MATRIX_KEYS = {
  openai: 'sk-matrix-openai-SECRET',
  anthropic: 'sk-matrix-anthropic-SECRET',
  gemini: 'matrix-gemini-SECRET',
  cohere: 'matrix-cohere-SECRET',
};

export interface ProviderCase {
  /** The gateway model id, which is also the provider's name here. */
  model: string;
  /** The wire format the mock receives the call in. */
  api: MockApi;
  /** Which mock serves it: `keyless` for providers that send no key (Ollama), `mistral` for Mistral's dialect. */
  mock: 'keyed' | 'keyless' | 'mistral';
}

export const PROVIDER_CASES: ProviderCase[] = [
  { model: 'openai', api: 'openai', mock: 'keyed' },
  { model: 'anthropic', api: 'anthropic', mock: 'keyed' },
  { model: 'gemini', api: 'gemini', mock: 'keyed' },
  { model: 'cohere', api: 'cohere', mock: 'keyed' },
  { model: 'mistral', api: 'openai', mock: 'mistral' },
  { model: 'xai', api: 'openai', mock: 'keyed' },
  { model: 'ollama', api: 'openai', mock: 'keyless' },
  { model: 'custom', api: 'openai', mock: 'keyed' },
];

export interface Matrix {
  keyed: MockProvider;
  keyless: MockProvider;
  mistral: MockProvider;
  project: { id: string; token: string };
  /** A project that refuses parameters its models cannot take. */
  strictProject: { id: string; token: string };
}

export async function setUpMatrix(admin: AdminClient): Promise<Matrix> {
  const keyed = await startMockProvider({
    openaiKey: MATRIX_KEYS.openai,
    anthropicKey: MATRIX_KEYS.anthropic,
    geminiKey: MATRIX_KEYS.gemini,
    cohereKey: MATRIX_KEYS.cohere,
  });
  const keyless = await startMockProvider();
  const mistral = await startMockProvider({ openaiKey: MATRIX_KEYS.openai, openaiDialect: 'mistral' });
  const models: Record<string, unknown>[] = [
    { id: 'openai', provider: 'openai', baseUrl: keyed.openaiBaseUrl, apiKey: MATRIX_KEYS.openai, upstreamModel: 'gpt-4o-mini' },
    { id: 'anthropic', provider: 'anthropic', baseUrl: keyed.anthropicBaseUrl, apiKey: MATRIX_KEYS.anthropic, upstreamModel: 'claude-sonnet-4-5' },
    { id: 'gemini', provider: 'gemini', baseUrl: keyed.geminiBaseUrl, apiKey: MATRIX_KEYS.gemini, upstreamModel: 'gemini-2.5-flash' },
    { id: 'cohere', provider: 'cohere', baseUrl: keyed.cohereBaseUrl, apiKey: MATRIX_KEYS.cohere, upstreamModel: 'command-a-03-2025' },
    { id: 'mistral', provider: 'mistral', baseUrl: mistral.openaiBaseUrl, apiKey: MATRIX_KEYS.openai, upstreamModel: 'mistral-small-latest' },
    { id: 'xai', provider: 'xai', baseUrl: keyed.openaiBaseUrl, apiKey: MATRIX_KEYS.openai, upstreamModel: 'grok-4' },
    { id: 'ollama', provider: 'ollama', baseUrl: keyless.openaiBaseUrl, upstreamModel: 'llama3.2' },
    { id: 'custom', provider: 'custom', baseUrl: keyed.openaiBaseUrl, apiKey: MATRIX_KEYS.openai, upstreamModel: 'my-model' },
  ];
  for (const model of models) await createModel(admin, { ...model, pricing: { input: 1, output: 2 } });
  const ids = models.map((m) => String(m.id));
  const project = await createProject(admin, 'matrix', ids, NAMED_MODEL_ONLY);
  const strict = await createProject(admin, 'matrix-strict', ids, NAMED_MODEL_ONLY);
  const answer = await admin.call('PUT', `/api/projects/${strict.id}`, { rejectUnsupportedParams: true });
  if (answer.status !== 200) throw new Error(`strict project: ${answer.status} ${JSON.stringify(answer.body)}`);
  return { keyed, keyless, mistral, project, strictProject: strict };
}

export function mockOf(matrix: Matrix, provider: ProviderCase): MockProvider {
  return matrix[provider.mock];
}

/** The last request the provider's mock received. */
export function lastUpstream(matrix: Matrix, provider: ProviderCase): RecordedRequest {
  const request = mockOf(matrix, provider).requests.at(-1);
  if (!request) throw new Error(`the ${provider.model} mock received nothing`);
  return request;
}

/** The usage the mock billed for `request`, in the gateway's normalised terms (input includes cache). */
export function billedUsage(request: RecordedRequest): TokenUsage {
  if (request.path === '/v1/responses') {
    // The Responses API, forwarded as is to an OpenAI model.
    const usage = mockResponsesUsage(request.body);
    return {
      inputTokens: usage.input_tokens,
      outputTokens: usage.output_tokens,
      cachedInputTokens: usage.input_tokens_details.cached_tokens,
      cacheWriteTokens: 0,
    };
  }
  switch (request.api) {
    case 'openai': {
      const usage = mockOpenAIUsage(request.body);
      return {
        inputTokens: usage.prompt_tokens,
        outputTokens: usage.completion_tokens,
        cachedInputTokens: usage.prompt_tokens_details.cached_tokens,
        cacheWriteTokens: 0,
      };
    }
    case 'anthropic': {
      const usage = mockAnthropicUsage(request.body);
      return {
        inputTokens: usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens,
        outputTokens: usage.output_tokens,
        cachedInputTokens: usage.cache_read_input_tokens,
        cacheWriteTokens: usage.cache_creation_input_tokens,
      };
    }
    case 'gemini': {
      // promptTokenCount includes the cached tokens; thoughts are billed as output.
      const usage = mockGeminiUsage(request.body);
      return {
        inputTokens: usage.promptTokenCount,
        outputTokens: usage.candidatesTokenCount + (usage.thoughtsTokenCount ?? 0),
        cachedInputTokens: usage.cachedContentTokenCount ?? 0,
        cacheWriteTokens: 0,
      };
    }
    case 'cohere': {
      // Cohere charges billed_units; `tokens` also counts its own prompt template.
      const usage = mockCohereUsage(request.body);
      return {
        inputTokens: usage.billed_units.input_tokens,
        outputTokens: usage.billed_units.output_tokens,
        cachedInputTokens: 0,
        cacheWriteTokens: 0,
      };
    }
  }
}

/** The names of the tools a request declared, whatever its provider's shape. */
export function declaredTools(request: RecordedRequest): string[] {
  const tools: any[] = request.body?.tools ?? [];
  if (request.path === '/v1/responses') return tools.map((tool) => tool.name);
  switch (request.api) {
    case 'openai':
    case 'cohere':
      return tools.map((tool) => tool.function?.name);
    case 'anthropic':
      return tools.map((tool) => tool.name);
    case 'gemini':
      return tools.flatMap((tool) => (tool.functionDeclarations ?? []).map((declaration: any) => declaration.name));
  }
}
