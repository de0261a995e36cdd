/**
 * What the codec unit tests (test/unit/providers, test/unit/formats) share: fixture files,
 * a resolved model served by the real registry entry, a minimal IR request, and the loops
 * that run raw SSE text through a decoder or IR events through an encoder.
 */
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { afterEach, beforeEach, expect, vi } from 'vitest';
import type { Provider, StoredModel } from '../../src/config/schemas.js';
import { DEFAULT_TIMEOUTS, type ResolvedModel } from '../../src/config/state.js';
import { GatewayError } from '../../src/errors.js';
import type { ChatRequest, StreamEvent } from '../../src/ir/chat.js';
import type { StreamDecoder, StreamEncoder } from '../../src/ir/codec.js';
import { providerEntry } from '../../src/providers/registry.js';
import { SseParser } from '../../src/sse/parser.js';

const FIXTURES = new URL('../fixtures/', import.meta.url);

/** Readers for one folder under test/fixtures, e.g. `fixtureReader('cohere')` or `fixtureReader('formats/openai-chat')`. */
export function fixtureReader(folder: string): {
  fixtureText(name: string): string;
  fixtureJson<T = Record<string, unknown>>(name: string): T;
} {
  const directory = new URL(`${folder.replace(/\/+$/, '')}/`, FIXTURES);
  const fixtureText = (name: string): string => readFileSync(new URL(name, directory), 'utf8');
  return { fixtureText, fixtureJson: <T>(name: string) => JSON.parse(fixtureText(name)) as T };
}

export type ResolvedModelOverrides = Partial<Omit<ResolvedModel, 'config'>> & { config?: Partial<StoredModel> };

/**
 * A model as the config index would resolve it, served by the registry's own entry for
 * `provider` (or `config.preset`). Defaults: id `gw-<provider>`, one extra header
 * `x-extra: 1`, the entry's default base URL, upstream model `upstream-model`, key `sk-provider`.
 */
export function resolvedModel(provider: Provider, overrides: ResolvedModelOverrides = {}): ResolvedModel {
  const { config: configOverrides, ...rest } = overrides;
  const config: StoredModel = { id: `gw-${provider}`, provider, createdAt: '', updatedAt: '', headers: { 'x-extra': '1' }, ...configOverrides };
  const entry = providerEntry(config);
  return {
    config,
    provider: entry,
    baseUrl: entry.defaultBaseUrl ?? 'https://up.example/v1',
    upstreamModel: 'upstream-model',
    apiKey: 'sk-provider',
    timeouts: DEFAULT_TIMEOUTS,
    ...rest,
  };
}

/** The smallest valid IR request (one user turn saying "Hi"), to be extended by each test. */
export function chatRequest(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model: 'gw-model',
    system: [],
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
    tools: [],
    stop: [],
    stream: false,
    unsupported: [],
    ...overrides,
  };
}

/**
 * Feeds raw SSE text through a parser into `decoder` in pieces of `sliceSize` characters (as a
 * network would cut it) and collects every IR event, those of `end()` included.
 */
export function decodeSse(decoder: StreamDecoder, raw: string, sliceSize = raw.length): StreamEvent[] {
  const parser = new SseParser();
  const events: StreamEvent[] = [];
  for (let at = 0; at < raw.length; at += Math.max(1, sliceSize)) {
    for (const event of parser.push(raw.slice(at, at + sliceSize))) events.push(...decoder.push(event));
  }
  events.push(...decoder.end());
  return events;
}

/** One `data:` line per chunk (JSON unless already a string), each ended by `separator`. */
export function sseData(chunks: readonly unknown[], separator = '\n\n'): string {
  return chunks.map((chunk) => `data: ${typeof chunk === 'string' ? chunk : JSON.stringify(chunk)}${separator}`).join('');
}

/** Pushes IR events into `encoder` and returns all it wrote, closed by `end()` or by `fail(close)`. */
export function encodeEvents(encoder: StreamEncoder, events: readonly StreamEvent[], close: 'end' | GatewayError = 'end'): string {
  const text = events.map((event) => encoder.push(event)).join('');
  return text + (close === 'end' ? encoder.end() : encoder.fail(close));
}

/** Runs `call`, which must throw a GatewayError, and returns that error for the test to inspect. */
export function thrownGatewayError(call: () => unknown): GatewayError {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error('expected a GatewayError');
}

/** An openai SDK client whose fetch answers with `answer(requestBody)`; `sent` collects the bodies it posted. */
export function fakeOpenAIClient(answer: (body: Record<string, unknown>) => Response): { sdk: OpenAI; sent: Array<Record<string, unknown>> } {
  const sent: Array<Record<string, unknown>> = [];
  const sdk = new OpenAI({
    apiKey: 'sk-test',
    baseURL: 'http://gateway.test/v1',
    maxRetries: 0,
    fetch: async (_url, init) => {
      const body = JSON.parse(String(init?.body ?? '{}')) as Record<string, unknown>;
      sent.push(body);
      return answer(body);
    },
  });
  return { sdk, sent };
}

/** Fakes only Date, set to `epochMs`, for every test of the enclosing describe block. */
export function freezeDate(epochMs: number): void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(epochMs);
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}
