import { argumentsObject } from '../../ir/arguments.js';
import type { DocumentPart, ImagePart, Message, Part, TextPart, ToolResultPart } from '../../ir/chat.js';
import { base64ToText, normalizeMediaType, parseDataUrl } from './media.js';
import { pushAll } from '../../ir/push-all.js';

/** A Messages API content block, built as plain JSON. */
export type AnthropicBlock = Record<string, unknown>;

export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: AnthropicBlock[];
}

/**
 * IR turns → Messages API turns. The API wants user and assistant turns to alternate, so
 * consecutive turns of one role (an OpenAI `tool` message followed by a user message)
 * merge into one, and it wants a user turn's tool results before anything else in it.
 * What cannot be sent is named in `dropped`.
 */
export function encodeMessages(messages: Message[], dropped: Set<string>): AnthropicMessage[] {
  const turns: AnthropicMessage[] = [];
  for (const message of messages) {
    const blocks = message.content.flatMap((part) => encodePart(part, dropped));
    // A turn left empty (only empty text) would be refused; it said nothing anyway.
    if (blocks.length === 0) continue;
    const last = turns.at(-1);
    if (last && last.role === message.role) pushAll(last.content, blocks);
    else turns.push({ role: message.role, content: blocks });
  }
  for (const turn of turns) {
    if (turn.role === 'user') turn.content = toolResultsFirst(turn.content);
  }
  return turns;
}

/** System instructions as text blocks; the API refuses empty ones. */
export function encodeSystem(system: TextPart[]): AnthropicBlock[] {
  return system.filter((part) => part.text !== '').map((part) => ({ type: 'text', text: part.text }));
}

function toolResultsFirst(blocks: AnthropicBlock[]): AnthropicBlock[] {
  const results = blocks.filter((block) => block.type === 'tool_result');
  if (results.length === 0) return blocks;
  return [...results, ...blocks.filter((block) => block.type !== 'tool_result')];
}

function encodePart(part: Part, dropped: Set<string>): AnthropicBlock[] {
  switch (part.type) {
    case 'text':
      // Empty text blocks are refused by the API (OpenAI clients send "" beside tool calls).
      return part.text === '' ? [] : [{ type: 'text', text: part.text }];
    case 'image':
      return encodeImage(part, dropped);
    case 'document':
      return encodeDocument(part, dropped);
    case 'tool_call':
      return [{ type: 'tool_use', id: part.id, name: part.name, input: argumentsObject(part.arguments) }];
    case 'tool_result':
      return [encodeToolResult(part, dropped)];
    case 'thinking':
      // The API verifies every thinking block it is sent by its signature: one without cannot go back.
      if (part.signature === undefined || part.signature === '') {
        dropped.add('content:thinking:unsigned');
        return [];
      }
      return [{ type: 'thinking', thinking: part.text, signature: part.signature }];
    case 'redacted_thinking':
      return [{ type: 'redacted_thinking', data: part.data }];
  }
}

function encodeToolResult(part: ToolResultPart, dropped: Set<string>): AnthropicBlock {
  const content = part.content.flatMap((item) => (item.type === 'text' ? encodePart(item, dropped) : encodeImage(item, dropped)));
  return {
    type: 'tool_result',
    tool_use_id: part.toolCallId,
    ...(content.length > 0 ? { content } : {}),
    ...(part.isError ? { is_error: true } : {}),
  };
}

function encodeImage(part: ImagePart, dropped: Set<string>): AnthropicBlock[] {
  // Anthropic has no resolution knob; `auto` is what it does anyway.
  if (part.detail === 'low' || part.detail === 'high') dropped.add('content:image:detail');
  const { source } = part;
  if (source.type === 'base64') {
    return [{ type: 'image', source: { type: 'base64', media_type: normalizeMediaType(source.mediaType), data: source.data } }];
  }
  if (/^data:/i.test(source.url)) {
    const inline = parseDataUrl(source.url);
    if (!inline) {
      dropped.add('content:image');
      return [];
    }
    return [{ type: 'image', source: { type: 'base64', media_type: inline.mediaType, data: inline.data } }];
  }
  return [{ type: 'image', source: { type: 'url', url: source.url } }];
}

function encodeDocument(part: DocumentPart, dropped: Set<string>): AnthropicBlock[] {
  const source = documentSource(part.source);
  if (!source) {
    dropped.add('content:document');
    return [];
  }
  // Anthropic has no file name field; the title is what the model sees of either.
  const title = part.title ?? part.filename;
  return [{ type: 'document', source, ...(title ? { title } : {}) }];
}

/** Anthropic reads PDFs (bytes, URL or uploaded file) and plain text; other kinds have no source here. */
function documentSource(source: DocumentPart['source']): AnthropicBlock | undefined {
  switch (source.type) {
    case 'base64':
      return inlineDocument(source.mediaType, source.data);
    case 'url': {
      if (!/^data:/i.test(source.url)) return { type: 'url', url: source.url };
      const inline = parseDataUrl(source.url);
      return inline ? inlineDocument(inline.mediaType, inline.data) : undefined;
    }
    case 'text':
      return { type: 'text', media_type: 'text/plain', data: source.text };
    case 'file_id':
      return { type: 'file', file_id: source.fileId };
  }
}

function inlineDocument(mediaType: string, data: string): AnthropicBlock | undefined {
  const type = normalizeMediaType(mediaType);
  if (type === 'application/pdf') return { type: 'base64', media_type: 'application/pdf', data };
  if (type.startsWith('text/')) {
    const text = base64ToText(data);
    if (text !== undefined) return { type: 'text', media_type: 'text/plain', data: text };
  }
  return undefined;
}
