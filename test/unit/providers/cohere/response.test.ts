import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../src/errors.js';
import { cohereChat, readCohereError } from '../../../../src/providers/cohere/index.js';
import { cohereUsage } from '../../../../src/providers/cohere/response.js';
import { freezeDate, thrownGatewayError } from '../../../support/codec-helpers.js';
import { fixtureJson } from './helpers.js';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

describe('cohere chat response', () => {
  freezeDate(NOW);

  it('decodes a text answer with billed usage', () => {
    expect(cohereChat.decodeResponse(fixtureJson('chat-text.json'))).toEqual({
      id: 'c14c80c3-18eb-4519-9460-6c92edd8cfb4',
      model: '',
      created: NOW / 1000,
      content: [
        {
          type: 'text',
          text: 'LLMs stand for Large Language Models, which are a type of neural network model specialized in processing and generating human language.',
        },
      ],
      stopReason: 'end_turn',
      usage: { inputTokens: 5, outputTokens: 418, cachedInputTokens: 0, cacheWriteTokens: 0 },
    });
  });

  it('decodes tool calls, their plan as text ahead of them, and caps cached tokens at the billed input', () => {
    expect(cohereChat.decodeResponse(fixtureJson('chat-tool-call.json'))).toEqual({
      id: '5ee6e6d0-8f4b-4b43-a3d2-7b6a0c2e2a51',
      model: '',
      created: NOW / 1000,
      content: [
        { type: 'text', text: 'I will use the query_daily_sales_report tool to find the sales summary for 29th September 2023.' },
        { type: 'tool_call', id: 'query_daily_sales_report_j3f0adww9pmr', name: 'query_daily_sales_report', arguments: '{"day": "2023-09-29"}' },
        { type: 'tool_call', id: 'query_product_catalog_c66nf11r6s8g', name: 'query_product_catalog', arguments: '{"category": "Electronics"}' },
      ],
      stopReason: 'tool_use',
      usage: { inputTokens: 126, outputTokens: 84, cachedInputTokens: 126, cacheWriteTokens: 0 },
    });
  });

  it('decodes thinking content ahead of tool calls', () => {
    const response = cohereChat.decodeResponse(fixtureJson('chat-thinking-tool-call.json'));
    expect(response.content).toEqual([
      {
        type: 'thinking',
        text: "I will first find the sales summary for 29th September 2023. Then, I will find the details of the products in the 'Electronics' category.",
      },
      { type: 'tool_call', id: 'query_daily_sales_report_hgxxmkby3wta', name: 'query_daily_sales_report', arguments: '{"day": "2023-09-29"}' },
      { type: 'tool_call', id: 'query_product_catalog_rpg0z5h8yyz2', name: 'query_product_catalog', arguments: '{"category": "Electronics"}' },
    ]);
    expect(response.stopReason).toBe('tool_use');
    expect(response.usage).toEqual({ inputTokens: 127, outputTokens: 69, cachedInputTokens: 0, cacheWriteTokens: 0 });
  });

  it('maps every finish reason', () => {
    const reason = (finish_reason: string) =>
      cohereChat.decodeResponse({ id: 'x', finish_reason, message: { role: 'assistant', content: [] } }).stopReason;
    expect(reason('COMPLETE')).toBe('end_turn');
    expect(reason('STOP_SEQUENCE')).toBe('stop_sequence');
    expect(reason('MAX_TOKENS')).toBe('max_tokens');
    expect(reason('TOOL_CALL')).toBe('tool_use');
    expect(reason('TIMEOUT')).toBe('max_tokens');
    expect(reason('SOMETHING_NEW')).toBe('end_turn');
  });

  it('turns finish_reason ERROR into an upstream error', () => {
    const body = { id: 'x', finish_reason: 'ERROR', message: { role: 'assistant', content: [] } };
    expect(() => cohereChat.decodeResponse(body)).toThrow(GatewayError);
    expect(() => cohereChat.decodeResponse(body)).toThrow(/generation failed/);
  });

  it('refuses bodies that are not v2 chat answers', () => {
    for (const body of [null, 'text', [], { id: 'x' }, { finish_reason: 'COMPLETE' }, { message: {}, finish_reason: 3 }]) {
      expect(thrownGatewayError(() => cohereChat.decodeResponse(body)).code).toBe('upstream_error');
    }
  });

  it('skips odd content items and fills odd tool calls with empty strings', () => {
    const response = cohereChat.decodeResponse({
      id: 7,
      finish_reason: 'TOOL_CALL',
      message: { content: [null, { type: 'image' }, { type: 'text', text: 3 }, { type: 'text', text: 'ok' }], tool_calls: [null, { function: 'x' }] },
      usage: 'none',
    });
    expect(response.id).toBe('');
    expect(response.content).toEqual([
      { type: 'text', text: 'ok' },
      { type: 'tool_call', id: '', name: '', arguments: '' },
    ]);
    expect(response).not.toHaveProperty('usage');
  });
});

describe('cohere usage', () => {
  it('prefers billed units, falls back to tokens per field', () => {
    expect(cohereUsage({ tokens: { input_tokens: 70, output_tokens: 2 } })).toEqual({
      inputTokens: 70,
      outputTokens: 2,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
    });
    expect(cohereUsage({ billed_units: { input_tokens: 9 }, tokens: { input_tokens: 70, output_tokens: 3 }, cached_tokens: 4 })).toEqual({
      inputTokens: 9,
      outputTokens: 3,
      cachedInputTokens: 4,
      cacheWriteTokens: 0,
    });
    expect(cohereUsage({ cached_tokens: 4 })).toBeUndefined();
    expect(cohereUsage(undefined)).toBeUndefined();
  });
});

describe('cohere errors', () => {
  it('reads the message of an error body', () => {
    expect(readCohereError(fixtureJson('error.json'))).toEqual({
      message: 'invalid request: temperature must be between 0 and 1.0 inclusive.',
    });
    expect(readCohereError({ message: 'no id here' })).toEqual({ message: 'no id here' });
    expect(readCohereError({ message: { detail: 'x' } })).toEqual({ message: '{"detail":"x"}' });
  });

  it('reads nothing from bodies without a message', () => {
    expect(readCohereError({ id: 'x' })).toBeUndefined();
    expect(readCohereError('oops')).toBeUndefined();
    expect(readCohereError(null)).toBeUndefined();
  });
});
