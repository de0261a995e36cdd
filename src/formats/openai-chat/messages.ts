import type { Message, Part, TextPart, ToolCallPart, ToolResultPart } from '../../ir/chat.js';
import { isRecord } from '../../json/record.js';
import { invalid, optionalArray, optionalString, readContentParts, requiredRecord, requiredString } from '../openai-fields.js';
import { readFilePart, readImagePart, readReasoningDetails, readTextContent, readTextPart } from './content.js';
import { pushAll } from '../../ir/push-all.js';

/** What the `messages` array of a Chat Completions request becomes in the IR. */
export interface DecodedMessages {
  system: TextPart[];
  messages: Message[];
  /** Message-level fields with no place in the IR, by their client-facing name. */
  unsupported: string[];
}

/**
 * Message fields read below, plus what our own answers carry and clients send back as they
 * got them (`annotations`; OpenRouter's `reasoning`, the text of `reasoning_details`).
 */
const MESSAGE_FIELDS = new Set([
  'role', 'content', 'name', 'tool_calls', 'tool_call_id', 'refusal', 'audio', 'function_call', 'reasoning_details',
  'reasoning_content', 'annotations', 'reasoning',
]);
const PART_FIELDS = new Set(['type', 'text', 'image_url', 'file', 'input_audio', 'refusal']);

const LEGACY_FUNCTIONS =
  "the legacy 'functions' / 'function_call' interface is not supported for this model: use 'tools' and 'tool_choice'";

/**
 * System and developer messages go to `system` in order; a run of `tool` messages becomes
 * one user message of `tool_result` parts (as Anthropic wants them), each named after the
 * assistant tool call it answers, since Gemini needs the name.
 */
export function decodeMessages(value: unknown): DecodedMessages {
  if (!Array.isArray(value)) throw invalid("'messages' must be an array", 'messages');
  if (value.length === 0) throw invalid("'messages' must contain at least one message", 'messages');
  const out: DecodedMessages = { system: [], messages: [], unsupported: [] };
  const toolNames = new Map<string, string>();
  let toolResults: ToolResultPart[] | undefined;

  value.forEach((raw, i) => {
    const param = `messages[${i}]`;
    const message = requiredRecord(raw, param);
    const role = message.role;
    if (role !== 'tool') toolResults = undefined;
    if (message.name !== undefined && message.name !== null) out.unsupported.push('messages[].name');
    reportUnknownFields(message, MESSAGE_FIELDS, 'messages[]', out.unsupported);
    if (Array.isArray(message.content)) {
      for (const part of message.content) reportUnknownFields(part, PART_FIELDS, 'messages[].content[]', out.unsupported);
    }
    switch (role) {
      case 'system':
      case 'developer':
        pushAll(out.system, readTextContent(message.content, `${param}.content`).filter((part) => part.text !== ''));
        break;
      case 'user':
        out.messages.push({ role: 'user', content: readUserContent(message.content, `${param}.content`) });
        break;
      case 'assistant': {
        const content = readAssistant(message, param, out.unsupported);
        for (const part of content) if (part.type === 'tool_call') toolNames.set(part.id, part.name);
        out.messages.push({ role: 'assistant', content });
        break;
      }
      case 'tool': {
        const result = readToolMessage(message, param, toolNames);
        if (toolResults) {
          toolResults.push(result);
        } else {
          toolResults = [result];
          out.messages.push({ role: 'user', content: toolResults });
        }
        break;
      }
      case 'function':
        throw invalid(LEGACY_FUNCTIONS, `${param}.role`);
      default:
        throw invalid(`'${param}.role' must be one of 'system', 'developer', 'user', 'assistant', 'tool'`, `${param}.role`);
    }
  });
  return out;
}

function readUserContent(content: unknown, param: string): Part[] {
  return readContentParts(content, param, (part, at): Part => {
    switch (part.type) {
      case 'text':
        return readTextPart(part, at);
      case 'image_url':
        return readImagePart(part, at);
      case 'file':
        return readFilePart(part, at);
      case 'input_audio':
        // Refused rather than reported: answering without the user's audio answers another question.
        throw invalid(`audio input ('${at}') is not supported for this model`, at);
      default:
        throw invalid(`'${at}.type' must be one of 'text', 'image_url', 'file', 'input_audio'`, `${at}.type`);
    }
  });
}

/** Thinking first, then text, then tool calls: the order the model produced them in. */
function readAssistant(message: Record<string, unknown>, param: string, unsupported: string[]): Part[] {
  const parts: Part[] = [];
  if (message.function_call !== undefined && message.function_call !== null) throw invalid(LEGACY_FUNCTIONS, `${param}.function_call`);
  if (message.audio !== undefined && message.audio !== null) unsupported.push('messages[].audio');

  const details = optionalArray(message.reasoning_details, `${param}.reasoning_details`);
  if (details && details.length > 0) {
    pushAll(parts, readReasoningDetails(details, `${param}.reasoning_details`));
  } else {
    // DeepSeek/vLLM clients hand back bare reasoning text: thinking without a signature.
    const reasoning = optionalString(message.reasoning_content, `${param}.reasoning_content`);
    if (reasoning) parts.push({ type: 'thinking', text: reasoning });
  }

  const content = message.content;
  if (typeof content === 'string') {
    if (content !== '') parts.push({ type: 'text', text: content });
  } else if (Array.isArray(content)) {
    content.forEach((raw, i) => {
      const at = `${param}.content[${i}]`;
      const part = requiredRecord(raw, at);
      if (part.type === 'text') parts.push(readTextPart(part, at));
      else if (part.type === 'refusal') parts.push({ type: 'text', text: requiredString(part.refusal, `${at}.refusal`) });
      else throw invalid(`'${at}.type' must be 'text' or 'refusal'`, `${at}.type`);
    });
  } else if (content !== undefined && content !== null) {
    throw invalid(`'${param}.content' must be a string, an array of content parts or null`, `${param}.content`);
  }
  // A refusal the model gave earlier is what it said: it stays in the history as text.
  const refusal = optionalString(message.refusal, `${param}.refusal`);
  if (refusal) parts.push({ type: 'text', text: refusal });

  const toolCalls = optionalArray(message.tool_calls, `${param}.tool_calls`) ?? [];
  toolCalls.forEach((raw, i) => parts.push(readToolCall(raw, `${param}.tool_calls[${i}]`)));
  return parts;
}

function readToolCall(raw: unknown, param: string): ToolCallPart {
  const call = requiredRecord(raw, param);
  if (call.type !== 'function') throw invalid(`'${param}.type' must be 'function' (custom tools are not supported for this model)`, `${param}.type`);
  const fn = requiredRecord(call.function, `${param}.function`);
  return {
    type: 'tool_call',
    id: requiredString(call.id, `${param}.id`),
    name: requiredString(fn.name, `${param}.function.name`),
    arguments: requiredString(fn.arguments, `${param}.function.arguments`),
  };
}

function readToolMessage(message: Record<string, unknown>, param: string, toolNames: Map<string, string>): ToolResultPart {
  const toolCallId = requiredString(message.tool_call_id, `${param}.tool_call_id`);
  const content = message.content;
  let parts: ToolResultPart['content'];
  if (typeof content === 'string') {
    parts = content === '' ? [] : [{ type: 'text', text: content }];
  } else if (Array.isArray(content)) {
    // The API types say text only; images are taken too, since the IR and most providers carry them.
    parts = content.map((raw, i) => {
      const at = `${param}.content[${i}]`;
      const part = requiredRecord(raw, at);
      return part.type === 'image_url' ? readImagePart(part, at) : readTextPart(part, at);
    });
  } else {
    parts = readTextContent(content, `${param}.content`);
  }
  const result: ToolResultPart = { type: 'tool_result', toolCallId, content: parts };
  const name = toolNames.get(toolCallId);
  if (name !== undefined) result.name = name;
  return result;
}

/**
 * Fields the IR has no place for (`cache_control` that OpenRouter and LiteLLM accept, OpenAI's
 * `prompt_cache_breakpoint`…) are reported by a path-like name, e.g. `messages[].content[].cache_control`.
 */
function reportUnknownFields(value: unknown, known: Set<string>, path: string, unsupported: string[]): void {
  if (!isRecord(value)) return;
  // Own keys of a parsed object; `for…in` makes no [key, value] pair per field, as Object.entries did.
  for (const key in value) {
    if (!Object.hasOwn(value, key) || known.has(key)) continue;
    const item = value[key];
    if (item !== undefined && item !== null) unsupported.push(`${path}.${key}`);
  }
}
