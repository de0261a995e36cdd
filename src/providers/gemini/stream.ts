import type { StreamBlock, StreamEvent } from '../../ir/chat.js';
import type { StreamDecoder } from '../../ir/codec.js';
import type { SseEvent } from '../../sse/parser.js';
import { isRecord } from '../../json/record.js';
import { GEMINI_SIGNATURE_PREFIX, randomToken } from './ids.js';
import { endedEarly } from '../../ir/stream-errors.js';
import { readGeminiError } from './errors.js';
import { candidateParts, firstCandidate, geminiStopReason, geminiUsage, partSignature, toolCallFromPart } from './response.js';
import type { TokenUsage } from '../../ir/usage.js';

interface OpenBlock {
  index: number;
  kind: 'text' | 'thinking';
  /** A thinking block whose signature has come: more thought text starts a new block, as in decodeParts. */
  signed: boolean;
}

/**
 * Reads `streamGenerateContent?alt=sse`, where every event's data is a whole
 * GenerateContentResponse holding the next pieces of the answer. Text pieces extend one text
 * block and thought pieces one thinking block until the kind changes; a function call
 * arrives whole, so it opens, fills and closes its block at once. Signatures land where
 * decodeParts puts them, so a streamed answer and the same answer unstreamed agree.
 * `usageMetadata` holds running totals; the finish reason comes on the last chunk.
 */
export function createGeminiStreamDecoder(): StreamDecoder {
  let started = false;
  let finished = false;
  let nextIndex = 0;
  let open: OpenBlock | undefined;
  let sawToolCall = false;
  let lastUsage = '';

  const start = (out: StreamEvent[], body: Record<string, unknown>) => {
    if (started) return;
    started = true;
    out.push({
      type: 'start',
      id: typeof body.responseId === 'string' && body.responseId !== '' ? body.responseId : `gen_${randomToken()}`,
      model: typeof body.modelVersion === 'string' ? body.modelVersion : '',
      created: Math.floor(Date.now() / 1000),
    });
  };

  const close = (out: StreamEvent[]) => {
    if (!open) return;
    out.push({ type: 'block_stop', index: open.index });
    open = undefined;
  };

  const openBlock = (out: StreamEvent[], block: StreamBlock): number => {
    close(out);
    const index = nextIndex++;
    out.push({ type: 'block_start', index, block });
    return index;
  };

  const signature = (out: StreamEvent[], value: string) => {
    if (open?.kind !== 'thinking' || open.signed) {
      open = { index: openBlock(out, { type: 'thinking' }), kind: 'thinking', signed: false };
    }
    out.push({ type: 'signature_delta', index: open.index, signature: GEMINI_SIGNATURE_PREFIX + value });
    open.signed = true;
  };

  const part = (out: StreamEvent[], piece: Record<string, unknown>) => {
    const call = toolCallFromPart(piece);
    if (call) {
      sawToolCall = true;
      const index = openBlock(out, { type: 'tool_call', id: call.id, name: call.name });
      out.push({ type: 'arguments_delta', index, json: call.arguments });
      out.push({ type: 'block_stop', index });
      return;
    }
    const text = typeof piece.text === 'string' ? piece.text : '';
    const signed = partSignature(piece);
    if (piece.thought === true && text !== '') {
      if (open?.kind !== 'thinking' || open.signed) {
        open = { index: openBlock(out, { type: 'thinking' }), kind: 'thinking', signed: false };
      }
      out.push({ type: 'thinking_delta', index: open.index, text });
    } else if (text !== '') {
      if (open?.kind !== 'text') open = { index: openBlock(out, { type: 'text' }), kind: 'text', signed: false };
      out.push({ type: 'text_delta', index: open.index, text });
    }
    if (signed) signature(out, signed);
  };

  const chunk = (out: StreamEvent[], body: unknown) => {
    if (!isRecord(body)) return;
    const error = readGeminiError(body);
    if (error) {
      start(out, body);
      const code = isRecord(body.error) ? body.error.code : undefined;
      out.push({
        type: 'error',
        status: typeof code === 'number' && code >= 400 ? code : 502,
        message: error.message,
        ...(error.type === undefined ? {} : { errorType: error.type }),
      });
      return;
    }
    start(out, body);
    const candidate = firstCandidate(body);
    if (!finished) for (const piece of candidateParts(candidate)) part(out, piece);

    const usage = geminiUsage(body.usageMetadata);
    if (usage) pushUsage(out, usage);

    if (finished) return;
    const reason = candidate?.finishReason;
    const blocked = candidate === undefined && isRecord(body.promptFeedback) && typeof body.promptFeedback.blockReason === 'string';
    if ((typeof reason === 'string' && reason !== '') || blocked) {
      close(out);
      finished = true;
      out.push({ type: 'finish', stopReason: blocked ? 'content_filter' : geminiStopReason(reason, sawToolCall) });
    }
  };

  const pushUsage = (out: StreamEvent[], usage: TokenUsage) => {
    const key = JSON.stringify(usage);
    if (key === lastUsage) return;
    lastUsage = key;
    out.push({ type: 'usage', usage });
  };

  return {
    push(event: SseEvent): StreamEvent[] {
      if (event.data.trim() === '') return [];
      const out: StreamEvent[] = [];
      let body: unknown;
      try {
        body = JSON.parse(event.data);
      } catch {
        start(out, {});
        out.push({ type: 'error', status: 502, message: 'Gemini sent a stream event that is not JSON' });
        return out;
      }
      // Without alt=sse Gemini streams one JSON array; tolerate an event holding such an array.
      for (const item of Array.isArray(body) ? body : [body]) chunk(out, item);
      return out;
    },
    end(): StreamEvent[] {
      if (!started) return [];
      const out: StreamEvent[] = [];
      close(out);
      // No finishReason came: the answer was cut short.
      if (!finished) {
        finished = true;
        out.push(endedEarly('Gemini'));
      }
      return out;
    },
  };
}
