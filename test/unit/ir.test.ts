import { describe, expect, it } from 'vitest';
import type { StoredProject } from '../../src/config/schemas.js';
import type { ResolvedModel } from '../../src/config/state.js';
import { GatewayError } from '../../src/errors.js';
import { argumentsObject, argumentsText } from '../../src/ir/arguments.js';
import type { ChatRequest } from '../../src/ir/chat.js';
import { budgetForEffort, effortForBudget } from '../../src/ir/reasoning.js';
import { estimateInputTokens } from '../../src/ir/token-estimate.js';
import { mergeUsage } from '../../src/ir/usage.js';
import { unsupportedParamsHeaders } from '../../src/proxy/warnings.js';

const project = (strict?: boolean) => ({ id: 'prj', name: 'p', models: [], tokens: [], createdAt: '', updatedAt: '', rejectUnsupportedParams: strict }) as StoredProject;
const model = { config: { id: 'claude', provider: 'anthropic' } } as ResolvedModel;

describe('x-routerly-warnings', () => {
  it('lists each unsupported parameter once, by the name a client reads', () => {
    expect(unsupportedParamsHeaders(['logprobs', 'topK', 'logprobs', 'content:image:url'], project(), model)).toEqual({
      'x-routerly-warnings': 'unsupported:logprobs, unsupported:top_k, unsupported:content:image:url',
    });
  });

  it('adds nothing when nothing was left out', () => {
    expect(unsupportedParamsHeaders([], project(), model)).toEqual({});
  });

  it('keeps only header-safe characters of names that came from the client', () => {
    const header = unsupportedParamsHeaders(['evil\r\nset-cookie: x', 'a'.repeat(200)], project(), model)['x-routerly-warnings']!;
    expect(header).toBe(`unsupported:evilset-cookie:x, unsupported:${'a'.repeat(64)}`);
    expect(() => new Headers({ 'x-routerly-warnings': header })).not.toThrow();
  });

  it('is a 400 naming every parameter for a project that refuses them', () => {
    let thrown: unknown;
    try {
      unsupportedParamsHeaders(['logprobs', 'seed'], project(true), model);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GatewayError);
    expect((thrown as GatewayError).status).toBe(400);
    expect((thrown as GatewayError).message).toBe('no equivalent on anthropic model "claude" for: logprobs, seed (this project refuses such requests)');
    expect((thrown as GatewayError).options.param).toBe('logprobs');
  });
});

describe('count_tokens estimate', () => {
  const base: ChatRequest = { model: 'm', system: [], messages: [], tools: [], stop: [], stream: false, unsupported: [] };

  it('counts 4 bytes of UTF-8 a token, 3 a message, 1600 an image, and tool JSON', () => {
    const request: ChatRequest = {
      ...base,
      system: [{ type: 'text', text: 'abcdefgh' }], // 2
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'héllo' }, // 6 bytes: 2
            { type: 'image', source: { type: 'url', url: 'https://x/y.png' } }, // 1600
          ],
        }, // +3
        { role: 'assistant', content: [{ type: 'tool_call', id: 'c', name: 'abcd', arguments: '{}' }] }, // 1 + 1 + 3
      ],
      tools: [{ name: 't', parameters: {} }],
    };
    const toolJson = Math.ceil(JSON.stringify(request.tools).length / 4);
    expect(estimateInputTokens(request)).toBe(2 + 2 + 1600 + 3 + 1 + 1 + 3 + toolJson);
  });

  it('counts a base64 document by its decoded size', () => {
    const request: ChatRequest = {
      ...base,
      messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', mediaType: 'application/pdf', data: 'A'.repeat(160) } }] }],
    };
    expect(estimateInputTokens(request)).toBe(3 + 30);
  });
});

describe('IR helpers', () => {
  it('maps efforts and budgets through one table', () => {
    expect(budgetForEffort('low')).toBe(2048);
    expect(budgetForEffort('high')).toBe(24576);
    expect(effortForBudget(1024)).toBe('low');
    expect(effortForBudget(2049)).toBe('medium');
    expect(effortForBudget(8192)).toBe('medium');
    expect(effortForBudget(8193)).toBe('high');
  });

  it('folds running usage totals field by field', () => {
    const start = { inputTokens: 10, outputTokens: 0, cachedInputTokens: 4, cacheWriteTokens: 0 };
    expect(mergeUsage(undefined, start)).toBe(start);
    expect(mergeUsage(start, { inputTokens: 0, outputTokens: 7, cachedInputTokens: 0, cacheWriteTokens: 2 })).toEqual({
      inputTokens: 10,
      outputTokens: 7,
      cachedInputTokens: 4,
      cacheWriteTokens: 2,
    });
  });

  it('keeps tool arguments that are not a JSON object instead of losing them', () => {
    expect(argumentsObject('{"a":1}')).toEqual({ a: 1 });
    expect(argumentsObject('')).toEqual({});
    expect(argumentsObject('{"a":')).toEqual({ _raw: '{"a":' });
    expect(argumentsObject('[1]')).toEqual({ _raw: '[1]' });
    expect(argumentsText({ a: 1 })).toBe('{"a":1}');
  });
});

describe('count_tokens with a real tokenizer', () => {
  it('counts OpenAI text with o200k_base, as tiktoken does', async () => {
    const { loadOpenAITokenizer } = await import('../../adapters/node/tokenizer.js');
    const countText = await loadOpenAITokenizer();
    expect(countText('hello world')).toBe(2);
    const request: ChatRequest = {
      model: 'm',
      system: [{ type: 'text', text: 'You are terse.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hello world' }] }],
      tools: [],
      stop: [],
      stream: false,
      unsupported: [],
    };
    expect(estimateInputTokens(request, countText)).toBe(countText('You are terse.') + 3 + 2);
    expect(estimateInputTokens(request, countText)).not.toBe(estimateInputTokens(request));
  });
});
