import { readFileSync } from 'node:fs';
import { DEFAULT_TIMEOUTS, type ResolvedModel } from '../../../../src/config/state.js';
import type { ChatRequest } from '../../../../src/ir/chat.js';
import { cohereChat, cohereEmbeddings, readCohereError } from '../../../../src/providers/cohere/index.js';
import type { ProviderEntry } from '../../../../src/providers/registry.js';

const FIXTURES = new URL('../../../fixtures/cohere/', import.meta.url);

export function fixtureText(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

export function fixtureJson(name: string): unknown {
  return JSON.parse(fixtureText(name));
}

const COHERE_ENTRY: ProviderEntry = {
  defaultBaseUrl: 'https://api.cohere.com',
  chat: cohereChat,
  embeddings: cohereEmbeddings,
  readError: readCohereError,
};

export function cohereModel(extra: Partial<ResolvedModel> = {}): ResolvedModel {
  return {
    config: { id: 'gw-cohere', provider: 'cohere', createdAt: '', updatedAt: '', headers: { 'x-extra': '1' } },
    provider: COHERE_ENTRY,
    baseUrl: 'https://api.cohere.com',
    upstreamModel: 'command-a-03-2025',
    apiKey: 'co-key',
    timeouts: DEFAULT_TIMEOUTS,
    ...extra,
  };
}

export function chatRequest(extra: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model: 'gw-cohere',
    system: [],
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
    tools: [],
    stop: [],
    stream: false,
    unsupported: [],
    ...extra,
  };
}
