import { describe, expect, it } from 'vitest';
import { anthropicMessagesFormat } from '../../../../src/formats/anthropic-messages/index.js';
import { chatRequest, fixtureReader, thrownGatewayError } from '../../../support/codec-helpers.js';

const { fixtureJson: fixture } = fixtureReader('formats/anthropic-messages');

const decode = anthropicMessagesFormat.decodeRequest;
const base = { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] };

const refusal = (body: Record<string, unknown>) => thrownGatewayError(() => decode(body));

describe('anthropic messages: decodeRequest', () => {
  it('decodes a rich request exactly', () => {
    expect(decode(fixture('request-rich.json'))).toStrictEqual(fixture('request-rich.ir.json'));
  });

  it('decodes a minimal request with string system and content', () => {
    expect(decode({ model: 'm', max_tokens: 5, system: 'Be nice.', messages: [{ role: 'user', content: 'Hi' }] })).toStrictEqual(
      chatRequest({ model: 'm', system: [{ type: 'text', text: 'Be nice.' }], messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], maxOutputTokens: 5 }),
    );
  });

  it('accepts count_tokens bodies (no max_tokens)', () => {
    const request = decode({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], tools: [{ name: 't', input_schema: { type: 'object' } }] });
    expect(request.maxOutputTokens).toBeUndefined();
    expect(request.tools).toStrictEqual([{ name: 't', parameters: { type: 'object' } }]);
  });

  it('maps every tool_choice', () => {
    expect(decode({ ...base, tool_choice: { type: 'auto' } }).toolChoice).toStrictEqual({ type: 'auto' });
    expect(decode({ ...base, tool_choice: { type: 'none' } }).toolChoice).toStrictEqual({ type: 'none' });
    const forced = decode({ ...base, tool_choice: { type: 'tool', name: 'get_weather', disable_parallel_tool_use: true } });
    expect(forced.toolChoice).toStrictEqual({ type: 'tool', name: 'get_weather' });
    expect(forced.parallelToolCalls).toBe(false);
    expect(decode({ ...base, tool_choice: { type: 'auto', disable_parallel_tool_use: false } }).parallelToolCalls).toBeUndefined();
    expect(refusal({ ...base, tool_choice: { type: 'sometimes' } }).options.param).toBe('tool_choice.type');
  });

  it('maps thinking configurations and output_config.effort', () => {
    expect(decode({ ...base, thinking: { type: 'enabled', budget_tokens: 2048 } }).reasoning).toStrictEqual({ enabled: true, budgetTokens: 2048, effort: 'low' });
    expect(decode({ ...base, thinking: { type: 'disabled' } }).reasoning).toStrictEqual({ enabled: false });
    expect(decode({ ...base, thinking: { type: 'adaptive' } }).reasoning).toStrictEqual({ enabled: true });
    expect(decode({ ...base, thinking: { type: 'adaptive' }, output_config: { effort: 'medium' } }).reasoning).toStrictEqual({ enabled: true, effort: 'medium' });
    expect(decode({ ...base, thinking: { type: 'enabled', budget_tokens: 30000 }, output_config: { effort: 'low' } }).reasoning).toStrictEqual({
      enabled: true,
      budgetTokens: 30000,
      effort: 'low',
    });
    const max = decode({ ...base, output_config: { effort: 'max' } });
    expect(max.reasoning).toStrictEqual({ enabled: true, effort: 'high' });
    expect(max.unsupported).toStrictEqual(['output_config.effort']);
    const omitted = decode({ ...base, thinking: { type: 'enabled', budget_tokens: 1024, display: 'omitted' } });
    expect(omitted.unsupported).toStrictEqual(['thinking.display']);
    expect(decode(base).reasoning).toBeUndefined();
    expect(refusal({ ...base, thinking: { type: 'enabled' } }).options.param).toBe('thinking.budget_tokens');
  });

  it('maps structured output (output_config.format and the beta output_format)', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false };
    const expected = { type: 'json_schema', name: 'output', schema, strict: true };
    expect(decode({ ...base, output_config: { format: { type: 'json_schema', schema } } }).responseFormat).toStrictEqual(expected);
    expect(decode({ ...base, output_format: { type: 'json_schema', schema } }).responseFormat).toStrictEqual(expected);
    expect(refusal({ ...base, output_config: { format: { type: 'xml' } } }).options.param).toBe('output_config.format.type');
  });

  it('moves system-role messages into the system prompt, reporting one that lost its place', () => {
    const leading = decode({ ...base, system: 'A', messages: [{ role: 'system', content: 'B' }, { role: 'user', content: 'Hi' }] });
    expect(leading.system).toStrictEqual([
      { type: 'text', text: 'A' },
      { type: 'text', text: 'B' },
    ]);
    expect(leading.unsupported).toStrictEqual([]);
    const late = decode({ ...base, messages: [{ role: 'user', content: 'Hi' }, { role: 'system', content: [{ type: 'text', text: 'C' }] }] });
    expect(late.system).toStrictEqual([{ type: 'text', text: 'C' }]);
    expect(late.messages).toHaveLength(1);
    expect(late.unsupported).toStrictEqual(['messages.role:system']);
  });

  it('restores a model\'s unparsable arguments that the gateway answered as {"_raw": …}', () => {
    const request = decode({
      ...base,
      messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: { _raw: '{"city":' } }] }],
    });
    expect(request.messages[0]?.content).toStrictEqual([{ type: 'tool_call', id: 't1', name: 'f', arguments: '{"city":' }]);
  });

  it('refuses Anthropic server and client-defined tools with a 400', () => {
    for (const tool of [
      { type: 'web_search_20250305', name: 'web_search', max_uses: 5 },
      { type: 'bash_20250124', name: 'bash' },
      { type: 'text_editor_20250728', name: 'str_replace_based_edit_tool' },
      { type: 'code_execution_20250825', name: 'code_execution' },
    ]) {
      const error = refusal({ ...base, tools: [{ name: 'ok', input_schema: { type: 'object' } }, tool] });
      expect(error.code).toBe('invalid_request');
      expect(error.status).toBe(400);
      expect(error.options.param).toBe('tools.1.type');
      expect(error.message).toContain(tool.type);
    }
  });

  it('refuses Anthropic-only content blocks with a 400 naming the block', () => {
    const cases: Array<[unknown, string]> = [
      [{ role: 'assistant', content: [{ type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } }] }, 'messages.0.content.0.type'],
      [{ role: 'user', content: [{ type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] }] }, 'messages.0.content.0.type'],
      [{ role: 'user', content: [{ type: 'search_result', source: 'https://a', title: 'A', content: [{ type: 'text', text: 'x' }] }] }, 'messages.0.content.0.type'],
      [{ role: 'user', content: [{ type: 'container_upload', file_id: 'file_1' }] }, 'messages.0.content.0.type'],
      [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'file_1' } }] }, 'messages.0.content.0.source'],
      [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'search_result', source: 's', title: 't', content: [] }] }] }, 'messages.0.content.0.content.0.type'],
      [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'x' } }] }] }, 'messages.0.content.0.content.0.type'],
      [{ role: 'user', content: [{ type: 'hologram' }] }, 'messages.0.content.0.type'],
    ];
    for (const [message, param] of cases) {
      const error = refusal({ ...base, messages: [message] });
      expect(error.code).toBe('invalid_request');
      expect(error.options.param).toBe(param);
    }
    expect(refusal({ ...base, messages: [{ role: 'user', content: [{ type: 'server_tool_use' }] }] }).message).toContain("specific to Anthropic's servers");
  });

  it('rejects malformed bodies with invalid_request, never a crash', () => {
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ max_tokens: 1, messages: [] }, 'model'],
      [{ model: 'm', max_tokens: 1 }, 'messages'],
      [{ model: 'm', max_tokens: 1, messages: 'hi' }, 'messages'],
      [{ model: 'm', max_tokens: 1, messages: [null] }, 'messages.0'],
      [{ model: 'm', max_tokens: 1, messages: [{ role: 'bot', content: 'x' }] }, 'messages.0.role'],
      [{ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 42 }] }, 'messages.0.content'],
      [{ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: [{ type: 'text' }] }] }, 'messages.0.content.0.text'],
      [{ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', data: 'x' } }] }] }, 'messages.0.content.0.source.media_type'],
      [{ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: [{ type: 'tool_result' }] }] }, 'messages.0.content.0.tool_use_id'],
      [{ ...base, max_tokens: '10' }, 'max_tokens'],
      [{ ...base, temperature: 'hot' }, 'temperature'],
      [{ ...base, system: [{ type: 'image' }] }, 'system.0.type'],
      [{ ...base, tools: [{ name: 'f' }] }, 'tools.0.input_schema'],
      [{ ...base, stop_sequences: [1] }, 'stop_sequences.0'],
      [{ ...base, metadata: 'u' }, 'metadata'],
      [{ ...base, stream: 'yes' }, 'stream'],
    ];
    for (const [body, param] of bad) {
      const error = refusal(body);
      expect(error.code, param).toBe('invalid_request');
      expect(error.options.param).toBe(param);
    }
  });

  it('reports unknown parameters and Anthropic-only tool options, ignoring null ones', () => {
    const request = decode({
      ...base,
      speed: 'fast',
      diagnostics: { previous_message_id: 'msg_1' },
      container: null,
      metadata: { user_id: null, team: 'a' },
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi', citations: [{ type: 'char_location' }] }] }],
      tools: [{ name: 'f', input_schema: { type: 'object' }, defer_loading: true, allowed_callers: ['code_execution_20250825'] }],
    });
    expect(request.unsupported).toStrictEqual(['content.text.citations', 'tools.defer_loading', 'tools.allowed_callers', 'metadata.team', 'speed', 'diagnostics']);
    expect(request.user).toBeUndefined();
  });
});

describe('anthropic-beta on a translated call', () => {
  it('reports the betas only Anthropic can honour, and not the ones that change nothing elsewhere', () => {
    const headers = new Headers({
      'anthropic-beta': 'interleaved-thinking-2025-05-14, fine-grained-tool-streaming-2025-05-14,code-execution-2025-08-25,files-api-2025-04-14,claude-code-20250219',
    });
    const decoded = anthropicMessagesFormat.decodeRequest({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }, headers);
    expect(decoded.unsupported).toEqual(['anthropic-beta:code-execution-2025-08-25', 'anthropic-beta:files-api-2025-04-14']);
    expect(anthropicMessagesFormat.decodeRequest({ model: 'm', max_tokens: 10, messages: [] }).unsupported).toEqual([]);
  });
});
