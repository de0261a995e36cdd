import { readFileSync } from 'node:fs';
import { DEFAULT_TIMEOUTS, type ResolvedModel } from '../../../../src/config/state.js';
import type { StreamEvent } from '../../../../src/ir/chat.js';
import type { StreamDecoder } from '../../../../src/ir/codec.js';
import { OPENAI_COMPATIBLE_VENDORS, openAICompatibleChat, readOpenAIError } from '../../../../src/providers/openai/index.js';
import type { ProviderEntry } from '../../../../src/providers/registry.js';
import { SseParser } from '../../../../src/sse/parser.js';

export function fixture(name: string): string {
  return readFileSync(new URL(`../../../fixtures/openai/${name}`, import.meta.url), 'utf8');
}

export function fixtureJson(name: string): unknown {
  return JSON.parse(fixture(name));
}

/** The codecs under test take their vendor as an argument; the model's own entry is only there to type-check. */
const ENTRY: ProviderEntry = { chat: openAICompatibleChat(OPENAI_COMPATIBLE_VENDORS.openai), readError: readOpenAIError };

export function model(extra: Partial<ResolvedModel> = {}): ResolvedModel {
  return {
    provider: ENTRY,
    config: { id: 'gw-model', provider: 'openai', createdAt: '', updatedAt: '', headers: { 'x-extra': '1' } },
    baseUrl: 'https://up.example/v1',
    upstreamModel: 'upstream-model',
    apiKey: 'sk-provider',
    timeouts: DEFAULT_TIMEOUTS,
    ...extra,
  };
}

/** Feeds raw SSE text through a decoder in small slices (as a network would) and collects every event, end() included. */
export function replay(decoder: StreamDecoder, raw: string, sliceSize = 37): StreamEvent[] {
  const parser = new SseParser();
  const events: StreamEvent[] = [];
  for (let i = 0; i < raw.length; i += sliceSize) {
    for (const event of parser.push(raw.slice(i, i + sliceSize))) events.push(...decoder.push(event));
  }
  events.push(...decoder.end());
  return events;
}
