import type { GatewayError } from '../../errors.js';
import type { StopReason, StreamBlock, StreamEvent } from '../../ir/chat.js';
import type { StreamEncoder } from '../../ir/codec.js';
import { mergeUsage, type TokenUsage } from '../../ir/usage.js';
import { formatSseEvent } from '../../sse/writer.js';
import { gatewayFailure, providerFailure, type StreamFailure } from './errors.js';
import { reasoningItem } from './reasoning.js';
import {
  functionCallItem,
  incompleteReason,
  itemId,
  messageItem,
  outputText,
  responseHead,
  responseObject,
  type ItemStatus,
  type ResponseHead,
  type ResponseState,
} from './response.js';

/** An output item as it is being streamed. */
type Item = { outputIndex: number; id: string; openBlocks: number; status?: ItemStatus } & (
  | { kind: 'message'; texts: string[] }
  | { kind: 'function_call'; callId: string; name: string; args: string }
  | { kind: 'reasoning'; text: string; signature?: string; redacted?: string; summaryOpen: boolean }
);

/** An open IR block: the item it writes to and, for text, its content part. */
interface Block {
  item: Item;
  contentIndex: number;
}

/**
 * IR stream events as the Responses API's own event stream: `response.created` and
 * `response.in_progress`, then per output item `output_item.added`, its content events and
 * `output_item.done`, and last `response.completed` (or `response.incomplete`) with the
 * whole Response and its usage. Every event is named in its `event:` line and numbered by
 * `sequence_number`.
 *
 * Consecutive text blocks share one message item, one `output_text` part each, as in
 * encodeResponsesResponse. An item's `output_item.done` waits for the next item or the
 * finish, so a text block that follows can join it and an item cut off by `max_tokens`
 * ends `incomplete`. Usage may follow `finish` in the IR, so the closing event waits for end().
 */
export function createResponsesStreamEncoder(body: Record<string, unknown>): StreamEncoder {
  let head: ResponseHead | undefined;
  let sequence = 0;
  const items: Item[] = [];
  const blocks = new Map<number, Block>();
  let usage: TokenUsage | undefined;
  let stopReason: StopReason | undefined;
  let closed = false;

  function emit(type: string, fields: Record<string, unknown>): string {
    return formatSseEvent({ event: type, data: JSON.stringify({ type, ...fields, sequence_number: sequence++ }) });
  }

  function snapshot(state: ResponseState): Record<string, unknown> {
    return responseObject(head as ResponseHead, body, state);
  }

  function open(id: string, model: string, created: number): string {
    head = responseHead(id, model, created);
    const response = snapshot({ status: 'in_progress', output: [] });
    return emit('response.created', { response }) + emit('response.in_progress', { response });
  }

  /** Events before `start` should not happen; if they do, the stream still opens well-formed. */
  function ensureOpen(): string {
    return head ? '' : open('', '', Math.floor(Date.now() / 1000));
  }

  function itemJson(item: Item, status: ItemStatus): Record<string, unknown> {
    switch (item.kind) {
      case 'message':
        return messageItem(item.id, item.texts, status);
      case 'function_call':
        return functionCallItem(item.id, item.callId, item.name, item.args, status);
      case 'reasoning':
        if (item.redacted !== undefined) return reasoningItem({ type: 'redacted_thinking', data: item.redacted }, item.id);
        return reasoningItem({ type: 'thinking', text: item.text, ...(item.signature === undefined ? {} : { signature: item.signature }) }, item.id);
    }
  }

  function addItem(item: Item): string {
    items.push(item);
    return emit('response.output_item.added', { output_index: item.outputIndex, item: itemJson(item, 'in_progress') });
  }

  /** Sends `output_item.done` for every item whose blocks have all stopped (all of them when `force`). */
  function closeItems(force: boolean, cutOff?: Item): string {
    let out = '';
    for (const item of items) {
      if (item.status || (item.openBlocks > 0 && !force)) continue;
      item.status = item === cutOff ? 'incomplete' : 'completed';
      out += emit('response.output_item.done', { output_index: item.outputIndex, item: itemJson(item, item.status) });
    }
    return out;
  }

  function startBlock(index: number, block: StreamBlock): string {
    if (!head) return '';
    const last = items.at(-1);
    if (block.type === 'text' && last && last.kind === 'message' && !last.status) {
      return startTextPart(index, last);
    }
    let out = closeItems(false);
    const outputIndex = items.length;
    switch (block.type) {
      case 'text': {
        const item: Item = { kind: 'message', outputIndex, id: itemId(head, 'msg', outputIndex), openBlocks: 0, texts: [] };
        out += addItem(item);
        return out + startTextPart(index, item);
      }
      case 'tool_call': {
        const item: Item = {
          kind: 'function_call', outputIndex, id: itemId(head, 'fc', outputIndex), openBlocks: 1,
          callId: block.id, name: block.name, args: '',
        };
        blocks.set(index, { item, contentIndex: 0 });
        return out + addItem(item);
      }
      case 'thinking':
      case 'redacted_thinking': {
        const item: Item = { kind: 'reasoning', outputIndex, id: itemId(head, 'rs', outputIndex), openBlocks: 1, text: '', summaryOpen: false };
        if (block.type === 'redacted_thinking') item.redacted = block.data;
        blocks.set(index, { item, contentIndex: 0 });
        return out + addItem(item);
      }
    }
  }

  function startTextPart(index: number, item: Item & { kind: 'message' }): string {
    const contentIndex = item.texts.length;
    item.texts.push('');
    item.openBlocks++;
    blocks.set(index, { item, contentIndex });
    return emit('response.content_part.added', { item_id: item.id, output_index: item.outputIndex, content_index: contentIndex, part: outputText('') });
  }

  function delta(index: number, kind: Item['kind'], text: string): string {
    const block = blocks.get(index);
    if (!block || block.item.kind !== kind || text === '') return '';
    const item = block.item;
    const where = { item_id: item.id, output_index: item.outputIndex };
    switch (item.kind) {
      case 'message':
        item.texts[block.contentIndex] += text;
        return emit('response.output_text.delta', { ...where, content_index: block.contentIndex, delta: text, logprobs: [] });
      case 'function_call':
        item.args += text;
        return emit('response.function_call_arguments.delta', { ...where, delta: text });
      case 'reasoning': {
        let out = '';
        if (!item.summaryOpen) {
          item.summaryOpen = true;
          out += emit('response.reasoning_summary_part.added', { ...where, summary_index: 0, part: { type: 'summary_text', text: '' } });
        }
        item.text += text;
        return out + emit('response.reasoning_summary_text.delta', { ...where, summary_index: 0, delta: text });
      }
    }
  }

  function stopBlock(index: number): string {
    const block = blocks.get(index);
    if (!block) return '';
    blocks.delete(index);
    const item = block.item;
    item.openBlocks--;
    const where = { item_id: item.id, output_index: item.outputIndex };
    switch (item.kind) {
      case 'message': {
        const text = item.texts[block.contentIndex] ?? '';
        return (
          emit('response.output_text.done', { ...where, content_index: block.contentIndex, text, logprobs: [] }) +
          emit('response.content_part.done', { ...where, content_index: block.contentIndex, part: outputText(text) })
        );
      }
      case 'function_call': {
        // A call without arguments streams none (Anthropic sends an empty partial_json); OpenAI
        // sends `{}`, and clients (Codex, the Agents SDK) JSON.parse the arguments, which fails on ''.
        let out = '';
        if (item.args === '') {
          item.args = '{}';
          out = emit('response.function_call_arguments.delta', { ...where, delta: item.args });
        }
        return out + emit('response.function_call_arguments.done', { ...where, arguments: item.args, name: item.name });
      }
      case 'reasoning': {
        if (!item.summaryOpen) return '';
        const part = { type: 'summary_text', text: item.text };
        return (
          emit('response.reasoning_summary_text.done', { ...where, summary_index: 0, text: item.text }) +
          emit('response.reasoning_summary_part.done', { ...where, summary_index: 0, part })
        );
      }
    }
  }

  /** Stops what is still open (a decoder should have) and closes every item. */
  function finishItems(): string {
    let out = '';
    for (const index of [...blocks.keys()]) out += stopBlock(index);
    // Only the last item can have been cut off (no later item has closed it); reasoning items carry no status.
    const last = items.at(-1);
    const cutOff = stopReason && incompleteReason(stopReason) && last?.kind !== 'reasoning' ? last : undefined;
    return out + closeItems(true, cutOff);
  }

  function failure(details: StreamFailure): string {
    closed = true;
    const output = items.map((item) => itemJson(item, item.status ?? 'incomplete'));
    const state: ResponseState = { status: 'failed', output, error: details.responseError };
    if (usage) state.usage = usage;
    return emit('error', details.event) + emit('response.failed', { response: snapshot(state) });
  }

  function encode(event: StreamEvent): string {
    switch (event.type) {
      case 'start':
        return head ? '' : open(event.id, event.model, event.created);
      case 'block_start':
        return startBlock(event.index, event.block);
      case 'text_delta':
        return delta(event.index, 'message', event.text);
      case 'arguments_delta':
        return delta(event.index, 'function_call', event.json);
      case 'thinking_delta':
        return delta(event.index, 'reasoning', event.text);
      case 'signature_delta': {
        const item = blocks.get(event.index)?.item;
        if (item?.kind === 'reasoning') item.signature = (item.signature ?? '') + event.signature;
        return '';
      }
      case 'block_stop':
        return stopBlock(event.index);
      case 'usage':
        usage = mergeUsage(usage, event.usage);
        return '';
      case 'finish':
        if (stopReason) return '';
        stopReason = event.stopReason;
        return finishItems();
      case 'error':
        return failure(providerFailure(event.status, event.message, event.errorType));
    }
  }

  return {
    push(event) {
      if (closed) return '';
      const opening = event.type === 'start' || event.type === 'usage' ? '' : ensureOpen();
      return opening + encode(event);
    },
    end() {
      if (closed) return '';
      let out = ensureOpen() + finishItems();
      closed = true;
      const reason = stopReason && incompleteReason(stopReason);
      const state: ResponseState = {
        status: reason ? 'incomplete' : 'completed',
        output: items.map((item) => itemJson(item, item.status ?? 'completed')),
      };
      if (reason) state.incompleteReason = reason;
      else state.completedAt = Math.floor(Date.now() / 1000);
      if (usage) state.usage = usage;
      out += emit(reason ? 'response.incomplete' : 'response.completed', { response: snapshot(state) });
      return out;
    },
    fail(error: GatewayError) {
      if (closed) return '';
      return ensureOpen() + failure(gatewayFailure(error));
    },
  };
}
