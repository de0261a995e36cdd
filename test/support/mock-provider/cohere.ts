// Cohere v2 chat answers (POST /v2/chat), shaped as cohere-ai@8 types them (V2ChatResponse,
// AssistantMessageResponse, Usage, the V2ChatStreamResponse events) and as the API sends them:
// compact snake_case JSON; streams as named SSE events
// (`event: content-delta\ndata: {"type":"content-delta",...}\n\n`) ending with message-end, no [DONE].

import { mockAnswerFor, mockCohereToolPlan, mockCohereUsage, splitForStreaming, type MockAnswer } from './answer.js';
import type { Reply } from './deliver.js';
import { cohereErrorBody } from './errors.js';
import type { AnswerContext } from './openai.js';

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function cohereHeaders(requestId: string, contentType = 'application/json'): Record<string, string> {
  return { 'content-type': contentType, 'x-debug-trace-id': requestId };
}

export function cohereError(status: number, message: string, requestId: string): Reply {
  return { kind: 'json', status, headers: cohereHeaders(requestId), body: cohereErrorBody(message, requestId) };
}

/** The 401 Cohere sends without a bearer key ("no api key supplied") or with a wrong one ("invalid api token"). */
export function cohereAuthFailure(headers: Record<string, string>, expectedKey: string | undefined, requestId: string): Reply | undefined {
  if (expectedKey === undefined) return undefined;
  const authorization = headers.authorization;
  if (authorization === undefined || !/^bearer\s+/i.test(authorization)) return cohereError(401, 'no api key supplied', requestId);
  if (authorization.replace(/^bearer\s+/i, '') !== expectedKey) return cohereError(401, 'invalid api token', requestId);
  return undefined;
}

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);

/** The 400 for a chat body Cohere cannot use (wording is the mock's: the API's exact texts are not documented). */
function validationError(body: unknown, requestId: string): Reply | undefined {
  if (!isRecord(body)) return cohereError(400, 'invalid request: could not parse the request body as JSON', requestId);
  if (typeof body.model !== 'string' || body.model === '') return cohereError(400, 'invalid request: model must be specified', requestId);
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return cohereError(400, 'invalid request: messages must contain at least one message', requestId);
  }
  for (const message of body.messages) {
    if (!isRecord(message) || !ROLES.has(String(message.role))) {
      return cohereError(400, "invalid request: message role must be one of 'system', 'user', 'assistant', 'tool'", requestId);
    }
    if (message.role === 'tool' && (typeof message.tool_call_id !== 'string' || message.tool_call_id === '')) {
      return cohereError(400, 'invalid request: tool messages must have a tool_call_id', requestId);
    }
  }
  return undefined;
}

/** A UUID-shaped id, unique within one mock. */
export function cohereId(sequence: number): string {
  return `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`;
}

function toolCallId(toolName: string, sequence: number): string {
  return `${toolName}_mock${String(sequence).padStart(8, '0')}`;
}

function finishReasonOf(answer: MockAnswer): string {
  if (answer.kind === 'tool') return 'TOOL_CALL';
  return answer.truncated === true ? 'MAX_TOKENS' : 'COMPLETE';
}

function messageObject(answer: MockAnswer, sequence: number): Json {
  if (answer.kind === 'tool') {
    return {
      role: 'assistant',
      tool_plan: mockCohereToolPlan(answer.toolName),
      tool_calls: [{ id: toolCallId(answer.toolName, sequence), type: 'function', function: { name: answer.toolName, arguments: answer.argumentsJson } }],
    };
  }
  const content: Json[] = [];
  if (answer.thinking !== undefined) content.push({ type: 'thinking', thinking: answer.thinking });
  content.push({ type: 'text', text: answer.text });
  return { role: 'assistant', content };
}

function frame(data: Json & { type: string }): string {
  return `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

function contentEvents(answer: Extract<MockAnswer, { kind: 'text' }>, ctx: AnswerContext): string[] {
  const blocks: Array<{ type: 'thinking' | 'text'; pieces: string[] }> = [];
  if (answer.thinking !== undefined) blocks.push({ type: 'thinking', pieces: splitForStreaming(answer.thinking) });
  blocks.push({ type: 'text', pieces: splitForStreaming(answer.text, ctx.textPieces) });
  return blocks.flatMap(({ type, pieces }, index) => [
    frame({ type: 'content-start', index, delta: { message: { content: { type, [type]: '' } } } }),
    ...pieces.map((piece) => frame({ type: 'content-delta', index, delta: { message: { content: { [type]: piece } } } })),
    frame({ type: 'content-end', index }),
  ]);
}

function toolEvents(answer: Extract<MockAnswer, { kind: 'tool' }>, ctx: AnswerContext): string[] {
  const fragments = splitForStreaming(answer.argumentsJson, ctx.textPieces ?? Math.ceil(answer.argumentsJson.length / 8));
  const call = { id: toolCallId(answer.toolName, ctx.sequence), type: 'function', function: { name: answer.toolName, arguments: '' } };
  return [
    ...splitForStreaming(mockCohereToolPlan(answer.toolName)).map((piece) => frame({ type: 'tool-plan-delta', delta: { message: { tool_plan: piece } } })),
    frame({ type: 'tool-call-start', index: 0, delta: { message: { tool_calls: call } } }),
    ...fragments.map((fragment) => frame({ type: 'tool-call-delta', index: 0, delta: { message: { tool_calls: { function: { arguments: fragment } } } } })),
    frame({ type: 'tool-call-end', index: 0 }),
  ];
}

/** POST /v2/chat, streamed when the body has `stream: true`. */
export function cohereChatReply(body: unknown, ctx: AnswerContext): Reply {
  const invalid = validationError(body, ctx.requestId);
  if (invalid) return invalid;
  const request = body as Json;
  const answer = mockAnswerFor('cohere', request);
  const id = cohereId(ctx.sequence);
  const usage = mockCohereUsage(request);
  if (request.stream !== true) {
    const response = { id, message: messageObject(answer, ctx.sequence), finish_reason: finishReasonOf(answer), usage };
    return { kind: 'json', status: 200, headers: cohereHeaders(ctx.requestId), body: response };
  }
  const start = { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] };
  const events = [
    frame({ id, type: 'message-start', delta: { message: start } }),
    ...(answer.kind === 'tool' ? toolEvents(answer, ctx) : contentEvents(answer, ctx)),
    frame({ type: 'message-end', delta: { finish_reason: finishReasonOf(answer), usage } }),
  ];
  return {
    kind: 'sse',
    status: 200,
    headers: { ...cohereHeaders(ctx.requestId, 'text/event-stream'), 'cache-control': 'no-cache' },
    events,
    // The documented in-stream failure: message-end with finish_reason ERROR and the error text.
    midStreamErrorEvent: frame({ type: 'message-end', delta: { error: 'internal server error', finish_reason: 'ERROR' } }),
  };
}
