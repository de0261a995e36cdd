import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TIMEOUTS, type ResolvedModel } from '../../../../src/config/state.js';
import type { ChatRequest } from '../../../../src/ir/chat.js';
import { geminiChat, geminiEmbeddings, readGeminiError } from '../../../../src/providers/gemini/index.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/gemini/', import.meta.url));

export function fixtureText(name: string): string {
  return readFileSync(FIXTURES + name, 'utf8');
}

export function fixture(name: string): unknown {
  return JSON.parse(fixtureText(name));
}

export function geminiModel(extra: Partial<ResolvedModel> = {}): ResolvedModel {
  return {
    config: { id: 'gw-gemini', provider: 'gemini', createdAt: '', updatedAt: '', headers: { 'x-extra': '1' } },
    provider: { chat: geminiChat, embeddings: geminiEmbeddings, readError: readGeminiError },
    baseUrl: 'https://generativelanguage.googleapis.com/v1beta',
    upstreamModel: 'gemini-2.5-flash',
    apiKey: 'AIza-provider-key',
    timeouts: DEFAULT_TIMEOUTS,
    ...extra,
  };
}

export function chatRequest(extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'gw-gemini', system: [], messages: [], tools: [], stop: [], stream: false, unsupported: [], ...extra };
}
