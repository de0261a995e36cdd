import type { DocumentPart, ImagePart, Message, Part, TextPart, ToolResultPart } from '../../ir/chat.js';

/** A v2 Chat message as sent upstream (the SDK's ChatMessageV2, loosely typed, in wire names). */
export type CohereMessage = Record<string, unknown>;

/**
 * IR messages to v2 Chat messages. What cannot be expressed is named in `dropped` (a Set:
 * one warning per kind, however often it occurs).
 */
export function encodeCohereMessages(system: TextPart[], messages: Message[], dropped: Set<string>): CohereMessage[] {
  const out: CohereMessage[] = [];
  // v2 takes a system message with a list of text items, so the client's parts stay apart.
  if (system.length > 0) out.push({ role: 'system', content: system.map((part) => ({ type: 'text', text: part.text })) });
  for (const message of messages) {
    if (message.role === 'user') out.push(...encodeUserTurn(message.content, dropped));
    else out.push(...encodeAssistantTurn(message.content, dropped));
  }
  return out;
}

/**
 * Tool results become `tool` messages (v2's home for them), the rest a `user` message. Order
 * is kept: a run of other parts is flushed as one user message when a tool result follows it.
 */
function encodeUserTurn(parts: Part[], dropped: Set<string>): CohereMessage[] {
  const out: CohereMessage[] = [];
  let content: Record<string, unknown>[] = [];
  const flush = () => {
    if (content.length > 0) out.push({ role: 'user', content });
    content = [];
  };
  for (const part of parts) {
    switch (part.type) {
      case 'tool_result':
        flush();
        out.push(encodeToolResult(part, dropped));
        break;
      case 'text':
        content.push({ type: 'text', text: part.text });
        break;
      case 'image':
        content.push(encodeImage(part));
        break;
      case 'document': {
        const text = documentText(part, dropped);
        if (text !== undefined) content.push({ type: 'text', text });
        break;
      }
      default:
        // A user turn cannot carry tool calls or thinking in v2.
        dropped.add(`content:${part.type}`);
    }
  }
  flush();
  return out;
}

/**
 * With tool calls, the assistant's text travels as `tool_plan`: that is where v2 puts the words
 * a model says before calling tools (and where this provider's answers put them back, see
 * response.ts), so a Claude-style "Let me look that up" + tool_use round-trips. Thinking goes
 * back as v2 `thinking` content; a signature (Anthropic, Gemini) means nothing to Cohere and
 * is left behind, as is redacted thinking: history no other vendor can read, not a parameter.
 */
function encodeAssistantTurn(parts: Part[], dropped: Set<string>): CohereMessage[] {
  const texts: string[] = [];
  const thinking: Record<string, unknown>[] = [];
  const toolCalls: Record<string, unknown>[] = [];
  for (const part of parts) {
    switch (part.type) {
      case 'text':
        texts.push(part.text);
        break;
      case 'thinking':
        thinking.push({ type: 'thinking', thinking: part.text });
        break;
      case 'tool_call':
        toolCalls.push({ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments } });
        break;
      case 'redacted_thinking':
        break;
      default:
        // Assistant content is text and thinking only: no images, documents or tool results.
        dropped.add(`content:${part.type}:assistant`);
    }
  }
  if (texts.length === 0 && thinking.length === 0 && toolCalls.length === 0) return [];
  const message: CohereMessage = { role: 'assistant' };
  if (toolCalls.length > 0) {
    if (thinking.length > 0) message.content = thinking;
    if (texts.length > 0) message.tool_plan = texts.join('\n\n');
    message.tool_calls = toolCalls;
  } else {
    message.content = [...thinking, ...texts.map((text) => ({ type: 'text', text }))];
  }
  return [message];
}

/** v2 tool content is text or document items: images are reported, as is the error flag it has no place for. */
function encodeToolResult(part: ToolResultPart, dropped: Set<string>): CohereMessage {
  const content: Record<string, unknown>[] = [];
  for (const item of part.content) {
    if (item.type === 'text') content.push({ type: 'text', text: item.text });
    else dropped.add('content:tool_result:image');
  }
  if (part.isError === true) dropped.add('content:tool_result:is_error');
  // An empty list is refused as an empty turn; an empty text says "the tool returned nothing".
  if (content.length === 0) content.push({ type: 'text', text: '' });
  return { role: 'tool', tool_call_id: part.toolCallId, content };
}

/** v2 `image_url` takes https: and data: URLs alike (vision models only; others answer 400). */
function encodeImage(part: ImagePart): Record<string, unknown> {
  const url = part.source.type === 'url' ? part.source.url : `data:${part.source.mediaType};base64,${part.source.data}`;
  return { type: 'image_url', image_url: { url, ...(part.detail === undefined ? {} : { detail: part.detail }) } };
}

/**
 * v2 user content has no file item. Text documents go inline as text, where the model reads
 * them as the client meant; the top-level `documents` parameter was not used because it turns
 * the call into grounded generation (citations, a different prompt) that the client never
 * asked for, and it would move the text out of its turn. PDFs, URLs and file ids cannot go.
 */
function documentText(part: DocumentPart, dropped: Set<string>): string | undefined {
  const source = part.source;
  if (source.type === 'text') return source.text;
  if (source.type === 'base64' && source.mediaType.startsWith('text/')) {
    const text = decodeBase64Text(source.data);
    if (text !== undefined) return text;
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
