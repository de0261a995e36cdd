// The 400s OpenAI's Responses API sends for bodies it cannot use, and the memory of stored
// responses that previous_response_id and function_call_output items are checked against.

import type { Reply } from './deliver.js';
import { openaiError, OPENAI_INVALID_JSON_MESSAGE } from './openai.js';
import { responsesInputItems } from './responses-request.js';

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What the mock remembers of a stored response: the call ids of its context, and the calls it made. */
interface StoredResponse {
  /** Every function call id of the conversation up to and including this response. */
  knownCalls: Set<string>;
  /** The function calls this response made: the next turn must answer each one. */
  pendingCalls: string[];
}

/** Oldest stored responses are forgotten beyond this many, so that long benchmarks do not grow without bound. */
const STORE_LIMIT = 10_000;

/** The responses one mock created with `store` not false (as OpenAI, unstored responses cannot be continued). */
export class ResponsesStore {
  readonly #responses = new Map<string, StoredResponse>();

  get(id: string): StoredResponse | undefined {
    return this.#responses.get(id);
  }

  save(id: string, response: StoredResponse): void {
    this.#responses.set(id, response);
    if (this.#responses.size > STORE_LIMIT) this.#responses.delete(this.#responses.keys().next().value!);
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'number' || typeof value === 'boolean' ? `a ${typeof value}` : typeof value;
}

function missing(param: string, requestId: string): Reply {
  return openaiError(400, { message: `Missing required parameter: '${param}'.`, type: 'invalid_request_error', param, code: 'missing_required_parameter' }, requestId);
}

function invalidType(param: string, expected: string, value: unknown, requestId: string): Reply {
  const message = `Invalid type for '${param}': expected ${expected}, but got ${typeName(value)} instead.`;
  return openaiError(400, { message, type: 'invalid_request_error', param, code: 'invalid_type' }, requestId);
}

function invalidInput(message: string, requestId: string): Reply {
  return openaiError(400, { message, type: 'invalid_request_error', param: 'input', code: null }, requestId);
}

const ROLES = ['assistant', 'system', 'developer', 'user'];

function itemError(item: unknown, index: number, requestId: string): Reply | undefined {
  const at = `input[${index}]`;
  if (!isRecord(item)) return invalidType(at, 'an input item', item, requestId);
  if (item.type === undefined || item.type === 'message') {
    if (item.role === undefined) return missing(`${at}.role`, requestId);
    if (typeof item.role !== 'string' || !ROLES.includes(item.role)) {
      const message = `Invalid value: '${String(item.role)}'. Supported values are: 'assistant', 'system', 'developer', and 'user'.`;
      return openaiError(400, { message, type: 'invalid_request_error', param: `${at}.role`, code: 'invalid_value' }, requestId);
    }
    if (item.content === undefined) return missing(`${at}.content`, requestId);
    if (typeof item.content !== 'string' && !Array.isArray(item.content)) {
      return invalidType(`${at}.content`, 'one of a string or array of input content', item.content, requestId);
    }
  }
  if (item.type === 'function_call') {
    for (const field of ['call_id', 'name', 'arguments']) if (typeof item[field] !== 'string') return missing(`${at}.${field}`, requestId);
  }
  if (item.type === 'function_call_output') {
    if (typeof item.call_id !== 'string') return missing(`${at}.call_id`, requestId);
    if (item.output === undefined) return missing(`${at}.output`, requestId);
  }
  return undefined;
}

function toolsError(tools: unknown, requestId: string): Reply | undefined {
  if (tools === undefined || tools === null) return undefined;
  if (!Array.isArray(tools)) return invalidType('tools', 'an array', tools, requestId);
  for (const [index, tool] of tools.entries()) {
    if (!isRecord(tool) || typeof tool.type !== 'string') return missing(`tools[${index}].type`, requestId);
    // Chat Completions' nested {type:'function', function:{name}} lands here too: the API names the missing field.
    if (tool.type === 'function' && typeof tool.name !== 'string') return missing(`tools[${index}].name`, requestId);
  }
  return undefined;
}

/**
 * Function calls and their outputs must pair up, as the API checks: each function_call_output names
 * a call of the conversation (the input, or the previous response's context), and each call the
 * previous response made (or a function_call item of the input) has its output in the input.
 */
function pairingError(items: Json[], previous: StoredResponse | undefined, requestId: string): Reply | undefined {
  const inputCalls = items.flatMap((item) => (item.type === 'function_call' && typeof item.call_id === 'string' ? [item.call_id] : []));
  const answered = new Set(items.flatMap((item) => (item.type === 'function_call_output' && typeof item.call_id === 'string' ? [item.call_id] : [])));
  const known = new Set([...(previous?.knownCalls ?? []), ...inputCalls]);
  const unknownOutput = [...answered].find((callId) => !known.has(callId));
  if (unknownOutput !== undefined) return invalidInput(`No tool call found for function call output with call_id ${unknownOutput}.`, requestId);
  const unanswered = [...(previous?.pendingCalls ?? []), ...inputCalls].find((callId) => !answered.has(callId));
  if (unanswered !== undefined) return invalidInput(`No tool output found for function call ${unanswered}.`, requestId);
  return undefined;
}

/** The call ids known after a request's input: the previous response's context and the input's calls. */
export function contextCalls(body: Json, store: ResponsesStore): Set<string> {
  const previous = typeof body.previous_response_id === 'string' ? store.get(body.previous_response_id) : undefined;
  const inputCalls = responsesInputItems(body).flatMap((item) => (item.type === 'function_call' && typeof item.call_id === 'string' ? [item.call_id] : []));
  return new Set([...(previous?.knownCalls ?? []), ...inputCalls]);
}

/** The 400 OpenAI sends for a POST /v1/responses body it cannot use, or undefined when it is acceptable. */
export function responsesValidationError(body: unknown, store: ResponsesStore, requestId: string): Reply | undefined {
  if (!isRecord(body)) return openaiError(400, { message: OPENAI_INVALID_JSON_MESSAGE, type: 'invalid_request_error' }, requestId);
  if (typeof body.model !== 'string' || body.model === '') return missing('model', requestId);
  const { input } = body;
  if (input !== undefined && typeof input !== 'string' && !Array.isArray(input)) {
    return invalidType('input', 'one of a string or array of input items', input, requestId);
  }
  if (Array.isArray(input)) {
    for (const [index, item] of input.entries()) {
      const invalid = itemError(item, index, requestId);
      if (invalid) return invalid;
    }
  }
  const invalidTools = toolsError(body.tools, requestId);
  if (invalidTools) return invalidTools;
  let previous: StoredResponse | undefined;
  const previousId = body.previous_response_id;
  if (previousId !== undefined && previousId !== null) {
    previous = typeof previousId === 'string' ? store.get(previousId) : undefined;
    if (!previous) {
      const message = `Previous response with id '${String(previousId)}' not found.`;
      return openaiError(400, { message, type: 'invalid_request_error', param: 'previous_response_id', code: 'previous_response_not_found' }, requestId);
    }
  }
  return pairingError(responsesInputItems(body), previous, requestId);
}
