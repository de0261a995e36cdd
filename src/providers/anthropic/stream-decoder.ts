import { GatewayError } from '../../errors.js';
import type { StopReason, StreamBlock, StreamEvent } from '../../ir/chat.js';
import type { StreamDecoder } from '../../ir/codec.js';
import { mergeUsage, type TokenUsage } from '../../ir/usage.js';
import { isRecord } from '../../json/record.js';
import type { SseEvent } from '../../sse/parser.js';
import { endedEarly } from '../../ir/stream-errors.js';
import { anthropicErrorStatus, readAnthropicError } from './errors.js';
import { anthropicStopReason, anthropicUsage } from './response.js';

/** The events this decoder reads; any other (Anthropic may add types) is passed over. */
const KNOWN_EVENTS = new Set([
  'message_start',
  'content_block_start',
  'content_block_delta',
  'content_block_stop',
  'message_delta',
  'message_stop',
  'error',
]);

interface OpenBlock {
  /** The block's number in the IR stream. */
  index: number;
  kind: StreamBlock['type'];
  /** Whether a tool call's input has had any piece yet (a call without input gets `{}`). */
  hasArguments?: boolean;
}

/**
 * Messages API stream → IR stream events. Blocks the IR cannot carry (server tool calls
 * and their results) are skipped with all their deltas, and the rest are renumbered so
 * IR indexes stay dense. `finish` is sent at `message_stop`, once every block is closed;
 * usage is sent as running totals, since `message_delta` may carry only the output count.
 * `now` (milliseconds) dates the answer: Anthropic sends no creation time.
 */
export function createAnthropicStreamDecoder(now: () => number = Date.now): StreamDecoder {
  let started = false;
  let done = false;
  let nextIndex = 0;
  /** Open blocks by Anthropic's index. */
  const open = new Map<number, OpenBlock>();
  let usage: TokenUsage | undefined;
  let stopReason: StopReason | undefined;
  let stopSequence: string | undefined;

  const start = (message: unknown): StreamEvent[] => {
    if (started) return [];
    started = true;
    const id = isRecord(message) && typeof message.id === 'string' ? message.id : '';
    const model = isRecord(message) && typeof message.model === 'string' ? message.model : '';
    return [{ type: 'start', id, model, created: Math.floor(now() / 1000) }];
  };

  const addUsage = (raw: unknown): StreamEvent[] => {
    const next = anthropicUsage(raw);
    if (!next) return [];
    usage = mergeUsage(usage, next);
    return [{ type: 'usage', usage }];
  };

  const closeAll = (): StreamEvent[] => {
    const events: StreamEvent[] = [...open.values()].sort((a, b) => a.index - b.index).flatMap(stopBlock);
    open.clear();
    return events;
  };

  const finish = (): StreamEvent[] => {
    done = true;
    return [
      ...start(undefined),
      ...closeAll(),
      { type: 'finish', stopReason: stopReason ?? 'end_turn', ...(stopSequence !== undefined ? { stopSequence } : {}) },
    ];
  };

  const openBlock = (anthropicIndex: number, block: Record<string, unknown>): StreamEvent[] => {
    const opened = blockStart(block);
    if (!opened) return [];
    const index = nextIndex++;
    const initial = opened.initial(index);
    open.set(anthropicIndex, { index, kind: opened.block.type, hasArguments: initial.length > 0 });
    return [{ type: 'block_start', index, block: opened.block }, ...initial];
  };

  /**
   * A tool called without input streams an empty `{}` and an empty partial_json: its
   * arguments are `{}`, as a non-streamed answer reads them, rather than no text at all
   * (which an OpenAI client would fail to parse).
   */
  const stopBlock = (block: OpenBlock): StreamEvent[] => [
    ...(block.kind === 'tool_call' && block.hasArguments !== true ? [{ type: 'arguments_delta' as const, index: block.index, json: '{}' }] : []),
    { type: 'block_stop', index: block.index },
  ];

  const delta = (anthropicIndex: number, raw: unknown): StreamEvent[] => {
    const block = open.get(anthropicIndex);
    if (!block || !isRecord(raw)) return [];
    const { index, kind } = block;
    if (raw.type === 'text_delta' && kind === 'text' && typeof raw.text === 'string' && raw.text !== '') {
      return [{ type: 'text_delta', index, text: raw.text }];
    }
    if (raw.type === 'thinking_delta' && kind === 'thinking' && typeof raw.thinking === 'string' && raw.thinking !== '') {
      return [{ type: 'thinking_delta', index, text: raw.thinking }];
    }
    if (raw.type === 'signature_delta' && kind === 'thinking' && typeof raw.signature === 'string' && raw.signature !== '') {
      return [{ type: 'signature_delta', index, signature: raw.signature }];
    }
    if (raw.type === 'input_json_delta' && kind === 'tool_call' && typeof raw.partial_json === 'string' && raw.partial_json !== '') {
      block.hasArguments = true;
      return [{ type: 'arguments_delta', index, json: raw.partial_json }];
    }
    // citations_delta and deltas of kinds the IR has no place for.
    return [];
  };

  return {
    push(event: SseEvent): StreamEvent[] {
      if (done || event.event === 'ping') return [];
      let payload: unknown;
      try {
        payload = JSON.parse(event.data);
      } catch {
        if (event.event !== undefined && KNOWN_EVENTS.has(event.event)) {
          throw new GatewayError('upstream_error', `Anthropic sent a ${event.event} event that is not JSON`);
        }
        return [];
      }
      if (!isRecord(payload)) return [];
      const type = typeof payload.type === 'string' ? payload.type : event.event;
      const index = typeof payload.index === 'number' ? payload.index : undefined;
      switch (type) {
        case 'message_start':
          return [...start(payload.message), ...addUsage(isRecord(payload.message) ? payload.message.usage : undefined)];
        case 'content_block_start':
          if (index === undefined || !isRecord(payload.content_block)) return [];
          return [...start(undefined), ...openBlock(index, payload.content_block)];
        case 'content_block_delta':
          return index === undefined ? [] : delta(index, payload.delta);
        case 'content_block_stop': {
          const block = index === undefined ? undefined : open.get(index);
          if (!block || index === undefined) return [];
          open.delete(index);
          return stopBlock(block);
        }
        case 'message_delta': {
          if (isRecord(payload.delta)) {
            if (payload.delta.stop_reason != null) stopReason = anthropicStopReason(payload.delta.stop_reason);
            if (typeof payload.delta.stop_sequence === 'string') stopSequence = payload.delta.stop_sequence;
          }
          return [...start(undefined), ...addUsage(payload.usage)];
        }
        case 'message_stop':
          return finish();
        case 'error': {
          done = true;
          const details = readAnthropicError(payload);
          return [
            ...start(undefined),
            {
              type: 'error',
              status: anthropicErrorStatus(details?.type),
              message: details?.message ?? 'Anthropic reported an error in the stream',
              ...(details?.type !== undefined ? { errorType: details.type } : {}),
            },
          ];
        }
        default:
          return [];
      }
    },
    /** The body ended: after a stop reason a lost message_stop is forgiven; before one, the answer was cut short. */
    end(): StreamEvent[] {
      if (done) return [];
      if (stopReason !== undefined) return finish();
      done = true;
      return [...start(undefined), ...closeAll(), endedEarly('Anthropic')];
    },
  };
}

interface OpenedBlock {
  block: StreamBlock;
  /** Content that came inside `content_block_start` itself rather than in deltas. */
  initial(index: number): StreamEvent[];
}

function blockStart(block: Record<string, unknown>): OpenedBlock | undefined {
  switch (block.type) {
    case 'text':
      return {
        block: { type: 'text' },
        initial: (index) => (typeof block.text === 'string' && block.text !== '' ? [{ type: 'text_delta', index, text: block.text }] : []),
      };
    case 'thinking':
      return {
        block: { type: 'thinking' },
        initial: (index) => [
          ...(typeof block.thinking === 'string' && block.thinking !== '' ? [{ type: 'thinking_delta' as const, index, text: block.thinking }] : []),
          ...(typeof block.signature === 'string' && block.signature !== ''
            ? [{ type: 'signature_delta' as const, index, signature: block.signature }]
            : []),
        ],
      };
    case 'redacted_thinking':
      return { block: { type: 'redacted_thinking', data: typeof block.data === 'string' ? block.data : '' }, initial: () => [] };
    case 'tool_use':
      return {
        block: { type: 'tool_call', id: typeof block.id === 'string' ? block.id : '', name: typeof block.name === 'string' ? block.name : '' },
        // The input normally arrives as input_json_delta after an empty `{}`; a filled one is sent whole.
        initial: (index) =>
          isRecord(block.input) && Object.keys(block.input).length > 0 ? [{ type: 'arguments_delta', index, json: JSON.stringify(block.input) }] : [],
      };
    default:
      return undefined;
  }
}
