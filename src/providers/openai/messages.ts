import type { DocumentPart, ImagePart, Message, Part, TextPart, ToolCallPart, ToolResultPart } from '../../ir/chat.js';
import { base64ToText, toDataUrl } from '../../ir/media.js';
import type { OpenAICompatibleProfile } from './vendors.js';
import { pushAll } from '../../ir/push-all.js';

/** A Chat Completions message as sent upstream (the SDK's ChatCompletionMessageParam, loosely typed). */
export type OpenAIMessage = Record<string, unknown>;

/**
 * IR messages to Chat Completions messages. What cannot be expressed is named in `dropped`
 * (a Set: one warning per kind, however often it occurs).
 */
export function encodeMessages(
  system: TextPart[],
  messages: Message[],
  profile: OpenAICompatibleProfile,
  dropped: Set<string>,
): OpenAIMessage[] {
  const out: OpenAIMessage[] = [];
  // One `system` message: every vendor takes it (OpenAI treats it as `developer` on reasoning
  // models), while several chat templates refuse more than one or an array content.
  if (system.length > 0) out.push({ role: 'system', content: system.map((part) => part.text).join('\n\n') });
  for (const message of messages) {
    if (message.role === 'user') pushAll(out, encodeUserTurn(message.content, profile, dropped));
    else pushAll(out, encodeAssistantTurn(message.content, profile, dropped));
  }
  return out;
}

/**
 * Tool results become `tool` messages, one per result in order, ahead of the turn's other
 * content: OpenAI wants them right after the assistant message that made the calls.
 */
function encodeUserTurn(parts: Part[], profile: OpenAICompatibleProfile, dropped: Set<string>): OpenAIMessage[] {
  const out: OpenAIMessage[] = [];
  const content: Record<string, unknown>[] = [];
  for (const part of parts) {
    if (part.type === 'tool_result') {
      out.push(encodeToolResult({ ...part, toolCallId: vendorToolCallId(part.toolCallId, profile) }, dropped));
      continue;
    }
    const item = encodeUserContent(part, dropped, (document) => encodeDocument(document, profile, dropped));
    if (item) content.push(item);
  }
  if (content.length > 0) out.push({ role: 'user', content: compactContent(content) });
  return out;
}

function encodeAssistantTurn(parts: Part[], profile: OpenAICompatibleProfile, dropped: Set<string>): OpenAIMessage[] {
  const text: Record<string, unknown>[] = [];
  const toolCalls: Record<string, unknown>[] = [];
  const reasoningDetails: Record<string, unknown>[] = [];
  for (const part of parts) {
    switch (part.type) {
      case 'text':
        text.push({ type: 'text', text: part.text });
        break;
      case 'tool_call':
        toolCalls.push(encodeToolCall({ ...part, id: vendorToolCallId(part.id, profile) }));
        break;
      // Thinking is history the vendor cannot take back (not a parameter): left out without a
      // warning, except where it can travel as OpenRouter's reasoning_details.
      case 'thinking':
        if (profile.reasoningDetails) {
          reasoningDetails.push({ type: 'reasoning.text', text: part.text, ...(part.signature === undefined ? {} : { signature: part.signature }) });
        }
        break;
      case 'redacted_thinking':
        if (profile.reasoningDetails) reasoningDetails.push({ type: 'reasoning.encrypted', data: part.data });
        break;
      default:
        // Assistant content is text (and refusal) only: no images, documents or tool results.
        dropped.add(`content:${part.type}:assistant`);
    }
  }
  if (text.length === 0 && toolCalls.length === 0 && reasoningDetails.length === 0) return [];
  const message: OpenAIMessage = { role: 'assistant', content: text.length > 0 ? compactContent(text) : null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (reasoningDetails.length > 0) message.reasoning_details = reasoningDetails;
  return [message];
}

/** Tool messages take text only. */
function encodeToolResult(part: ToolResultPart, dropped: Set<string>): OpenAIMessage {
  const text = toolResultText(part, dropped);
  return { role: 'tool', tool_call_id: part.toolCallId, content: text.length === 0 ? '' : compactContent(text) };
}

/**
 * A tool call id the vendor accepts. For Mistral an id of another shape (Anthropic's
 * `toolu_…`, OpenAI's `call_…`) becomes 9 letters and digits derived from it, so a call and
 * its result still match and a conversation maps the same way on every turn; Mistral's own
 * ids, which clients send back, are kept as they are.
 */
export function vendorToolCallId(id: string, profile: OpenAICompatibleProfile): string {
  if (profile.toolCallIds !== 'nine-alphanumeric' || /^[a-zA-Z0-9]{9}$/.test(id)) return id;
  // 53 bits of a two-lane multiplicative hash (cyrb53), written in base 62.
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < id.length; i++) {
    const code = id.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  let value = 4294967296 * (2097151 & h2) + (h1 >>> 0);
  const digits = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let out = '';
  for (let i = 0; i < 9; i++) {
    out += digits[value % 62];
    value = Math.floor(value / 62);
  }
  return out;
}

/*
 * The pieces below are shared with Cohere v2 (src/providers/cohere/messages.ts), whose
 * messages take tool calls, tool results and images the way Chat Completions does.
 */

/**
 * A user turn's text or image as a content item, a document as `encodeDocument` makes it (if
 * at all). Tool calls and thinking cannot stand in a user turn in either API: reported.
 */
export function encodeUserContent(
  part: Exclude<Part, ToolResultPart>,
  dropped: Set<string>,
  encodeDocument: (part: DocumentPart) => Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  switch (part.type) {
    case 'text':
      return { type: 'text', text: part.text };
    case 'image':
      return encodeImage(part);
    case 'document':
      return encodeDocument(part);
    default:
      dropped.add(`content:${part.type}`);
      return undefined;
  }
}

export function encodeToolCall(part: ToolCallPart): Record<string, unknown> {
  return { id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments } };
}

/** A tool result's text parts: images in it are reported, as is the error flag neither API has a place for. */
export function toolResultText(part: ToolResultPart, dropped: Set<string>): Record<string, unknown>[] {
  const text: Record<string, unknown>[] = [];
  for (const item of part.content) {
    if (item.type === 'text') text.push({ type: 'text', text: item.text });
    else dropped.add('content:tool_result:image');
  }
  if (part.isError === true) dropped.add('content:tool_result:is_error');
  return text;
}

/** An `image_url` part: https: and data: URLs alike. */
export function encodeImage(part: ImagePart): Record<string, unknown> {
  const url = part.source.type === 'url' ? part.source.url : toDataUrl(part.source.mediaType, part.source.data);
  return { type: 'image_url', image_url: { url, ...(part.detail === undefined ? {} : { detail: part.detail }) } };
}

/** A text document's text, or a `text/*` one's bytes decoded as UTF-8: how both APIs take documents they have no file item for. */
export function documentAsText(source: DocumentPart['source']): string | undefined {
  if (source.type === 'text') return source.text;
  if (source.type === 'base64' && source.mediaType.startsWith('text/')) return base64ToText(source.data);
  return undefined;
}

/**
 * Chat Completions reads PDFs only, as a `file` part (base64 in a data: URL, or an uploaded
 * file's id). Plain text documents go as text, which every vendor reads; URLs cannot go.
 */
function encodeDocument(part: DocumentPart, profile: OpenAICompatibleProfile, dropped: Set<string>): Record<string, unknown> | undefined {
  const source = part.source;
  const text = documentAsText(source);
  if (text !== undefined) return { type: 'text', text };
  switch (source.type) {
    case 'url':
      dropped.add('content:document:url');
      return undefined;
    case 'file_id':
      if (!profile.fileParts) break;
      return { type: 'file', file: { file_id: source.fileId } };
    case 'base64': {
      if (!profile.fileParts || source.mediaType !== 'application/pdf') break;
      const filename = part.filename ?? part.title ?? 'document.pdf';
      return { type: 'file', file: { filename, file_data: toDataUrl(source.mediaType, source.data) } };
    }
  }
  dropped.add(`content:document:${source.type}`);
  return undefined;
}

/** A lone text part goes as a plain string: some vendors (DeepSeek) read nothing else. */
function compactContent(parts: Record<string, unknown>[]): string | Record<string, unknown>[] {
  const only = parts.length === 1 ? parts[0] : undefined;
  return only && only.type === 'text' ? (only.text as string) : parts;
}
