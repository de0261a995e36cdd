import type { DocumentPart, ImagePart, Part, TextPart, ToolResultPart } from '../../ir/chat.js';
import { argumentsText } from '../../ir/arguments.js';
import { isBase64 } from '../../ir/media.js';
import { isRecord } from '../../json/record.js';
import { invalid, isSet, requireArray, requireRecord, requireString } from './validate.js';

/**
 * Message content blocks of a Messages request, decoded into IR parts.
 *
 * `cache_control` on any block is ignored without a warning: it is a hint for Anthropic's
 * prompt cache, and the providers this path serves (OpenAI, Gemini…) cache prompt prefixes
 * on their own, so dropping the marker changes cost at most, never the answer.
 *
 * Blocks that only mean something to Anthropic's servers (server tool calls and their
 * results, search results, container uploads, Files API images) are refused with a 400:
 * passing them on as text would change what the model sees.
 */

/** What decoding one request accumulates across its messages. */
export interface DecodeContext {
  /** tool_use id → tool name, from the assistant turns seen so far (tool results carry only the id). */
  toolNames: Map<string, string>;
  /** Client-facing names of what the IR cannot carry; reported, not refused. */
  unsupported: Set<string>;
}

const ANTHROPIC_ONLY_BLOCKS = new Set([
  'server_tool_use',
  'web_search_tool_result',
  'web_fetch_tool_result',
  'code_execution_tool_result',
  'bash_code_execution_tool_result',
  'text_editor_code_execution_tool_result',
  'tool_search_tool_result',
  'mcp_tool_use',
  'mcp_tool_result',
  'search_result',
  'container_upload',
  'tool_reference',
  'browser_state',
  'compaction',
]);

function refuseBlock(type: string, param: string): never {
  if (ANTHROPIC_ONLY_BLOCKS.has(type)) {
    throw invalid(param, `content block type '${type}' is specific to Anthropic's servers and cannot be sent to this model`);
  }
  throw invalid(param, `unknown content block type '${type}'`);
}

/** A message's `content`: a string (one text block) or a list of blocks. */
export function decodeContent(content: unknown, param: string, context: DecodeContext): Part[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return requireArray(content, param).map((block, index) => decodeBlock(block, `${param}.${index}`, context));
}

function decodeBlock(value: unknown, param: string, context: DecodeContext): Part {
  const block = requireRecord(value, param);
  const type = requireString(block.type, `${param}.type`);
  switch (type) {
    case 'text':
      return decodeText(block, param, context);
    case 'image':
      return decodeImage(block, param, context);
    case 'document':
      return decodeDocument(block, param, context);
    case 'tool_use': {
      const id = requireString(block.id, `${param}.id`);
      const name = requireString(block.name, `${param}.name`);
      context.toolNames.set(id, name);
      return { type: 'tool_call', id, name, arguments: toolInputText(block.input) };
    }
    case 'tool_result':
      return decodeToolResult(block, param, context);
    case 'thinking': {
      const text = requireString(block.thinking, `${param}.thinking`);
      const signature = typeof block.signature === 'string' && block.signature !== '' ? block.signature : undefined;
      return signature === undefined ? { type: 'thinking', text } : { type: 'thinking', text, signature };
    }
    case 'redacted_thinking':
      return { type: 'redacted_thinking', data: requireString(block.data, `${param}.data`) };
    default:
      return refuseBlock(type, `${param}.type`);
  }
}

/**
 * `input` as the IR's arguments text. The gateway answers a model's unparsable arguments as
 * `{"_raw": text}` (see argumentsObject); when that comes back in the history the model's
 * own text is restored rather than the wrapper.
 */
function toolInputText(input: unknown): string {
  if (isRecord(input)) {
    const keys = Object.keys(input);
    if (keys.length === 1 && keys[0] === '_raw' && typeof input._raw === 'string') return input._raw;
  }
  return argumentsText(input);
}

function decodeText(block: Record<string, unknown>, param: string, context: DecodeContext): TextPart {
  const text = requireString(block.text, `${param}.text`);
  // Citations point into documents Anthropic indexed; no other provider can take them.
  if (Array.isArray(block.citations) && block.citations.length > 0) context.unsupported.add('content.text.citations');
  return { type: 'text', text };
}

function decodeImage(block: Record<string, unknown>, param: string, context: DecodeContext): ImagePart {
  const source = requireRecord(block.source, `${param}.source`);
  if (isSet(block.transformations)) context.unsupported.add('content.image.transformations');
  const sourceType = requireString(source.type, `${param}.source.type`);
  switch (sourceType) {
    case 'base64':
      return { type: 'image', source: base64Source(source, `${param}.source`) };
    case 'url':
      return { type: 'image', source: { type: 'url', url: requireString(source.url, `${param}.source.url`) } };
    case 'file':
      throw invalid(`${param}.source`, 'images from the Files API (file_id) can only be read by Anthropic models');
    default:
      throw invalid(`${param}.source.type`, `unknown image source type '${sourceType}'`);
  }
}

/** A `base64` source, as image and document blocks both carry bytes. */
function base64Source(source: Record<string, unknown>, param: string): { type: 'base64'; mediaType: string; data: string } {
  const data = requireString(source.data, `${param}.data`);
  // Anthropic refuses data that is not base64, and so would any provider it could go to.
  if (!isBase64(data)) throw invalid(`${param}.data`, 'Input should be valid base64 data');
  return { type: 'base64', mediaType: requireString(source.media_type, `${param}.media_type`), data };
}

function decodeDocument(block: Record<string, unknown>, param: string, context: DecodeContext): DocumentPart {
  const source = requireRecord(block.source, `${param}.source`);
  const sourceType = requireString(source.type, `${param}.source.type`);
  if (isRecord(block.citations) && block.citations.enabled === true) context.unsupported.add('content.document.citations');
  if (isSet(block.context)) context.unsupported.add('content.document.context');
  const part = ((): DocumentPart => {
    switch (sourceType) {
      case 'base64':
        return { type: 'document', source: base64Source(source, `${param}.source`) };
      case 'text':
        return {
          type: 'document',
          source: {
            type: 'text',
            text: requireString(source.data, `${param}.source.data`),
            mediaType: typeof source.media_type === 'string' ? source.media_type : 'text/plain',
          },
        };
      case 'url':
        // The Messages API fetches URL documents as PDFs (URLPDFSource).
        return { type: 'document', source: { type: 'url', url: requireString(source.url, `${param}.source.url`), mediaType: 'application/pdf' } };
      case 'file':
        return { type: 'document', source: { type: 'file_id', fileId: requireString(source.file_id, `${param}.source.file_id`) } };
      case 'content':
        return { type: 'document', source: { type: 'text', text: contentSourceText(source.content, `${param}.source.content`), mediaType: 'text/plain' } };
      default:
        throw invalid(`${param}.source.type`, `unknown document source type '${sourceType}'`);
    }
  })();
  if (typeof block.title === 'string') part.title = block.title;
  return part;
}

/**
 * A custom-content document is text split into blocks for finer citations; without
 * citations the blocks read as one text, in order.
 */
function contentSourceText(content: unknown, param: string): string {
  if (typeof content === 'string') return content;
  return requireArray(content, param)
    .map((value, index) => {
      const block = requireRecord(value, `${param}.${index}`);
      if (block.type !== 'text') throw invalid(`${param}.${index}.type`, 'only text blocks can be read from a content document by this model');
      return requireString(block.text, `${param}.${index}.text`);
    })
    .join('\n\n');
}

function decodeToolResult(block: Record<string, unknown>, param: string, context: DecodeContext): ToolResultPart {
  const toolCallId = requireString(block.tool_use_id, `${param}.tool_use_id`);
  const result: ToolResultPart = { type: 'tool_result', toolCallId, content: toolResultContent(block.content, `${param}.content`, context) };
  const name = context.toolNames.get(toolCallId);
  if (name !== undefined) result.name = name;
  if (block.is_error === true) result.isError = true;
  return result;
}

function toolResultContent(content: unknown, param: string, context: DecodeContext): Array<TextPart | ImagePart> {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return requireArray(content, param).map((value, index) => {
    const itemParam = `${param}.${index}`;
    const block = requireRecord(value, itemParam);
    const type = requireString(block.type, `${itemParam}.type`);
    if (type === 'text') return decodeText(block, itemParam, context);
    if (type === 'image') return decodeImage(block, itemParam, context);
    if (type === 'document') throw invalid(`${itemParam}.type`, 'documents inside a tool result cannot be sent to this model; send them as a separate content block');
    return refuseBlock(type, `${itemParam}.type`);
  });
}
