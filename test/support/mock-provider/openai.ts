// OpenAI Chat Completions answers, shaped as openai@6 types them (ChatCompletion,
// ChatCompletionChunk, CompletionUsage) and as the API sends them on the wire.

import { mockAnswerFor, mockOpenAIUsage, splitForStreaming, type MockAnswer } from './answer.js';
import type { Reply } from './deliver.js';
import { openaiErrorBody, type OpenAIErrorFields } from './errors.js';

export interface AnswerContext {
  /** Sequence number of the answer, for ids that are unique and stable within one mock. */
  sequence: number;
  requestId: string;
  /** Unix seconds. */
  created: number;
  /** Number of pieces the answer text is streamed in (slowStream's `chunks`); default one per word. */
  textPieces?: number;
  /** See MockProviderOptions.openaiDialect. */
  dialect?: 'openai' | 'mistral';
}

/** Members Mistral refuses with a 422 (`extra_forbidden`): it has its own names for them. */
const MISTRAL_FORBIDDEN = ['stream_options', 'max_completion_tokens', 'seed'];

export const OPENAI_MODELS = ['gpt-4o-mini', 'gpt-4o'];

type Json = Record<string, unknown>;

export function openaiHeaders(requestId: string, contentType = 'application/json'): Record<string, string> {
  return { 'content-type': contentType, 'x-request-id': requestId, 'openai-version': '2020-10-01', 'openai-processing-ms': '1' };
}

export function openaiError(status: number, fields: OpenAIErrorFields, requestId: string): Reply {
  return { kind: 'json', status, headers: openaiHeaders(requestId), body: openaiErrorBody(fields) };
}

export const OPENAI_INVALID_JSON_MESSAGE =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. " +
  'The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)';

/** The 400 OpenAI sends for a body it cannot use, or undefined when the body is acceptable. */
function validationError(body: unknown, requestId: string): Reply | undefined {
  if (typeof body !== 'object' || body === null) {
    return openaiError(400, { message: OPENAI_INVALID_JSON_MESSAGE, type: 'invalid_request_error' }, requestId);
  }
  const { model, messages } = body as Json;
  if (typeof model !== 'string' || model === '') {
    return openaiError(400, { message: 'you must provide a model parameter', type: 'invalid_request_error' }, requestId);
  }
  if (!Array.isArray(messages) || messages.length === 0) {
    return openaiError(
      400,
      { message: "Missing required parameter: 'messages'.", type: 'invalid_request_error', param: 'messages', code: 'missing_required_parameter' },
      requestId,
    );
  }
  return undefined;
}

function toolCallId(sequence: number): string {
  return `call_mock${String(sequence).padStart(6, '0')}`;
}

export function chatCompletionReply(body: unknown, ctx: AnswerContext): Reply {
  const invalid = validationError(body, ctx.requestId);
  if (invalid) return invalid;
  const request = body as Json;
  const forbidden = ctx.dialect === 'mistral' ? MISTRAL_FORBIDDEN.find((name) => name in request) : undefined;
  if (forbidden) {
    const message = { detail: [{ type: 'extra_forbidden', loc: ['body', forbidden], msg: 'Extra inputs are not permitted' }] };
    return { kind: 'json', status: 422, headers: openaiHeaders(ctx.requestId), body: { object: 'error', message, type: 'invalid_request_message_error', param: null, code: null } };
  }
  const answer = mockAnswerFor('openai', request);
  return request.stream === true ? streamReply(request, answer, ctx) : completionReply(request, answer, ctx);
}

function completionReply(request: Json, answer: MockAnswer, ctx: AnswerContext): Reply {
  const message =
    answer.kind === 'tool'
      ? {
          role: 'assistant',
          content: null,
          refusal: null,
          annotations: [],
          tool_calls: [{ id: toolCallId(ctx.sequence), type: 'function', function: { name: answer.toolName, arguments: answer.argumentsJson } }],
        }
      : { role: 'assistant', content: answer.text, refusal: null, annotations: [] };
  const completion = {
    id: `chatcmpl-mock${ctx.sequence}`,
    object: 'chat.completion',
    created: ctx.created,
    model: request.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: answer.kind === 'tool' ? 'tool_calls' : 'stop' }],
    usage: mockOpenAIUsage(request),
    service_tier: 'default',
    system_fingerprint: 'fp_mock',
  };
  return { kind: 'json', status: 200, headers: openaiHeaders(ctx.requestId), body: completion };
}

/** The `delta`s of the chunks that carry choices, in order (the last one holds the finish_reason). */
function streamDeltas(answer: MockAnswer, ctx: AnswerContext): Array<{ delta: Json; finish_reason: string | null }> {
  if (answer.kind === 'tool') {
    // As OpenAI streams a call: id and name first with empty arguments, then argument fragments.
    const fragments = splitForStreaming(answer.argumentsJson, ctx.textPieces ?? Math.ceil(answer.argumentsJson.length / 8));
    return [
      {
        delta: {
          role: 'assistant',
          content: null,
          tool_calls: [{ index: 0, id: toolCallId(ctx.sequence), type: 'function', function: { name: answer.toolName, arguments: '' } }],
          refusal: null,
        },
        finish_reason: null,
      },
      ...fragments.map((fragment) => ({ delta: { tool_calls: [{ index: 0, function: { arguments: fragment } }] }, finish_reason: null })),
      { delta: {}, finish_reason: 'tool_calls' },
    ];
  }
  return [
    { delta: { role: 'assistant', content: '', refusal: null }, finish_reason: null },
    ...splitForStreaming(answer.text, ctx.textPieces).map((piece) => ({ delta: { content: piece }, finish_reason: null })),
    { delta: {}, finish_reason: 'stop' },
  ];
}

function streamReply(request: Json, answer: MockAnswer, ctx: AnswerContext): Reply {
  const options = (typeof request.stream_options === 'object' && request.stream_options !== null ? request.stream_options : {}) as Json;
  // Documented: with include_usage every chunk has `usage: null` except a last one with empty
  // choices and the totals; without it no chunk has a usage field at all.
  const includeUsage = options.include_usage === true;
  // OpenAI pads chunks with an `obfuscation` string unless include_obfuscation is false.
  const includeObfuscation = options.include_obfuscation !== false;
  const base = {
    id: `chatcmpl-mock${ctx.sequence}`,
    object: 'chat.completion.chunk',
    created: ctx.created,
    model: request.model,
    service_tier: 'default',
    system_fingerprint: 'fp_mock',
  };
  const chunks: Json[] = streamDeltas(answer, ctx).map(({ delta, finish_reason }) => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason }],
    ...(includeUsage ? { usage: null } : {}),
  }));
  if (includeUsage) chunks.push({ ...base, choices: [], usage: mockOpenAIUsage(request) });
  // Mistral puts the totals on its last chunk, the one with the finish_reason, unasked.
  if (ctx.dialect === 'mistral') chunks.at(-1)!.usage = mockOpenAIUsage(request);
  const events = chunks.map((chunk, index) => {
    const sent = includeObfuscation ? { ...chunk, obfuscation: 'mockpad'.slice(0, 1 + (index % 7)) } : chunk;
    return `data: ${JSON.stringify(sent)}\n\n`;
  });
  events.push('data: [DONE]\n\n');
  return { kind: 'sse', status: 200, headers: { ...openaiHeaders(ctx.requestId, 'text/event-stream; charset=utf-8'), 'cache-control': 'no-cache' }, events };
}

export function openaiModelsReply(requestId: string): Reply {
  const data = OPENAI_MODELS.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'system' }));
  return { kind: 'json', status: 200, headers: openaiHeaders(requestId), body: { object: 'list', data } };
}
