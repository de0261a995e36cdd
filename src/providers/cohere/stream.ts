import { GatewayError } from '../../errors.js';
import { endedEarly } from '../../ir/stream-errors.js';
import type { StreamBlock, StreamEvent } from '../../ir/chat.js';
import type { StreamDecoder } from '../../ir/codec.js';
import { isRecord } from '../../json/record.js';
import type { SseEvent } from '../../sse/parser.js';
import { cohereStopReason, cohereUsage, isCohereErrorFinish } from './response.js';

type Kind = 'text' | 'thinking';

/**
 * Reads a v2 Chat stream into IR events. Each SSE event names its kind twice (`event:` and
 * the data's `type`); the data's is read. Cohere numbers content blocks and tool calls in two
 * separate series (`content-start` index 0 and `tool-call-start` index 0 can both occur), so
 * IR indexes are handed out afresh in the order blocks open. `tool-plan-delta` has no start or
 * end event: its text becomes a text block (as in response.ts) that opens on the first piece
 * and closes when anything else begins. Citations and `debug` events are not carried.
 */
export function createCohereStreamDecoder(): StreamDecoder {
  let next = 0;
  let started = false;
  let finished = false;
  // Cohere sends one block at a time; keeping a single open block also spares client
  // encoders (Anthropic's) from interleaved blocks if it ever did not.
  let current: { key: string; index: number; kind: Kind | 'tool_call' } | undefined;

  const start = (id: unknown, out: StreamEvent[]) => {
    if (started) return;
    started = true;
    // v2 names no model: the caller fills it in, as for decodeCohereChatResponse.
    out.push({ type: 'start', id: typeof id === 'string' ? id : '', model: '', created: Math.floor(Date.now() / 1000) });
  };
  const closeCurrent = (out: StreamEvent[]) => {
    if (!current) return;
    out.push({ type: 'block_stop', index: current.index });
    current = undefined;
  };
  const close = (key: string, out: StreamEvent[]) => {
    if (current?.key === key) closeCurrent(out);
  };
  const openBlock = (key: string, block: { type: Kind } | Extract<StreamBlock, { type: 'tool_call' }>, out: StreamEvent[]) => {
    closeCurrent(out);
    const index = next++;
    current = { key, index, kind: block.type };
    out.push({ type: 'block_start', index, block });
    return index;
  };

  const onContentStart = (payload: Record<string, unknown>, out: StreamEvent[]) => {
    const content = deltaMessage(payload).content;
    const item = isRecord(content) ? content : {};
    const kind: Kind = item.type === 'thinking' || (item.type === undefined && typeof item.thinking === 'string') ? 'thinking' : 'text';
    const index = openBlock(`content:${indexOf(payload)}`, { type: kind }, out);
    // The start event may already carry the first characters.
    pushContent(index, kind, item, out);
  };
  const onContentDelta = (payload: Record<string, unknown>, out: StreamEvent[]) => {
    const content = deltaMessage(payload).content;
    const item = isRecord(content) ? content : {};
    const key = `content:${indexOf(payload)}`;
    if (current?.key !== key) {
      // A delta without its start: open the block it implies rather than lose the text.
      const kind: Kind = typeof item.thinking === 'string' && typeof item.text !== 'string' ? 'thinking' : 'text';
      openBlock(key, { type: kind }, out);
    }
    if (current && current.kind !== 'tool_call') pushContent(current.index, current.kind, item, out);
  };
  const onPlanDelta = (payload: Record<string, unknown>, out: StreamEvent[]) => {
    const plan = deltaMessage(payload).tool_plan;
    if (typeof plan !== 'string' || plan === '') return;
    const index = current?.key === 'plan' ? current.index : openBlock('plan', { type: 'text' }, out);
    out.push({ type: 'text_delta', index, text: plan });
  };
  const onToolCallStart = (payload: Record<string, unknown>, out: StreamEvent[]) => {
    const call = toolCallOf(payload);
    const fn = isRecord(call.function) ? call.function : {};
    const index = openBlock(
      `tool:${indexOf(payload)}`,
      { type: 'tool_call', id: typeof call.id === 'string' ? call.id : '', name: typeof fn.name === 'string' ? fn.name : '' },
      out,
    );
    if (typeof fn.arguments === 'string' && fn.arguments !== '') out.push({ type: 'arguments_delta', index, json: fn.arguments });
  };
  const onToolCallDelta = (payload: Record<string, unknown>, out: StreamEvent[]) => {
    const fn = toolCallOf(payload).function;
    const json = isRecord(fn) ? fn.arguments : undefined;
    // A delta for a call that never started has no id or name to open it with.
    if (current?.key !== `tool:${indexOf(payload)}` || typeof json !== 'string' || json === '') return;
    out.push({ type: 'arguments_delta', index: current.index, json });
  };
  const onMessageEnd = (payload: Record<string, unknown>, out: StreamEvent[]) => {
    const delta = isRecord(payload.delta) ? payload.delta : {};
    closeCurrent(out);
    const usage = cohereUsage(delta.usage);
    if (usage) out.push({ type: 'usage', usage });
    finished = true;
    if (isCohereErrorFinish(delta.finish_reason) || typeof delta.error === 'string') {
      const detail = typeof delta.error === 'string' && delta.error !== '' ? `: ${delta.error}` : '';
      out.push({ type: 'error', status: 502, message: `Cohere reported that the generation failed${detail}`, errorType: 'upstream_error' });
    } else {
      out.push({ type: 'finish', stopReason: cohereStopReason(delta.finish_reason) });
    }
  };

  return {
    push(event: SseEvent): StreamEvent[] {
      // The SDK reads `[DONE]` as the end of a stream; nothing follows it.
      if (finished || event.data === '[DONE]' || event.data.trim() === '') return [];
      let payload: unknown;
      try {
        payload = JSON.parse(event.data);
      } catch {
        throw new GatewayError('upstream_error', 'Cohere sent a stream event that is not JSON');
      }
      if (!isRecord(payload)) return [];
      const out: StreamEvent[] = [];
      start(payload.type === 'message-start' ? payload.id : undefined, out);
      switch (payload.type) {
        case 'content-start':
          onContentStart(payload, out);
          break;
        case 'content-delta':
          onContentDelta(payload, out);
          break;
        case 'content-end':
          close(`content:${indexOf(payload)}`, out);
          break;
        case 'tool-plan-delta':
          onPlanDelta(payload, out);
          break;
        case 'tool-call-start':
          onToolCallStart(payload, out);
          break;
        case 'tool-call-delta':
          onToolCallDelta(payload, out);
          break;
        case 'tool-call-end':
          close(`tool:${indexOf(payload)}`, out);
          break;
        case 'message-end':
          onMessageEnd(payload, out);
          break;
      }
      return out;
    },
    end(): StreamEvent[] {
      if (finished) return [];
      // The body ended without `message-end`: the answer was cut short.
      const out: StreamEvent[] = [];
      start(undefined, out);
      closeCurrent(out);
      finished = true;
      out.push(endedEarly('Cohere'));
      return out;
    },
  };
}

function deltaMessage(payload: Record<string, unknown>): Record<string, unknown> {
  const delta = isRecord(payload.delta) ? payload.delta : {};
  return isRecord(delta.message) ? delta.message : {};
}

/** The SDK types `tool_calls` in stream deltas as one call object; a one-item list is read too. */
function toolCallOf(payload: Record<string, unknown>): Record<string, unknown> {
  const calls = deltaMessage(payload).tool_calls;
  const call = Array.isArray(calls) ? calls[0] : calls;
  return isRecord(call) ? call : {};
}

function indexOf(payload: Record<string, unknown>): number {
  return typeof payload.index === 'number' ? payload.index : 0;
}

function pushContent(index: number, kind: Kind, item: Record<string, unknown>, out: StreamEvent[]): void {
  const text = kind === 'thinking' ? item.thinking : item.text;
  if (typeof text !== 'string' || text === '') return;
  out.push(kind === 'thinking' ? { type: 'thinking_delta', index, text } : { type: 'text_delta', index, text });
}
