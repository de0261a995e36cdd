// Google Gemini API (generativelanguage v1beta) answers for generateContent and
// streamGenerateContent, shaped as @google/genai types them (GenerateContentResponse,
// GenerateContentResponseUsageMetadata) and as the API sends them on the wire, which recorded
// traffic shows: non-streamed bodies pretty-printed with two-space indents; with `alt=sse`, each
// chunk in Google's compact JSON (`{"key": value,"next": ...}`) framed `data: ...\r\n\r\n`, every
// chunk with the usage so far, modelVersion and responseId, the last one with finishReason.

import { mockAnswerFor, mockGeminiUsage, mockTokenCount, splitForStreaming, type MockAnswer } from './answer.js';
import type { Reply } from './deliver.js';
import { geminiErrorBody } from './errors.js';
import type { AnswerContext } from './openai.js';

export const GEMINI_MODELS = ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-embedding-001'];

/** A fixed, valid-looking thoughtSignature: sent on function calls always, on the answer text when thoughts are included. */
export const MOCK_THOUGHT_SIGNATURE = 'bW9jay10aG91Z2h0LXNpZ25hdHVyZQ==';

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function geminiHeaders(contentType = 'application/json; charset=UTF-8'): Record<string, string> {
  return { 'content-type': contentType, vary: 'Origin, X-Origin, Referer' };
}

export function geminiError(code: number, message: string, status?: string, details?: unknown[]): Reply {
  return { kind: 'json', status: code, headers: geminiHeaders(), body: geminiErrorBody(code, message, status, details) };
}

/** Google's compact JSON, as in its SSE chunks: `": "` after each key, bare commas between members. */
export function googleCompactJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(googleCompactJson).join(',')}]`;
  if (isRecord(value)) {
    const members = Object.entries(value).filter(([, member]) => member !== undefined);
    return `{${members.map(([key, member]) => `${JSON.stringify(key)}: ${googleCompactJson(member)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function googlePrettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** `/v1beta/models/{model}:{method}` (or /v1/...), the shape of every Gemini model call. */
export function geminiCallOf(path: string): { model: string; method: string } | undefined {
  const match = /^\/v1(?:beta)?\/models\/([^/:]+):([A-Za-z]+)$/.exec(path);
  return match?.[1] && match[2] ? { model: decodeURIComponent(match[1]), method: match[2] } : undefined;
}

const API_KEY_INVALID_DETAILS = [
  {
    '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
    reason: 'API_KEY_INVALID',
    domain: 'googleapis.com',
    metadata: { service: 'generativelanguage.googleapis.com' },
  },
  { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message: 'API key not valid. Please pass a valid API key.' },
];

/**
 * What Gemini answers to missing or wrong credentials: a wrong key is a 400 INVALID_ARGUMENT
 * (reason API_KEY_INVALID), not a 401; no key at all a 403; a bearer token is taken for an OAuth
 * token and refused with a 401.
 */
export function geminiAuthFailure(headers: Record<string, string>, query: string, expectedKey: string | undefined): Reply | undefined {
  if (expectedKey === undefined) return undefined;
  const key = headers['x-goog-api-key'] ?? new URLSearchParams(query).get('key') ?? undefined;
  if (key === undefined && headers.authorization !== undefined) {
    const message =
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. ' +
      'See https://developers.google.com/identity/sign-in/web/devconsole-project.';
    return geminiError(401, message, 'UNAUTHENTICATED', [
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'ACCESS_TOKEN_TYPE_UNSUPPORTED', domain: 'googleapis.com' },
    ]);
  }
  if (key === undefined) {
    const message =
      "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.";
    return geminiError(403, message, 'PERMISSION_DENIED');
  }
  if (key !== expectedKey) return geminiError(400, 'API key not valid. Please pass a valid API key.', 'INVALID_ARGUMENT', API_KEY_INVALID_DETAILS);
  return undefined;
}

// Fields of GenerateContentRequest and GenerationConfig (lowerCamel; the API accepts snake_case too).
const REQUEST_FIELDS = new Set(['model', 'contents', 'tools', 'toolConfig', 'safetySettings', 'systemInstruction', 'generationConfig', 'cachedContent', 'serviceTier', 'store']);
const GENERATION_CONFIG_FIELDS = new Set([
  'stopSequences', 'responseMimeType', 'responseSchema', 'responseJsonSchema', '_responseJsonSchema', 'responseModalities',
  'candidateCount', 'maxOutputTokens', 'temperature', 'topP', 'topK', 'seed', 'presencePenalty', 'frequencyPenalty',
  'responseLogprobs', 'logprobs', 'enableEnhancedCivicAnswers', 'speechConfig', 'thinkingConfig', 'imageConfig', 'mediaResolution',
]);

const camelCase = (name: string) => name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** The 400 for a field the message does not have: protobuf JSON parsing rejects unknown names. */
export function unknownFieldError(name: string, at?: string): Reply {
  const message = `Invalid JSON payload received. Unknown name "${name}"${at ? ` at '${at}'` : ''}: Cannot find field.`;
  const violation = at ? { field: at, description: message } : { description: message };
  return geminiError(400, message, 'INVALID_ARGUMENT', [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [violation] }]);
}

export function invalidJsonError(): Reply {
  return geminiError(400, 'Invalid JSON payload received. Unexpected token.', 'INVALID_ARGUMENT');
}

/** Field errors are listed one per line, `* <Request>.<path>: <problem>`, each line ending in a newline. */
export function fieldError(path: string, problem: string): Reply {
  return geminiError(400, `* ${path}: ${problem}\n`, 'INVALID_ARGUMENT');
}

function partError(contentIndex: number, parts: unknown[]): Reply | undefined {
  for (const [partIndex, part] of parts.entries()) {
    if (!isRecord(part)) continue;
    for (const [camel, snake] of [['functionResponse', 'function_response'], ['functionCall', 'function_call']] as const) {
      const call = part[camel] ?? part[snake];
      if (isRecord(call) && (typeof call.name !== 'string' || call.name === '')) {
        return fieldError(`GenerateContentRequest.contents[${contentIndex}].parts[${partIndex}].${snake}.name`, 'Name cannot be empty.');
      }
    }
  }
  return undefined;
}

/** The 400 Gemini sends for a generateContent body it cannot use, or undefined when it is acceptable. */
function validationError(body: unknown, rawBody: string): Reply | undefined {
  if (body === undefined && rawBody.trim() !== '') return invalidJsonError();
  const request: unknown = body ?? {};
  if (!isRecord(request)) return invalidJsonError();
  const unknown = Object.keys(request).find((key) => !REQUEST_FIELDS.has(camelCase(key)));
  if (unknown !== undefined) return unknownFieldError(unknown);
  const config = request.generationConfig ?? request.generation_config;
  if (isRecord(config)) {
    const unknownConfig = Object.keys(config).find((key) => !GENERATION_CONFIG_FIELDS.has(camelCase(key)));
    if (unknownConfig !== undefined) return unknownFieldError(unknownConfig, 'generation_config');
  }
  const contents = request.contents;
  if (!Array.isArray(contents) || contents.length === 0) return fieldError('GenerateContentRequest.contents', 'contents is not specified');
  for (const [index, content] of contents.entries()) {
    if (!isRecord(content)) continue;
    if (content.role !== undefined && content.role !== '' && content.role !== 'user' && content.role !== 'model') {
      return geminiError(400, 'Please use a valid role: user, model.', 'INVALID_ARGUMENT');
    }
    if (!Array.isArray(content.parts) || content.parts.length === 0) {
      return fieldError(`GenerateContentRequest.contents[${index}].parts`, 'contents.parts must not be empty.');
    }
    const invalidPart = partError(index, content.parts);
    if (invalidPart) return invalidPart;
  }
  return undefined;
}

interface Chunk {
  parts: Json[];
  finishReason?: string;
  /** Output counts so far: candidates (answer text or call) and thoughts. */
  candidates: number;
  thoughts: number;
}

/** usageMetadata with the counts so far; zero counts are left out, as protobuf JSON does. */
function usageSoFar(body: Json, candidates: number, thoughts: number): Json {
  const final = mockGeminiUsage(body);
  return {
    promptTokenCount: final.promptTokenCount,
    candidatesTokenCount: candidates > 0 ? candidates : undefined,
    totalTokenCount: final.promptTokenCount + candidates + thoughts,
    cachedContentTokenCount: final.cachedContentTokenCount,
    promptTokensDetails: final.promptTokensDetails,
    cacheTokensDetails: final.cacheTokensDetails,
    thoughtsTokenCount: thoughts > 0 ? thoughts : undefined,
  };
}

function finishReasonOf(answer: MockAnswer): string {
  return answer.kind === 'text' && answer.truncated === true ? 'MAX_TOKENS' : 'STOP';
}

function functionCallPart(answer: Extract<MockAnswer, { kind: 'tool' }>): Json {
  return { functionCall: { name: answer.toolName, args: JSON.parse(answer.argumentsJson) as unknown }, thoughtSignature: MOCK_THOUGHT_SIGNATURE };
}

/** The answer as stream chunks: thought pieces, then text pieces (the last with finishReason), or one whole function call. */
function answerChunks(answer: MockAnswer, ctx: AnswerContext): Chunk[] {
  if (answer.kind === 'tool') {
    const tokens = mockTokenCount(answer.toolName + answer.argumentsJson);
    return [{ parts: [functionCallPart(answer)], finishReason: 'STOP', candidates: tokens, thoughts: 0 }];
  }
  const chunks: Chunk[] = [];
  let thoughtText = '';
  if (answer.thinking !== undefined) {
    for (const piece of splitForStreaming(answer.thinking)) {
      thoughtText += piece;
      chunks.push({ parts: [{ text: piece, thought: true }], candidates: 0, thoughts: mockTokenCount(thoughtText) });
    }
  }
  const thoughts = mockTokenCount(thoughtText);
  const pieces = splitForStreaming(answer.text, ctx.textPieces);
  let text = '';
  pieces.forEach((piece, index) => {
    text += piece;
    // The signature of the thoughts rides on the first part after them.
    const signature = index === 0 && answer.thinking !== undefined ? { thoughtSignature: MOCK_THOUGHT_SIGNATURE } : {};
    const last = index === pieces.length - 1;
    chunks.push({ parts: [{ text: piece, ...signature }], finishReason: last ? finishReasonOf(answer) : undefined, candidates: mockTokenCount(text), thoughts });
  });
  return chunks;
}

function answerParts(answer: MockAnswer): Json[] {
  if (answer.kind === 'tool') return [functionCallPart(answer)];
  if (answer.thinking === undefined) return [{ text: answer.text }];
  return [
    { text: answer.thinking, thought: true },
    { text: answer.text, thoughtSignature: MOCK_THOUGHT_SIGNATURE },
  ];
}

function responseObject(answer: MockAnswer, parts: Json[], finishReason: string | undefined, usageMetadata: Json, model: string, ctx: AnswerContext) {
  const finishMessage = answer.kind === 'tool' && finishReason !== undefined ? 'Model generated function call(s).' : undefined;
  return {
    candidates: [{ content: { parts, role: 'model' }, finishReason, index: 0, finishMessage }],
    usageMetadata,
    modelVersion: model,
    responseId: `mockResponse${String(ctx.sequence).padStart(6, '0')}`,
  };
}

export interface GeminiRequest {
  body: unknown;
  rawBody: string;
  query: string;
}

/** POST models/{model}:generateContent and :streamGenerateContent (SSE with alt=sse, else one JSON array). */
export function generateContentReply(model: string, stream: boolean, request: GeminiRequest, ctx: AnswerContext): Reply {
  const invalid = validationError(request.body, request.rawBody);
  if (invalid) return invalid;
  const body = (request.body ?? {}) as Json;
  const answer = mockAnswerFor('gemini', body);
  if (!stream) {
    const response = responseObject(answer, answerParts(answer), finishReasonOf(answer), mockGeminiUsage(body), model, ctx);
    return { kind: 'json', status: 200, headers: geminiHeaders(), body: googlePrettyJson(response) };
  }
  const chunks = answerChunks(answer, ctx).map((chunk) =>
    responseObject(answer, chunk.parts, chunk.finishReason, usageSoFar(body, chunk.candidates, chunk.thoughts), model, ctx),
  );
  if (new URLSearchParams(request.query).get('alt') !== 'sse') {
    // Without alt=sse the API streams one JSON array of the chunks; the mock sends it whole.
    return { kind: 'json', status: 200, headers: geminiHeaders(), body: googlePrettyJson(chunks) };
  }
  return {
    kind: 'sse',
    status: 200,
    headers: geminiHeaders('text/event-stream'),
    events: chunks.map((chunk) => `data: ${googleCompactJson(chunk)}\r\n\r\n`),
    // The SDK reads an `error` object in a chunk as the stream's failure.
    midStreamErrorEvent: `data: ${googleCompactJson({ error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } })}\r\n\r\n`,
  };
}

/** GET /v1beta/models. */
export function geminiModelsReply(): Reply {
  const models = GEMINI_MODELS.map((id) => ({
    name: `models/${id}`,
    version: '001',
    displayName: id,
    inputTokenLimit: 1_048_576,
    outputTokenLimit: id.includes('embedding') ? 1 : 65_536,
    supportedGenerationMethods: id.includes('embedding') ? ['embedContent', 'countTextTokens', 'countTokens'] : ['generateContent', 'countTokens'],
  }));
  return { kind: 'json', status: 200, headers: geminiHeaders(), body: googlePrettyJson({ models }) };
}
