import type { RedactedThinkingPart, ThinkingPart } from '../../ir/chat.js';
import { invalid, optionalArray, optionalString, requiredRecord, requiredString } from '../openai-fields.js';

/**
 * Reasoning items are how thinking travels through a Responses client and back: the text is
 * the item's one summary part, and the signature (Anthropic's, Gemini's thought signature)
 * rides in `encrypted_content`, the field Responses clients already hand back untouched on
 * the next turn. Redacted thinking has no text, only opaque data: it is the same field with
 * this prefix, so the next turn can tell the two apart.
 */
export const REDACTED_THINKING_PREFIX = 'routerly.redacted_thinking:';

/** An output `reasoning` item for one thinking part. */
export function reasoningItem(part: ThinkingPart | RedactedThinkingPart, id: string): Record<string, unknown> {
  if (part.type === 'redacted_thinking') {
    return { id, type: 'reasoning', summary: [], encrypted_content: REDACTED_THINKING_PREFIX + part.data };
  }
  const item: Record<string, unknown> = {
    id,
    type: 'reasoning',
    summary: part.text === '' ? [] : [{ type: 'summary_text', text: part.text }],
  };
  if (part.signature !== undefined) item.encrypted_content = part.signature;
  return item;
}

/**
 * An input `reasoning` item as IR thinking. Summary parts are joined with a blank line (our
 * own items have one part, so their text comes back byte for byte, which signed thinking
 * needs); an item with no summary but full `content` (reasoning_text) uses that instead.
 */
export function readReasoningItem(item: Record<string, unknown>, param: string): ThinkingPart | RedactedThinkingPart {
  const encrypted = optionalString(item.encrypted_content, `${param}.encrypted_content`);
  if (encrypted?.startsWith(REDACTED_THINKING_PREFIX)) {
    return { type: 'redacted_thinking', data: encrypted.slice(REDACTED_THINKING_PREFIX.length) };
  }
  const summary = readTexts(optionalArray(item.summary, `${param}.summary`) ?? [], `${param}.summary`, 'summary_text');
  const content = readTexts(optionalArray(item.content, `${param}.content`) ?? [], `${param}.content`, 'reasoning_text');
  const part: ThinkingPart = { type: 'thinking', text: (summary.length > 0 ? summary : content).join('\n\n') };
  if (encrypted !== undefined) part.signature = encrypted;
  return part;
}

function readTexts(parts: unknown[], param: string, type: string): string[] {
  return parts.map((raw, i) => {
    const part = requiredRecord(raw, `${param}[${i}]`);
    if (part.type !== type) throw invalid(`'${param}[${i}].type' must be '${type}'`, `${param}[${i}].type`);
    return requiredString(part.text, `${param}[${i}].text`);
  });
}
