import type { ChatRequest, ToolChoice, ToolDefinition } from '../../ir/chat.js';
import type { EncodedRequest } from '../../ir/codec.js';
import { budgetForEffort } from '../../ir/reasoning.js';
import type { UpstreamTarget } from '../../ir/target.js';
import { baseUpstreamHeaders } from '../shared.js';
import { encodeContents, fillMissingCallSignatures, validatesCallSignatures } from './contents.js';
import type { HeaderFields } from '../../http/header-fields.js';
import type { HeaderReader } from '../../http/header-fields.js';

/** Where Gemini's native API lives when a model names no base URL. */
export const GEMINI_DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com/v1beta';

/** `{baseUrl}/models/{model}:{method}`; a configured `models/…` resource name is accepted too. */
export function geminiMethodUrl(model: UpstreamTarget, method: string): string {
  const name = model.upstreamModel.replace(/^models\//, '');
  return `${model.baseUrl}/models/${encodeURIComponent(name)}:${method}`;
}

export function geminiHeaders(model: UpstreamTarget, clientHeaders: HeaderReader): HeaderFields {
  const headers = baseUpstreamHeaders(model, clientHeaders);
  if (model.apiKey) headers.set('x-goog-api-key', model.apiKey);
  return headers;
}

/**
 * The IR as a `generateContent` call, or `streamGenerateContent?alt=sse` (one whole
 * GenerateContentResponse per SSE event) when streaming.
 */
export function encodeGeminiChatRequest(request: ChatRequest, model: UpstreamTarget, clientHeaders: HeaderReader): EncodedRequest {
  const dropped = new Set<string>();
  const body: Record<string, unknown> = {};

  const system = request.system.filter((part) => part.text !== '').map((part) => ({ text: part.text }));
  if (system.length > 0) body.systemInstruction = { parts: system };
  const contents = encodeContents(request.messages, dropped);
  if (validatesCallSignatures(model.upstreamModel)) fillMissingCallSignatures(contents);
  body.contents = contents;

  if (request.tools.length > 0) {
    body.tools = [{ functionDeclarations: request.tools.map(functionDeclaration) }];
    if (request.toolChoice) body.toolConfig = { functionCallingConfig: functionCallingConfig(request.toolChoice) };
  }

  const generationConfig = encodeGenerationConfig(request);
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;

  // Gemini's generateContent has no end-user field and no request metadata (Vertex AI's
  // `labels` are not in the Gemini API). It may always call functions in parallel, so only
  // a client forbidding that asks for something Gemini cannot do.
  if (request.user !== undefined) dropped.add('user');
  if (request.metadata !== undefined && Object.keys(request.metadata).length > 0) dropped.add('metadata');
  if (request.parallelToolCalls === false) dropped.add('parallelToolCalls');

  const url = request.stream ? `${geminiMethodUrl(model, 'streamGenerateContent')}?alt=sse` : geminiMethodUrl(model, 'generateContent');
  return {
    request: { url, headers: geminiHeaders(model, clientHeaders), body: JSON.stringify(body) },
    dropped: [...dropped],
  };
}

/**
 * `parametersJsonSchema` takes full JSON Schema as clients write it; the older `parameters`
 * takes only Gemini's OpenAPI subset, so it is never used. A tool without parameters sends none.
 */
function functionDeclaration(tool: ToolDefinition): Record<string, unknown> {
  const declaration: Record<string, unknown> = { name: tool.name };
  if (tool.description !== undefined) declaration.description = tool.description;
  if (Object.keys(tool.parameters).length > 0) declaration.parametersJsonSchema = tool.parameters;
  return declaration;
}

function functionCallingConfig(choice: ToolChoice): Record<string, unknown> {
  switch (choice.type) {
    case 'auto':
      return { mode: 'AUTO' };
    case 'none':
      return { mode: 'NONE' };
    case 'required':
      return { mode: 'ANY' };
    case 'tool':
      return { mode: 'ANY', allowedFunctionNames: [choice.name] };
  }
}

function encodeGenerationConfig(request: ChatRequest): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.topP !== undefined) config.topP = request.topP;
  if (request.topK !== undefined) config.topK = request.topK;
  if (request.maxOutputTokens !== undefined) config.maxOutputTokens = request.maxOutputTokens;
  if (request.stop.length > 0) config.stopSequences = request.stop;
  if (request.seed !== undefined) config.seed = request.seed;

  const format = request.responseFormat;
  if (format?.type === 'json_object') config.responseMimeType = 'application/json';
  else if (format?.type === 'json_schema') {
    config.responseMimeType = 'application/json';
    config.responseJsonSchema = format.schema;
  }

  const thinking = thinkingConfig(request);
  if (thinking) config.thinkingConfig = thinking;
  return config;
}

/**
 * Reasoning as Gemini's thinking budget: the client's budget, else its effort through the
 * shared table, else the model's own dynamic budget. Thoughts are asked for whenever the
 * client wants reasoning, since that is how a client sees it. Turning it off is budget 0
 * (some models, Gemini 2.5 Pro for one, cannot stop thinking and refuse that).
 */
function thinkingConfig(request: ChatRequest): Record<string, unknown> | undefined {
  const reasoning = request.reasoning;
  if (!reasoning) return undefined;
  if (!reasoning.enabled) return { thinkingBudget: 0 };
  const budget = reasoning.budgetTokens ?? (reasoning.effort ? budgetForEffort(reasoning.effort) : undefined);
  return budget === undefined ? { includeThoughts: true } : { thinkingBudget: budget, includeThoughts: true };
}
