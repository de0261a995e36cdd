import type { StreamBlock, StreamEvent } from '../../ir/chat.js';
import type { StreamDecoder } from '../../ir/codec.js';
import { isRecord } from '../../json/record.js';
import type { SseEvent } from '../../sse/parser.js';
import { count } from '../shared.js';
import { contentParts, newToolCallId, reasoningText, stopReasonOf } from './decode.js';
import { endedEarly } from '../../ir/stream-errors.js';
import { openAIStreamError } from './errors.js';
import { openAIUsage } from './response.js';

type OpenBlock = { kind: 'text' | 'thinking'; index: number } | { kind: 'tool'; index: number; key: number };

/** A tool call seen in the stream: `block` once its block opened, `args` while it is held back. */
interface ToolCallState {
  id: string;
  /** Whether the vendor named the id (or it was made up here because the vendor sent none). */
  vendorId: boolean;
  name: string;
  block?: number;
  args: string;
}

const DONE = Symbol('done');
const KEEP_ALIVE = Symbol('keep-alive');
const NOT_JSON = Symbol('not JSON');
const NOT_JSON_MESSAGE = 'the provider sent a stream event that is not JSON';

/** One event's data as the decoder reads it: the end, a keep-alive, data that is not JSON, or the parsed JSON. */
function readEvent(event: SseEvent): typeof DONE | typeof KEEP_ALIVE | typeof NOT_JSON | unknown {
  const data = event.data.trim();
  if (data === '[DONE]') return DONE;
  // An empty data line is a keep-alive; comments never reach here (the SSE parser drops them).
  if (data === '') return KEEP_ALIVE;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return NOT_JSON;
  }
}

/**
 * The error a stream's first event reports, as a fresh decoder's first `push` reports it (the
 * start of every Chat Completions stream is judged by it, src/proxy/stream-start.ts): the same
 * reading of the event, without building the IR events a first chunk opens. Nothing else in a
 * first push yields an error; test/unit/providers pins the two to the same answers.
 */
export function openAIStreamStartError(event: SseEvent): { status: number; message: string } | undefined {
  const read = readEvent(event);
  if (read === NOT_JSON) return { status: 502, message: NOT_JSON_MESSAGE };
  if (read === DONE || read === KEEP_ALIVE || !isRecord(read)) return undefined;
  const failure = openAIStreamError(read);
  return failure?.type === 'error' ? { status: failure.status, message: failure.message } : undefined;
}

/**
 * Reads a Chat Completions stream into IR events. Chunks carry deltas of one message; the
 * IR wants numbered blocks, so one block is open at a time (as Anthropic's wire needs) and a
 * delta of another kind closes it. Each tool call is its own block, found by the `index` it
 * has in `delta.tool_calls` (or a new `id` at a known index: some vendors number every call 0).
 * Only the first choice is read; chunks are read field by field, never rebuilt.
 *
 * Only one tool call streams live. A call that begins while another is open is held back
 * and sent whole when the answer finishes: nothing says the open call is complete (vendors
 * may interleave the argument pieces of parallel calls by index), and a closed block
 * cannot take more arguments.
 */
export function createOpenAIStreamDecoder(): StreamDecoder {
  let started = false;
  let finished = false;
  let ended = false;
  let open: OpenBlock | undefined;
  let nextIndex = 0;
  let sawToolCall = false;
  let refused = false;
  const tools = new Map<number, ToolCallState>();
  const heldBack: ToolCallState[] = [];

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
      const name = typeof fn.name === 'string' ? fn.name : '';
      let tool = tools.get(key);
      if (!tool || (id !== undefined && tool.vendorId && id !== tool.id)) {
        tool = { id: id ?? newToolCallId(), vendorId: id !== undefined, name, args: '' };
        tools.set(key, tool);
        sawToolCall = true;
        // The call open at this same index is over (a vendor numbering every call 0 sends them one by one).
        const liveElsewhere = open?.kind === 'tool' && (open.key !== key || heldBack.length > 0);
        if (liveElsewhere) heldBack.push(tool);
        else {
          tool.block = openBlock(out, { type: 'tool_call', id: tool.id, name });
          open = { kind: 'tool', index: tool.block, key };
        }
      } else if (tool.block === undefined) {
        // Held back: an id or name a vendor sends after the call's first piece can still be used.
        if (id !== undefined && !tool.vendorId) Object.assign(tool, { id, vendorId: true });
        if (tool.name === '') tool.name = name;
      }
      const args = typeof fn.arguments === 'string' ? fn.arguments : '';
      if (args === '') return;
      if (tool.block === undefined) tool.args += args;
      else if (open?.kind === 'tool' && open.index === tool.block) out.push({ type: 'arguments_delta', index: tool.block, json: args });
      // Otherwise text came between (a closed block cannot reopen): the piece has nowhere to go.
    });
  }

  /** The calls held back, each as a whole block, in the order they began. */
  function flushHeldBack(out: StreamEvent[]): void {
    for (const tool of heldBack.splice(0)) {
      const index = openBlock(out, { type: 'tool_call', id: tool.id, name: tool.name });
      if (tool.args !== '') out.push({ type: 'arguments_delta', index, json: tool.args });
      out.push({ type: 'block_stop', index });
    }
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
    // Some vendors send `"finish_reason": ""` on every chunk until the real one.
    if (typeof choice.finish_reason === 'string' && choice.finish_reason !== '') finish(out, choice.finish_reason);
  }

  function finish(out: StreamEvent[], finishReason: string | undefined): void {
    close(out);
    flushHeldBack(out);
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
      const read = readEvent(event);
      if (read === DONE) return complete();
      if (read === KEEP_ALIVE) return [];
      if (read === NOT_JSON) {
        const out: StreamEvent[] = [];
        close(out);
        ended = true;
        out.push({ type: 'error', status: 502, message: NOT_JSON_MESSAGE, errorType: 'invalid_event' });
        return out;
      }
      const chunk = read;
      if (!isRecord(chunk)) return [];
      const out: StreamEvent[] = [];
      const failure = openAIStreamError(chunk);
      if (failure) {
        close(out);
        ended = true;
        out.push(failure);
        return out;
      }
      const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
      // Groq reports stream usage under `x_groq` rather than `usage`.
      const usage = openAIUsage(chunk.usage) ?? (isRecord(chunk.x_groq) ? openAIUsage(chunk.x_groq.usage) : undefined);
      // Azure opens with a chunk of prompt filter results and an empty id and model: the
      // answer's id, model and time come in the chunks after it.
      if (!started && choices.length === 0 && !usage) return [];
      if (!started) {
        started = true;
        out.push({
          type: 'start',
          id: typeof chunk.id === 'string' ? chunk.id : '',
          model: typeof chunk.model === 'string' ? chunk.model : '',
          created: count(chunk.created),
        });
      }
      const choice: unknown = choices.find((c) => isRecord(c) && (c.index === undefined || c.index === 0));
      if (isRecord(choice) && !finished) readChoice(out, choice);
      if (usage) out.push({ type: 'usage', usage });
      return out;
    },
    /**
     * The body ended. After a finish reason, a missing `[DONE]` is forgiven (some vendors omit
     * it); without one the answer was cut short, and that is an error, not a finish.
     */
    end(): StreamEvent[] {
      if (ended) return [];
      if (finished) return complete();
      const out: StreamEvent[] = [];
      close(out);
      ended = true;
      out.push(endedEarly('the provider'));
      return out;
    },
  };
}
