import type { DocumentPart, ImagePart, Message, Part, TextPart, ToolResultPart } from '../../ir/chat.js';
import type { OpenAICompatibleProfile } from './vendors.js';

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
    if (message.role === 'user') out.push(...encodeUserTurn(message.content, profile, dropped));
    else out.push(...encodeAssistantTurn(message.content, profile, dropped));
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
    switch (part.type) {
      case 'tool_result':
        out.push(encodeToolResult(part, dropped));
        break;
      case 'text':
        content.push({ type: 'text', text: part.text });
        break;
      case 'image':
        content.push(encodeImage(part));
        break;
      case 'document': {
        const encoded = encodeDocument(part, profile, dropped);
        if (encoded) content.push(encoded);
        break;
      }
      default:
        // A user turn cannot carry tool calls or thinking in Chat Completions.
        dropped.add(`content:${part.type}`);
    }
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
        toolCalls.push({ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments } });
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

/** Tool messages take text only: images in a result are reported, as is the error flag OpenAI has no place for. */
function encodeToolResult(part: ToolResultPart, dropped: Set<string>): OpenAIMessage {
  const text: Record<string, unknown>[] = [];
  for (const item of part.content) {
    if (item.type === 'text') text.push({ type: 'text', text: item.text });
    else dropped.add('content:tool_result:image');
  }
  if (part.isError === true) dropped.add('content:tool_result:is_error');
  return { role: 'tool', tool_call_id: part.toolCallId, content: text.length === 0 ? '' : compactContent(text) };
}

function encodeImage(part: ImagePart): Record<string, unknown> {
  const url = part.source.type === 'url' ? part.source.url : `data:${part.source.mediaType};base64,${part.source.data}`;
  return { type: 'image_url', image_url: { url, ...(part.detail === undefined ? {} : { detail: part.detail }) } };
}

/**
 * Chat Completions reads PDFs only, as a `file` part (base64 in a data: URL, or an uploaded
 * file's id). Plain text documents go as text, which every vendor reads; URLs cannot go.
 */
function encodeDocument(part: DocumentPart, profile: OpenAICompatibleProfile, dropped: Set<string>): Record<string, unknown> | undefined {
  const source = part.source;
  switch (source.type) {
    case 'text':
      return { type: 'text', text: source.text };
    case 'url':
      dropped.add('content:document:url');
      return undefined;
    case 'file_id':
      if (!profile.fileParts) break;
      return { type: 'file', file: { file_id: source.fileId } };
    case 'base64': {
      if (source.mediaType.startsWith('text/')) {
        const text = decodeBase64Text(source.data);
        if (text !== undefined) return { type: 'text', text };
      }
      if (!profile.fileParts || source.mediaType !== 'application/pdf') break;
      const filename = part.filename ?? part.title ?? 'document.pdf';
      return { type: 'file', file: { filename, file_data: `data:${source.mediaType};base64,${source.data}` } };
    }
  }
  dropped.add(`content:document:${source.type}`);
  return undefined;
}

function decodeBase64Text(data: string): string | undefined {
  try {
    const binary = atob(data);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** A lone text part goes as a plain string: some vendors (DeepSeek) read nothing else. */
function compactContent(parts: Record<string, unknown>[]): string | Record<string, unknown>[] {
  const only = parts.length === 1 ? parts[0] : undefined;
  return only && only.type === 'text' ? (only.text as string) : parts;
}
