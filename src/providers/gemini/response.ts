import { argumentsText } from '../../ir/arguments.js';
import type { ChatResponse, OutputPart, StopReason } from '../../ir/chat.js';
import { GatewayError } from '../../errors.js';
import { isRecord } from '../../json/record.js';
import { count } from '../shared.js';
import { encodeToolCallId, GEMINI_SIGNATURE_PREFIX, randomToken } from './ids.js';
import type { TokenUsage } from '../../ir/usage.js';

/** Finish reasons that mean a safety or policy filter cut the answer. */
const FILTER_REASONS = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
]);

/**
 * Gemini's finish reason in the IR's words. STOP covers both a natural end and a stop
 * sequence (Gemini does not say which), so it is end_turn, or tool_use when the answer
 * holds function calls. The rest (OTHER, LANGUAGE, MALFORMED_FUNCTION_CALL,
 * UNEXPECTED_TOOL_CALL, TOO_MANY_TOOL_CALLS, NO_IMAGE, IMAGE_OTHER, CONTINUATION, unknown
 * values) have no IR counterpart: the answer ended, so end_turn, or tool_use when calls came.
 */
export function geminiStopReason(finishReason: unknown, hasToolCalls: boolean): StopReason {
  if (finishReason === 'MAX_TOKENS') return 'max_tokens';
  if (typeof finishReason === 'string' && FILTER_REASONS.has(finishReason)) return 'content_filter';
  return hasToolCalls ? 'tool_use' : 'end_turn';
}

/**
 * Gemini's `usageMetadata`. `promptTokenCount` already includes cached content; tool-use
 * prompt tokens (results of Gemini's own tools fed back to it) are input too. Thoughts are
 * billed as output, so they join the candidates' count.
 */
export function geminiUsage(usage: unknown): TokenUsage | undefined {
  if (!isRecord(usage)) return undefined;
  return {
    inputTokens: count(usage.promptTokenCount) + count(usage.toolUsePromptTokenCount),
    outputTokens: count(usage.candidatesTokenCount) + count(usage.thoughtsTokenCount),
    cachedInputTokens: count(usage.cachedContentTokenCount),
    cacheWriteTokens: 0,
  };
}

/** The parts of the first candidate (the gateway never asks for more than one). */
export function firstCandidate(body: Record<string, unknown>): Record<string, unknown> | undefined {
  const candidates = body.candidates;
  return Array.isArray(candidates) && isRecord(candidates[0]) ? candidates[0] : undefined;
}

export function candidateParts(candidate: Record<string, unknown> | undefined): Record<string, unknown>[] {
  const content = candidate?.content;
  if (!isRecord(content) || !Array.isArray(content.parts)) return [];
  return content.parts.filter(isRecord);
}

export function partSignature(part: Record<string, unknown>): string | undefined {
  const signature = part.thoughtSignature;
  return typeof signature === 'string' && signature !== '' ? signature : undefined;
}

/** A Gemini function call as IR tool call fields (id carrying its signature, see ids.ts), or undefined when the part is not one. */
export function toolCallFromPart(part: Record<string, unknown>): { id: string; name: string; arguments: string } | undefined {
  const call = part.functionCall;
  if (!isRecord(call)) return undefined;
  const geminiId = typeof call.id === 'string' && call.id !== '' ? call.id : undefined;
  return {
    id: encodeToolCallId({ geminiId, thoughtSignature: partSignature(part) }),
    name: typeof call.name === 'string' ? call.name : '',
    arguments: argumentsText(call.args),
  };
}

/**
 * Candidate parts as IR output. Adjacent text (or thought) parts are joined, except across a
 * signature, which must stay where it was. A signature on a thought belongs to that thought;
 * a signature on answer text, or on a part with no text at all, has no IR place of its own,
 * so it becomes a text-less thinking part right after the text (the Gemini encoder puts it
 * back on that text). Other parts (inline images, code execution) have no IR form and are skipped.
 */
export function decodeParts(parts: Record<string, unknown>[]): OutputPart[] {
  const output: OutputPart[] = [];
  for (const part of parts) {
    const call = toolCallFromPart(part);
    if (call) {
      output.push({ type: 'tool_call', ...call });
      continue;
    }
    const text = typeof part.text === 'string' ? part.text : undefined;
    const signature = partSignature(part);
    if (text === undefined && signature === undefined) continue;
    const last = output.at(-1);
    if (part.thought === true && text) {
      if (last?.type === 'thinking' && last.signature === undefined && last.text !== '') last.text += text;
      else output.push({ type: 'thinking', text });
      if (signature) (output.at(-1) as { signature?: string }).signature = GEMINI_SIGNATURE_PREFIX + signature;
      continue;
    }
    if (text) {
      if (last?.type === 'text') last.text += text;
      else output.push({ type: 'text', text });
    }
    if (signature) attachLoneSignature(output, signature);
  }
  return output;
}

/** A signature that came with no thought text: it closes an unsigned thought, else stands alone. */
function attachLoneSignature(output: OutputPart[], signature: string): void {
  const last = output.at(-1);
  if (last?.type === 'thinking' && last.signature === undefined) last.signature = GEMINI_SIGNATURE_PREFIX + signature;
  else output.push({ type: 'thinking', text: '', signature: GEMINI_SIGNATURE_PREFIX + signature });
}

export function decodeGeminiResponse(body: unknown): ChatResponse {
  if (!isRecord(body) || (!Array.isArray(body.candidates) && !isRecord(body.promptFeedback) && !isRecord(body.usageMetadata))) {
    throw new GatewayError('upstream_error', 'Gemini returned a body that is not a GenerateContentResponse');
  }
  const candidate = firstCandidate(body);
  const content = decodeParts(candidateParts(candidate));
  const blocked = candidate === undefined && isRecord(body.promptFeedback) && typeof body.promptFeedback.blockReason === 'string';
  const response: ChatResponse = {
    id: typeof body.responseId === 'string' && body.responseId !== '' ? body.responseId : `gen_${randomToken()}`,
    model: typeof body.modelVersion === 'string' ? body.modelVersion : '',
    created: Math.floor(Date.now() / 1000),
    content,
    stopReason: blocked
      ? 'content_filter'
      : geminiStopReason(candidate?.finishReason, content.some((part) => part.type === 'tool_call')),
  };
  const usage = geminiUsage(body.usageMetadata);
  if (usage) response.usage = usage;
  return response;
}
