import type { Message, Part, TextPart } from '../../ir/chat.js';
import { readMessageContent, readToolOutput, type MessageRole } from './content.js';
import { invalid, isGiven, oneOf, requiredRecord, requiredString } from '../openai-fields.js';
import { readReasoningItem } from './reasoning.js';
import { pushAll } from '../../ir/push-all.js';

export interface DecodedInput {
  system: TextPart[];
  messages: Message[];
}

/**
 * `input` as IR turns. A string is one user message. A list of items is read in order:
 * messages, `function_call` (assistant tool calls, id = `call_id`), `function_call_output`
 * (tool results in a user turn) and `reasoning` (thinking). Consecutive items of the same IR
 * role join one message, as providers with strict turn alternation need. System and
 * developer messages go to the IR's system text, in order, wherever they stood.
 */
export function decodeInput(input: unknown, unsupported: string[]): DecodedInput {
  if (typeof input === 'string') return { system: [], messages: [{ role: 'user', content: [{ type: 'text', text: input }] }] };
  if (!Array.isArray(input)) throw invalid("'input' must be a string or an array of input items", 'input');

  const out: DecodedInput = { system: [], messages: [] };
  const toolNames = new Map<string, string>();
  const append = (role: Message['role'], parts: Part[]): void => {
    const last = out.messages.at(-1);
    if (last && last.role === role) pushAll(last.content, parts);
    else out.messages.push({ role, content: parts });
  };

  input.forEach((raw, i) => {
    const param = `input[${i}]`;
    const item = requiredRecord(raw, param);
    // EasyInputMessage may leave out `type`.
    const type = item.type ?? (item.role !== undefined ? 'message' : undefined);
    switch (type) {
      case 'message': {
        const role = oneOf<MessageRole>(item.role, ['user', 'assistant', 'system', 'developer'], `${param}.role`);
        if (isGiven(item.phase)) unsupported.push('input[].phase');
        const parts = readMessageContent(role, item.content, `${param}.content`, unsupported);
        if (role === 'system' || role === 'developer') pushAll(out.system, parts as TextPart[]);
        else append(role, parts);
        return;
      }
      case 'function_call': {
        const id = requiredString(item.call_id, `${param}.call_id`);
        const name = requiredString(item.name, `${param}.name`);
        toolNames.set(id, name);
        append('assistant', [{ type: 'tool_call', id, name, arguments: requiredString(item.arguments, `${param}.arguments`) }]);
        return;
      }
      case 'function_call_output': {
        const toolCallId = requiredString(item.call_id, `${param}.call_id`);
        const content = readToolOutput(item.output, `${param}.output`, unsupported);
        const name = toolNames.get(toolCallId);
        append('user', [{ type: 'tool_result', toolCallId, ...(name === undefined ? {} : { name }), content }]);
        return;
      }
      case 'reasoning':
        append('assistant', [readReasoningItem(item, param)]);
        return;
      case 'item_reference':
        throw invalid(`'${param}': item references point at stored items, and this gateway stores none; send the item itself`, `${param}.type`);
      case undefined:
        throw invalid(`'${param}' must have a 'type' or a 'role'`, param);
      default:
        throw invalid(
          `'${param}.type' '${String(type)}' is not supported by this gateway: only messages, function calls and their outputs, and reasoning items can be sent to other providers`,
          `${param}.type`,
        );
    }
  });
  return out;
}
