import type { DocumentPart, Message, Part, TextPart, ToolResultPart } from '../../ir/chat.js';
import { documentAsText, encodeToolCall, encodeUserContent, toolResultText } from '../openai/messages.js';
import { pushAll } from '../../ir/push-all.js';

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
    if (message.role === 'user') pushAll(out, encodeUserTurn(message.content, dropped));
    else pushAll(out, encodeAssistantTurn(message.content, dropped));
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
    if (part.type === 'tool_result') {
      flush();
      out.push(encodeToolResult(part, dropped));
      continue;
    }
    // v2 `image_url` takes https: and data: URLs alike (vision models only; others answer 400).
    const item = encodeUserContent(part, dropped, (document) => {
      const text = documentText(document, dropped);
      return text === undefined ? undefined : { type: 'text', text };
    });
    if (item) content.push(item);
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
        toolCalls.push(encodeToolCall(part));
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
  const content = toolResultText(part, dropped);
  // An empty list is refused as an empty turn; an empty text says "the tool returned nothing".
  if (content.length === 0) content.push({ type: 'text', text: '' });
  return { role: 'tool', tool_call_id: part.toolCallId, content };
}

/**
 * v2 user content has no file item. Text documents go inline as text, where the model reads
 * them as the client meant; the top-level `documents` parameter was not used because it turns
 * the call into grounded generation (citations, a different prompt) that the client never
 * asked for, and it would move the text out of its turn. PDFs, URLs and file ids cannot go.
 */
function documentText(part: DocumentPart, dropped: Set<string>): string | undefined {
  const text = documentAsText(part.source);
  if (text === undefined) dropped.add(`content:document:${part.source.type}`);
  return text;
}
