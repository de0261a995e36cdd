// Embedding endpoints of the three APIs that have one: OpenAI POST /v1/embeddings, Gemini
// models/{model}:embedContent and :batchEmbedContents, Cohere POST /v2/embed. Every vector is
// mockEmbedding(text, dims): a pure function of the input text, so tests can predict exact values.

import { mockTokenCount } from './answer.js';
import type { Reply } from './deliver.js';
import { cohereError, cohereHeaders, cohereId } from './cohere.js';
import { fieldError, geminiHeaders, googlePrettyJson, invalidJsonError, unknownFieldError } from './gemini.js';
import { OPENAI_INVALID_JSON_MESSAGE, openaiError, openaiHeaders, type AnswerContext } from './openai.js';

/** Dimensions of a mock embedding unless the request asks for others (dimensions, outputDimensionality, output_dimension). */
export const MOCK_EMBEDDING_DIMENSIONS = 8;

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** 32-bit FNV-1a over the UTF-16 code units of a string. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

/**
 * The mock's embedding of a text: value i is `((fnv1a32(i + ':' + text) % 2049) - 1024) / 1024`, in [-1, 1].
 * Multiples of 1/1024 are exact in float32, so a base64 (float32) round trip gives back the same numbers.
 */
export function mockEmbedding(text: string, dims: number = MOCK_EMBEDDING_DIMENSIONS): number[] {
  return Array.from({ length: dims }, (_, i) => ((fnv1a(`${i}:${text}`) % 2049) - 1024) / 1024);
}

/** A vector as OpenAI's and Cohere's `base64` encodings send it: little-endian float32 bytes, base64. */
export function mockEmbeddingBase64(values: number[]): string {
  const view = new DataView(new ArrayBuffer(values.length * 4));
  values.forEach((value, i) => view.setFloat32(i * 4, value, true));
  return Buffer.from(view.buffer).toString('base64');
}

function dimensionsOf(value: unknown): number | undefined {
  if (value === undefined || value === null) return MOCK_EMBEDDING_DIMENSIONS;
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 ? value : undefined;
}

// ---- OpenAI ----

/** OpenAI inputs: a string, strings, a token array or token arrays; a token array embeds as its JSON and bills its length. */
function openaiInputs(input: unknown): Array<{ text: string; tokens: number }> | undefined {
  const isTokens = (value: unknown): value is number[] => Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'number');
  const one = (value: unknown) =>
    typeof value === 'string' && value !== '' ? { text: value, tokens: mockTokenCount(value) } : isTokens(value) ? { text: JSON.stringify(value), tokens: value.length } : undefined;
  if (typeof input === 'string' || isTokens(input)) {
    const single = one(input);
    return single ? [single] : undefined;
  }
  if (!Array.isArray(input) || input.length === 0) return undefined;
  const all = input.map(one);
  return all.every((item) => item !== undefined) ? (all as Array<{ text: string; tokens: number }>) : undefined;
}

/**
 * POST /v1/embeddings: `data[i].embedding` is mockEmbedding(input i, dimensions ?? 8), as numbers
 * (encoding_format float, the API's default) or as mockEmbeddingBase64 (base64, the openai SDK's
 * default); usage.prompt_tokens = total_tokens = the sum of mockTokenCount(text) (token arrays: their length).
 */
export function openaiEmbeddingsReply(body: unknown, ctx: AnswerContext): Reply {
  const invalid = (message: string, param: string | null = null) => openaiError(400, { message, type: 'invalid_request_error', param }, ctx.requestId);
  if (!isRecord(body)) return invalid(OPENAI_INVALID_JSON_MESSAGE);
  if (typeof body.model !== 'string' || body.model === '') return invalid('you must provide a model parameter');
  if (body.input === undefined) return invalid("'input' is a required property");
  const inputs = openaiInputs(body.input);
  if (!inputs) return invalid("'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.");
  const format = body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') {
    return invalid(`Invalid value for 'encoding_format' = ${String(format)}. Supported values are: 'float' and 'base64'.`, 'encoding_format');
  }
  const dims = dimensionsOf(body.dimensions);
  if (dims === undefined) return invalid("Invalid value for 'dimensions': must be a positive integer.", 'dimensions');
  const data = inputs.map(({ text }, index) => {
    const values = mockEmbedding(text, dims);
    return { object: 'embedding', index, embedding: format === 'base64' ? mockEmbeddingBase64(values) : values };
  });
  const tokens = inputs.reduce((sum, input) => sum + input.tokens, 0);
  const response = { object: 'list', data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
  return { kind: 'json', status: 200, headers: openaiHeaders(ctx.requestId), body: response };
}

// ---- Gemini ----

const EMBED_REQUEST_FIELDS = new Set(['model', 'content', 'taskType', 'title', 'outputDimensionality']);

/** The text a Gemini Content embeds: its text parts joined with `\n`. */
function geminiText(content: Json): string {
  const parts = Array.isArray(content.parts) ? content.parts.filter(isRecord) : [];
  return parts.map((part) => (typeof part.text === 'string' ? part.text : '')).join('\n');
}

/** One EmbedContentRequest: its embedding `{values}`, or the 400 the API sends for it. */
function geminiEmbedding(request: unknown, path: string): { values: number[] } | Reply {
  if (!isRecord(request)) return invalidJsonError();
  const unknown = Object.keys(request).find((key) => !EMBED_REQUEST_FIELDS.has(key.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase())));
  if (unknown !== undefined) return unknownFieldError(unknown, path === 'EmbedContentRequest' ? undefined : path.replace(/^BatchEmbedContentsRequest\./, ''));
  const content = request.content;
  if (!isRecord(content) || !Array.isArray(content.parts) || content.parts.length === 0) return fieldError(`${path}.content`, 'content is not specified');
  const dims = dimensionsOf(request.outputDimensionality ?? request.output_dimensionality);
  if (dims === undefined) return fieldError(`${path}.output_dimensionality`, 'output_dimensionality must be a positive integer.');
  return { values: mockEmbedding(geminiText(content), dims) };
}

function isReply(value: unknown): value is Reply {
  return isRecord(value) && (value.kind === 'json' || value.kind === 'sse');
}

/** POST models/{model}:embedContent → `{embedding: {values}}`, values = mockEmbedding(parts text, outputDimensionality ?? 8). */
export function geminiEmbedContentReply(body: unknown, rawBody: string): Reply {
  if (body === undefined && rawBody.trim() !== '') return invalidJsonError();
  const embedding = geminiEmbedding(body ?? {}, 'EmbedContentRequest');
  if (isReply(embedding)) return embedding;
  return { kind: 'json', status: 200, headers: geminiHeaders(), body: googlePrettyJson({ embedding }) };
}

/**
 * POST models/{model}:batchEmbedContents → `{embeddings: [{values}, ...]}`, one per request, in order.
 * Each request must name the model of the URL (`models/<model>`), as the SDK does.
 */
export function geminiBatchEmbedReply(model: string, body: unknown, rawBody: string): Reply {
  if (body === undefined && rawBody.trim() !== '') return invalidJsonError();
  if (!isRecord(body)) return invalidJsonError();
  const unknown = Object.keys(body).find((key) => key !== 'requests');
  if (unknown !== undefined) return unknownFieldError(unknown);
  if (!Array.isArray(body.requests) || body.requests.length === 0) return fieldError('BatchEmbedContentsRequest.requests', 'requests is not specified');
  const embeddings: Array<{ values: number[] }> = [];
  for (const [index, request] of body.requests.entries()) {
    const path = `BatchEmbedContentsRequest.requests[${index}]`;
    if (isRecord(request) && request.model !== `models/${model}`) {
      return fieldError(`${path}.model`, `Model name must be the same as the model in the request URL: models/${model}.`);
    }
    const embedding = geminiEmbedding(request, path);
    if (isReply(embedding)) return embedding;
    embeddings.push(embedding);
  }
  return { kind: 'json', status: 200, headers: geminiHeaders(), body: googlePrettyJson({ embeddings }) };
}

// ---- Cohere ----

const COHERE_EMBEDDING_TYPES = ['float', 'int8', 'uint8', 'binary', 'ubinary', 'base64'];

/** Sign bits packed 8 to a byte, first value in the high bit (unsigned); `binary` is the same minus 128. */
function packedBits(values: number[]): number[] {
  const bytes: number[] = [];
  for (let i = 0; i < values.length; i += 8) {
    let byte = 0;
    for (let bit = 0; bit < 8; bit++) byte = (byte << 1) | ((values[i + bit] ?? 0) > 0 ? 1 : 0);
    bytes.push(byte);
  }
  return bytes;
}

/** One embedding in each asked type: int8 = round(v * 127), uint8 = round((v + 1) * 127.5), (u)binary = packed sign bits. */
function encodeAs(type: string, values: number[]): unknown {
  switch (type) {
    case 'int8':
      return values.map((value) => Math.round(value * 127));
    case 'uint8':
      return values.map((value) => Math.round((value + 1) * 127.5));
    case 'ubinary':
      return packedBits(values);
    case 'binary':
      return packedBits(values).map((byte) => byte - 128);
    case 'base64':
      return mockEmbeddingBase64(values);
    default:
      return values;
  }
}

/** Text of a Cohere `inputs` item: its text components joined with `\n` (images count as billed images). */
interface CohereItem {
  text: string;
  tokens: number;
  images: number;
}

function cohereInputItem(input: unknown): CohereItem {
  const content = isRecord(input) && Array.isArray(input.content) ? input.content.filter(isRecord) : [];
  const text = content
    .filter((part) => part.type === 'text' && typeof part.text === 'string')
    .map((part) => part.text as string)
    .join('\n');
  return { text, tokens: mockTokenCount(text), images: content.filter((part) => part.type === 'image_url').length };
}

/**
 * POST /v2/embed: texts, images (data URIs, embedded as their string) or inputs; `embeddings.<type>[i]`
 * is mockEmbedding(text i, output_dimension ?? 8) in each of embedding_types (default float);
 * meta.billed_units.input_tokens = the sum of mockTokenCount(text), images = number of images.
 */
export function cohereEmbedReply(body: unknown, ctx: AnswerContext): Reply {
  const invalid = (message: string) => cohereError(400, message, ctx.requestId);
  if (!isRecord(body)) return invalid('invalid request: could not parse the request body as JSON');
  if (typeof body.model !== 'string' || body.model === '') return invalid('invalid request: model must be specified');
  if (typeof body.input_type !== 'string') return invalid('invalid request: input_type is required for embed models v3 and higher');
  const texts = Array.isArray(body.texts) ? body.texts : [];
  const images = Array.isArray(body.images) ? body.images : [];
  const items: CohereItem[] = [
    ...texts.map((text) => ({ text: String(text), tokens: mockTokenCount(String(text)), images: 0 })),
    ...images.map((image) => ({ text: String(image), tokens: 0, images: 1 })),
    ...(Array.isArray(body.inputs) ? body.inputs.map(cohereInputItem) : []),
  ];
  if (items.length === 0) return invalid('invalid request: one of texts, images or inputs must be provided');
  const types = Array.isArray(body.embedding_types) ? body.embedding_types.map(String) : ['float'];
  const badType = types.find((type) => !COHERE_EMBEDDING_TYPES.includes(type));
  if (badType !== undefined) return invalid(`invalid request: embedding_types must be one of ${COHERE_EMBEDDING_TYPES.join(', ')}; got ${badType}`);
  const dims = dimensionsOf(body.output_dimension);
  if (dims === undefined) return invalid('invalid request: output_dimension must be a positive integer');
  const vectors = items.map((item) => mockEmbedding(item.text, dims));
  const embeddings = Object.fromEntries(types.map((type) => [type, vectors.map((values) => encodeAs(type, values))]));
  const imageCount = items.reduce((sum, item) => sum + item.images, 0);
  const billedUnits = { input_tokens: items.reduce((sum, item) => sum + item.tokens, 0), ...(imageCount > 0 ? { images: imageCount } : {}) };
  const response = {
    id: cohereId(ctx.sequence),
    ...(texts.length > 0 ? { texts: texts.map(String) } : {}),
    embeddings,
    meta: { api_version: { version: '2' }, billed_units: billedUnits },
    response_type: 'embeddings_by_type',
  };
  return { kind: 'json', status: 200, headers: cohereHeaders(ctx.requestId), body: response };
}
