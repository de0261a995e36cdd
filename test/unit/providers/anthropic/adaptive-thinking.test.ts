import { describe, expect, it } from 'vitest';
import type { ResolvedModel } from '../../../../src/config/state.js';
import type { ChatRequest } from '../../../../src/ir/chat.js';
import { anthropicChat } from '../../../../src/providers/anthropic/index.js';
import { chatRequest } from '../../../support/codec-helpers.js';
import { claudeModel } from './helpers.js';

const claude = (adaptiveThinking: boolean): ResolvedModel =>
  claudeModel({ upstreamModel: 'claude-opus-4-7', config: { capabilities: { adaptiveThinking } } });

const request = (reasoning: ChatRequest['reasoning'], extra: Partial<ChatRequest> = {}): ChatRequest =>
  chatRequest({ model: 'claude', messages: [{ role: 'user', content: [{ type: 'text', text: 'think' }] }], reasoning, ...extra });

const body = (model: ResolvedModel, ir: ChatRequest) => JSON.parse(anthropicChat.encodeRequest(ir, model, new Headers()).request.body);

describe('Anthropic thinking modes', () => {
  it('asks a model that thinks adaptively for an effort, never a budget', () => {
    const sent = body(claude(true), request({ enabled: true, effort: 'high' }, { responseFormat: { type: 'json_schema', name: 'x', schema: { type: 'object' } } }));
    expect(sent.thinking).toEqual({ type: 'adaptive' });
    expect(sent.output_config).toEqual({
      effort: 'high',
      format: { type: 'json_schema', schema: { type: 'object', properties: {}, additionalProperties: false } },
    });
    expect(sent.max_tokens).toBe(24576 + 4096);
  });

  it('reads the effort from a budget, and sends minimal as low', () => {
    expect(body(claude(true), request({ enabled: true, budgetTokens: 4000 })).output_config).toEqual({ effort: 'medium' });
    expect(body(claude(true), request({ enabled: true, effort: 'minimal' })).output_config).toEqual({ effort: 'low' });
  });

  it('keeps budget_tokens for models that take them', () => {
    const sent = body(claude(false), request({ enabled: true, effort: 'low' }));
    expect(sent.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
    expect(sent).not.toHaveProperty('output_config');
  });

  it('reports temperature dropped under adaptive thinking as under budgeted thinking', () => {
    const encoded = anthropicChat.encodeRequest(request({ enabled: true, effort: 'low' }, { temperature: 0.2 }), claude(true), new Headers());
    expect(encoded.dropped).toContain('temperature');
  });
});
