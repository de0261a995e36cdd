import type { StreamBlock, StreamEvent } from '../../ir/chat.js';
import type { StreamDecoder } from '../../ir/codec.js';
import type { SseEvent } from '../../sse/parser.js';
import { count, isRecord } from '../shared.js';
import { contentParts, reasoningText, stopReasonOf } from './decode.js';
import { openAIStreamError } from './errors.js';
import { openAIUsage } from './response.js';

type OpenBlock = { kind: 'text' | 'thinking'; index: number } | { kind: 'tool'; index: number; key: number };

/**
 * Reads a Chat Completions stream into IR events. Chunks carry deltas of one message; the
 * IR wants numbered blocks, so one block is open at a time (as Anthropic's wire needs) and a
 * delta of another kind closes it. Each tool call is its own block, found by the `index` it
 * has in `delta.tool_calls` (or a new `id` at a known index: some vendors number every call 0).
 * Only the first choice is read; chunks are read field by field, never rebuilt.
 */
export function createOpenAIStreamDecoder(): StreamDecoder {
  let started = false;
  let finished = false;
  let ended = false;
  let open: OpenBlock | undefined;
  let nextIndex = 0;
  let sawToolCall = false;
  let refused = false;
  const tools = new Map<number, { id: string; block: number }>();

  function close(out: StreamEvent[]): void {
    if (open) out.push({ type: 'block_stop', index: open.index });
    open = undefined;
  }

  function openBlock(out: StreamEvent[], block: StreamBlock): number {
    close(out);
    const index = nextIndex++;
    out.push({ type: 'block_start', index, block });
    return index;
  }

  function textDelta(out: StreamEvent[], kind: 'text' | 'thinking', text: string): void {
    if (text === '') return;
    if (open?.kind !== kind) open = { kind, index: openBlock(out, { type: kind }) };
    out.push(kind === 'text' ? { type: 'text_delta', index: open.index, text } : { type: 'thinking_delta', index: open.index, text });
  }

  function reasoningDetails(out: StreamEvent[], details: unknown[]): void {
    for (const detail of details) {
      if (!isRecord(detail)) continue;
      if (detail.type === 'reasoning.encrypted' && typeof detail.data === 'string') {
        const index = openBlock(out, { type: 'redacted_thinking', data: detail.data });
        out.push({ type: 'block_stop', index });
        continue;
      }
      const text = detail.type === 'reasoning.summary' ? detail.summary : detail.text;
      if (typeof text === 'string') textDelta(out, 'thinking', text);
      if (typeof detail.signature === 'string' && detail.signature !== '') {
        if (open?.kind !== 'thinking') open = { kind: 'thinking', index: openBlock(out, { type: 'thinking' }) };
        out.push({ type: 'signature_delta', index: open.index, signature: detail.signature });
      }
    }
  }

  function toolCallDeltas(out: StreamEvent[], calls: unknown[]): void {
    calls.forEach((call, position) => {
      if (!isRecord(call) || (call.type !== undefined && call.type !== 'function')) return;
      const fn = isRecord(call.function) ? call.function : {};
      const key = typeof call.index === 'number' ? call.index : position;
      const id = typeof call.id === 'string' && call.id !== '' ? call.id : undefined;
      const known = tools.get(key);
      if (!known || (id !== undefined && id !== known.id)) {
        const name = typeof fn.name === 'string' ? fn.name : '';
        const block = openBlock(out, { type: 'tool_call', id: id ?? '', name });
        tools.set(key, { id: id ?? '', block });
        open = { kind: 'tool', index: block, key };
        sawToolCall = true;
      } else if (open?.kind !== 'tool' || open.index !== known.block) {
        // A call's arguments never resume after another block began (OpenAI streams calls
        // one after the other); a block cannot reopen, so such a piece has nowhere to go.
        return;
      }
      if (typeof fn.arguments === 'string' && fn.arguments !== '' && open) {
        out.push({ type: 'arguments_delta', index: open.index, json: fn.arguments });
      }
    });
  }

  function readChoice(out: StreamEvent[], choice: Record<string, unknown>): void {
    const delta = isRecord(choice.delta) ? choice.delta : {};
    if (Array.isArray(delta.reasoning_details) && delta.reasoning_details.length > 0) {
      // OpenRouter sends the same reasoning as `reasoning` text too: read it once.
      reasoningDetails(out, delta.reasoning_details);
    } else {
      textDelta(out, 'thinking', reasoningText(delta) ?? '');
    }
    if (Array.isArray(delta.content)) {
      for (const chunk of delta.content) {
        const { text, thinking } = contentParts([chunk]);
        for (const part of thinking) if (part.type === 'thinking') textDelta(out, 'thinking', part.text);
        textDelta(out, 'text', text);
      }
    } else if (typeof delta.content === 'string') {
      textDelta(out, 'text', delta.content);
    }
    if (typeof delta.refusal === 'string' && delta.refusal !== '') {
      refused = true;
      textDelta(out, 'text', delta.refusal);
    }
    if (Array.isArray(delta.tool_calls)) toolCallDeltas(out, delta.tool_calls);
    if (typeof choice.finish_reason === 'string') finish(out, choice.finish_reason);
  }

  function finish(out: StreamEvent[], finishReason: string | undefined): void {
    close(out);
    if (!started || finished) return;
    finished = true;
    out.push({ type: 'finish', stopReason: refused ? 'refusal' : stopReasonOf(finishReason, sawToolCall) });
  }

  function complete(): StreamEvent[] {
    const out: StreamEvent[] = [];
    finish(out, undefined);
    ended = true;
    return out;
  }

  return {
    push(event: SseEvent): StreamEvent[] {
      if (ended) return [];
      const data = event.data.trim();
      if (data === '[DONE]') return complete();
      let chunk: unknown;
      try {
        chunk = JSON.parse(data);
      } catch {
        // Not a chunk (a vendor's keep-alive or comment-like line): nothing to read in it.
        return [];
      }
      if (!isRecord(chunk)) return [];
      const out: StreamEvent[] = [];
      const failure = openAIStreamError(chunk);
      if (failure) {
        close(out);
        ended = true;
        out.push(failure);
        return out;
      }
      if (!started) {
        started = true;
        out.push({
          type: 'start',
          id: typeof chunk.id === 'string' ? chunk.id : '',
          model: typeof chunk.model === 'string' ? chunk.model : '',
          created: count(chunk.created),
        });
      }
      const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
      const choice: unknown = choices.find((c) => isRecord(c) && (c.index === undefined || c.index === 0));
      if (isRecord(choice) && !finished) readChoice(out, choice);
      // Groq reports stream usage under `x_groq` rather than `usage`.
      const usage = openAIUsage(chunk.usage) ?? (isRecord(chunk.x_groq) ? openAIUsage(chunk.x_groq.usage) : undefined);
      if (usage) out.push({ type: 'usage', usage });
      return out;
    },
    /** Closes what is open and finishes a stream that never said why it stopped (an upstream that hung up, or no `[DONE]`). */
    end(): StreamEvent[] {
      return ended ? [] : complete();
    },
  };
}
