import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TIMEOUTS, type ResolvedModel } from '../../../../src/config/state.js';
import type { ChatRequest } from '../../../../src/ir/chat.js';
import { anthropicChat, anthropicProvider, readAnthropicError } from '../../../../src/providers/anthropic/index.js';
import type { ProviderEntry } from '../../../../src/providers/registry.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/anthropic/', import.meta.url));

export function fixtureText(name: string): string {
  return readFileSync(`${FIXTURES}${name}`, 'utf8');
}

export function fixtureJson(name: string): unknown {
  return JSON.parse(fixtureText(name));
}

/** The registry's Anthropic entry, built here so these tests load no other provider. */
const ANTHROPIC_ENTRY: ProviderEntry = {
  defaultBaseUrl: 'https://api.anthropic.com',
  passthrough: anthropicProvider,
  chat: anthropicChat,
  readError: readAnthropicError,
};

export function claudeModel(extra: Partial<ResolvedModel> = {}, headers: Record<string, string> = { 'x-extra': '1' }): ResolvedModel {
  return {
    config: { id: 'claude', provider: 'anthropic', createdAt: '', updatedAt: '', headers },
    provider: ANTHROPIC_ENTRY,
    baseUrl: 'https://api.anthropic.example',
    upstreamModel: 'claude-sonnet-4-5-20250929',
    apiKey: 'sk-ant-provider',
    timeouts: DEFAULT_TIMEOUTS,
    ...extra,
  };
}

/** The smallest valid IR request, to be extended by each test. */
export function chatRequest(extra: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model: 'claude',
    system: [],
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
    tools: [],
    stop: [],
    stream: false,
    unsupported: [],
    ...extra,
  };
}
