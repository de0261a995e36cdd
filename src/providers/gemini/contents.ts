import { argumentsObject } from '../../ir/arguments.js';
import type { DocumentPart, ImagePart, Message, ThinkingPart, ToolCallPart, ToolResultPart } from '../../ir/chat.js';
import { GatewayError } from '../../errors.js';
import { decodeToolCallId, GEMINI_SIGNATURE_PREFIX } from './ids.js';
import { guessDocumentType, guessImageType, parseDataUrl } from './media.js';

/** A Gemini `Part` (one of text, inlineData, fileData, functionCall, functionResponse, plus `thought`/`thoughtSignature`). */
export type GeminiPart = Record<string, unknown>;

export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

/**
 * The IR history as Gemini `contents`. Tool results become `functionResponse` parts of the
 * user turn; Gemini needs the called function's name there, taken from the part or from the
 * tool call with that id earlier in the history. Signatures go back on the part they came on
 * (see ids.ts). Messages left with no parts are skipped: Gemini refuses empty contents.
 */
export function encodeContents(messages: Message[], dropped: Set<string>): GeminiContent[] {
  const toolNames = new Map<string, string>();
  const contents: GeminiContent[] = [];
  messages.forEach((message, messageIndex) => {
    const parts: GeminiPart[] = [];
    for (const part of message.content) {
      switch (part.type) {
        case 'text':
          if (part.text !== '') parts.push({ text: part.text });
          break;
        case 'image': {
          const encoded = encodeImage(part, dropped);
          if (encoded) parts.push(encoded);
          break;
        }
        case 'document': {
          const encoded = encodeDocument(part, dropped);
          if (encoded) parts.push(encoded);
          break;
        }
        case 'tool_call':
          toolNames.set(part.id, part.name);
          parts.push(encodeToolCall(part));
          break;
        case 'tool_result':
          parts.push(encodeToolResult(part, toolNames, messageIndex, dropped));
          break;
        case 'thinking':
          encodeThinking(part, parts, dropped);
          break;
        case 'redacted_thinking':
          // Another provider's encrypted reasoning: Gemini has no way to read it.
          dropped.add('content:redacted_thinking');
          break;
      }
    }
    if (parts.length > 0) contents.push({ role: message.role === 'assistant' ? 'model' : 'user', parts });
  });
  return contents;
}

/**
 * Google's documented stand-in signature for function calls Gemini did not make (history from
 * another model or provider, or calls whose id a client rewrote): it tells Gemini 3 to skip
 * signature validation for that call instead of refusing the request.
 */
export const SKIP_SIGNATURE_VALIDATION = 'skip_thought_signature_validator';

/**
 * Gemini 3 refuses a request (400 "Function call is missing a thought_signature") when the
 * first function call of a model step in the current turn comes without its signature. Calls
 * that came from Gemini carry theirs (see ids.ts); for the others, the first call of each model
 * content gets Google's stand-in, the one place Gemini itself would have put a signature.
 */
export function fillMissingCallSignatures(contents: GeminiContent[]): void {
  for (const content of contents) {
    if (content.role !== 'model') continue;
    const firstCall = content.parts.find((part) => part.functionCall !== undefined);
    if (firstCall && firstCall.thoughtSignature === undefined) firstCall.thoughtSignature = SKIP_SIGNATURE_VALIDATION;
  }
}

/** Gemini 3 and later models validate function-call signatures; older ones neither need nor check them. */
export function validatesCallSignatures(upstreamModel: string): boolean {
  const major = /^(?:models\/)?gemini-(\d+)/.exec(upstreamModel)?.[1];
  return major !== undefined && Number(major) >= 3;
}

/** An image as inlineData or fileData; a part Gemini could not read is reported and left out. */
export function encodeImage(part: ImagePart, dropped: Set<string>): GeminiPart | undefined {
  // Gemini sets media resolution per request or model, not per image.
  if (part.detail !== undefined && part.detail !== 'auto') dropped.add('content:image:detail');
  const { source } = part;
  if (source.type === 'base64') return { inlineData: { mimeType: source.mediaType, data: source.data } };
  if (source.url.startsWith('data:')) {
    const inline = parseDataUrl(source.url);
    if (inline) return { inlineData: inline };
  } else {
    const mimeType = guessImageType(source.url);
    if (mimeType) return { fileData: { mimeType, fileUri: source.url } };
  }
  dropped.add('content:image:url');
  return undefined;
}

function encodeDocument(part: DocumentPart, dropped: Set<string>): GeminiPart | undefined {
  const { source } = part;
  switch (source.type) {
    case 'base64':
      return { inlineData: { mimeType: source.mediaType, data: source.data } };
    case 'text':
      return source.text === '' ? undefined : { text: source.text };
    case 'file_id':
      // Another provider's file store: Gemini cannot fetch from it.
      dropped.add('content:document:file_id');
      return undefined;
    case 'url': {
      if (source.url.startsWith('data:')) {
        const inline = parseDataUrl(source.url);
        if (inline) return { inlineData: inline };
      } else {
        const mimeType = source.mediaType ?? guessDocumentType(source.url);
        if (mimeType) return { fileData: { mimeType, fileUri: source.url } };
      }
      dropped.add('content:document:url');
      return undefined;
    }
  }
}

function encodeToolCall(part: ToolCallPart): GeminiPart {
  const { geminiId, thoughtSignature } = decodeToolCallId(part.id);
  const functionCall: Record<string, unknown> = { name: part.name, args: argumentsObject(part.arguments) };
  if (geminiId !== undefined) functionCall.id = geminiId;
  return thoughtSignature === undefined ? { functionCall } : { functionCall, thoughtSignature };
}

/**
 * Gemini's `response` is an object; its documentation names `output` for a result and
 * `error` for a failure. Images go in `parts`, Gemini's multimodal function responses.
 */
function encodeToolResult(part: ToolResultPart, toolNames: Map<string, string>, messageIndex: number, dropped: Set<string>): GeminiPart {
  const name = part.name ?? toolNames.get(part.toolCallId);
  if (name === undefined) {
    throw new GatewayError(
      'invalid_request',
      `The tool result for call "${part.toolCallId}" names no function and no earlier tool call has that id; Gemini needs the function's name.`,
      { param: `messages[${messageIndex}]` },
    );
  }
  const texts: string[] = [];
  const media: GeminiPart[] = [];
  for (const item of part.content) {
    if (item.type === 'text') texts.push(item.text);
    else {
      const encoded = encodeImage(item, dropped);
      if (encoded) media.push(encoded);
    }
  }
  const text = texts.join('\n');
  const functionResponse: Record<string, unknown> = { name, response: part.isError ? { error: text } : { output: text } };
  const { geminiId } = decodeToolCallId(part.toolCallId);
  if (geminiId !== undefined) functionResponse.id = geminiId;
  if (media.length > 0) functionResponse.parts = media;
  return { functionResponse };
}

/**
 * Thoughts go back as `thought: true` text with their signature. Only signatures Gemini
 * made (marked with GEMINI_SIGNATURE_PREFIX) are sent: another provider's would be refused
 * as corrupted. A signature with no text is one Gemini put on an answer's text part (see
 * response.ts), so it returns to the text part just before it when there is one.
 */
function encodeThinking(part: ThinkingPart, parts: GeminiPart[], dropped: Set<string>): void {
  let signature: string | undefined;
  if (part.signature !== undefined && part.signature !== '') {
    if (part.signature.startsWith(GEMINI_SIGNATURE_PREFIX)) signature = part.signature.slice(GEMINI_SIGNATURE_PREFIX.length);
    else dropped.add('content:thinking:signature');
  }
  if (part.text === '') {
    if (signature === undefined) return;
    const previous = parts.at(-1);
    if (previous && typeof previous.text === 'string' && previous.thought !== true && previous.thoughtSignature === undefined) {
      previous.thoughtSignature = signature;
    } else {
      parts.push({ text: '', thoughtSignature: signature });
    }
    return;
  }
  parts.push(signature === undefined ? { text: part.text, thought: true } : { text: part.text, thought: true, thoughtSignature: signature });
}
