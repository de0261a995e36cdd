import { describe, expect, it } from 'vitest';
import { OPENAI_COMPATIBLE_VENDORS, openAICompatibleChat } from '../../../../src/providers/openai/index.js';
import { chatRequest, resolvedModel } from '../../../support/codec-helpers.js';

const thinking = chatRequest({ reasoning: { enabled: true, budgetTokens: 4000 } });

function encode(vendor: keyof typeof OPENAI_COMPATIBLE_VENDORS, upstreamModel: string, canThink?: boolean) {
  const model = resolvedModel('openai', {
    upstreamModel,
    config: canThink === undefined ? {} : { capabilities: { thinking: canThink } },
  });
  const { request, dropped } = openAICompatibleChat(OPENAI_COMPATIBLE_VENDORS[vendor]).encodeRequest(thinking, model, new Headers());
  return { body: JSON.parse(request.body), dropped };
}

describe('reasoning for models that may not reason', () => {
  it('sends reasoning_effort to OpenAI reasoning models by name', () => {
    for (const name of ['o4-mini', 'o3', 'gpt-5-mini', 'gpt-oss-120b']) {
      expect(encode('openai', name).body.reasoning_effort).toBe('medium');
    }
  });

  it('reports it dropped for models that would refuse it with a 400, rather than send it', () => {
    for (const name of ['gpt-4.1', 'gpt-4o-mini']) {
      const { body, dropped } = encode('openai', name);
      expect(body).not.toHaveProperty('reasoning_effort');
      expect(dropped).toContain('reasoning');
    }
    expect(encode('xai', 'grok-4').dropped).toContain('reasoning');
    expect(encode('xai', 'grok-3-mini').body.reasoning_effort).toBe('high');
  });

  it("lets the model's capabilities.thinking decide over its name", () => {
    expect(encode('openai', 'my-finetune', true).body.reasoning_effort).toBe('medium');
    expect(encode('openai', 'o3', false).dropped).toContain('reasoning');
  });

  it('sends it as before to vendors whose reasoning models the gateway does not know by name', () => {
    expect(encode('ollama', 'qwen3').body.reasoning_effort).toBe('medium');
  });
});
