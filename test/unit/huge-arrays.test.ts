import { describe, expect, it } from 'vitest';
import { openAIChatFormat } from '../../src/formats/openai-chat/index.js';
import { openAIResponsesFormat } from '../../src/formats/openai-responses/index.js';

// A client array of a few hundred thousand parts used to be spread into push(...parts) and
// overflow the stack: a RangeError, so a 500. It must decode (or be refused as a 400), never throw that.
const MANY = 300_000;

describe('client arrays far larger than any real request', () => {
  it('decodes a Chat Completions system message of 300,000 parts', () => {
    const parts = Array.from({ length: MANY }, () => ({ type: 'text', text: 'x' }));
    const request = openAIChatFormat.decodeRequest({ model: 'm', messages: [{ role: 'system', content: parts }, { role: 'user', content: 'hi' }] });
    expect(request.system).toHaveLength(MANY);
  });

  it('decodes a Responses input whose consecutive messages merge into 300,000 parts', () => {
    const input = Array.from({ length: 3 }, () => ({ role: 'user', content: Array.from({ length: MANY / 3 }, () => ({ type: 'input_text', text: 'x' })) }));
    const request = openAIResponsesFormat.decodeRequest({ model: 'm', input });
    expect(request.messages[0]!.content).toHaveLength(MANY);
  });

  it('filters 20,000 tools by 20,000 allowed names without a quadratic scan', () => {
    const tools = Array.from({ length: 20_000 }, (_, i) => ({ type: 'function', name: `t${i}`, parameters: { type: 'object', properties: {} } }));
    const allowed = tools.filter((_, i) => i % 2 === 0).map((t) => ({ type: 'function', name: t.name }));
    const request = openAIResponsesFormat.decodeRequest({ model: 'm', input: 'hi', tools, tool_choice: { type: 'allowed_tools', mode: 'auto', tools: allowed } });
    expect(request.tools).toHaveLength(10_000);
  });
});
