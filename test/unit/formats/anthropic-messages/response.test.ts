import { describe, expect, it } from 'vitest';
import type { ChatResponse } from '../../../../src/ir/chat.js';
import { anthropicMessagesFormat, encodeCountTokensResponse } from '../../../../src/formats/anthropic-messages/index.js';
import { fixtureReader } from '../../../support/codec-helpers.js';

const { fixtureJson } = fixtureReader('formats/anthropic-messages');

interface ResponseCase {
  name: string;
  body: Record<string, unknown>;
  ir: ChatResponse;
  expected: unknown;
}

const cases = fixtureJson<ResponseCase[]>('responses.json');

describe('anthropic messages: encodeResponse', () => {
  for (const testCase of cases) {
    it(testCase.name, () => {
      expect(anthropicMessagesFormat.encodeResponse(testCase.ir, testCase.body)).toStrictEqual(testCase.expected);
    });
  }

  it('maps every IR stop reason', () => {
    const base = cases[0]!;
    const reasons = { end_turn: 'end_turn', max_tokens: 'max_tokens', stop_sequence: 'stop_sequence', tool_use: 'tool_use', pause_turn: 'pause_turn', refusal: 'refusal', content_filter: 'refusal' } as const;
    for (const [ir, anthropic] of Object.entries(reasons)) {
      const encoded = anthropicMessagesFormat.encodeResponse({ ...base.ir, stopReason: ir as ChatResponse['stopReason'] }, base.body) as { stop_reason: string };
      expect(encoded.stop_reason).toBe(anthropic);
    }
  });

  it('gives an answer without an id a fresh msg_ id', () => {
    const encoded = anthropicMessagesFormat.encodeResponse({ ...cases[0]!.ir, id: '' }, {}) as { id: string };
    expect(encoded.id).toMatch(/^msg_[0-9a-f]{32}$/);
  });

  it('encodes a count_tokens answer', () => {
    expect(encodeCountTokensResponse(1234)).toStrictEqual({ input_tokens: 1234 });
  });
});
