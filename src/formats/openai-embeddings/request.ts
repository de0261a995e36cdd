import type { EmbeddingRequest } from '../../ir/embeddings.js';
import { invalid } from '../openai-fields.js';

/** OpenAI's own limit on the number of inputs in one embeddings call. */
const MAX_INPUTS = 2048;

/** Fields read here, or by the response encoder (`encoding_format`). Anything else is reported. */
const HANDLED = new Set(['model', 'input', 'encoding_format', 'dimensions', 'user']);

/** Reads an embeddings request (EmbeddingCreateParams) into the IR. */
export function decodeEmbeddingsRequest(body: Record<string, unknown>): EmbeddingRequest {
  if (typeof body.model !== 'string' || body.model === '') throw invalid("'model' must be a non-empty string", 'model');
  const request: EmbeddingRequest = { model: body.model, input: decodeInput(body.input), unsupported: [] };
  encodingFormat(body);

  const dimensions = body.dimensions;
  if (dimensions !== undefined && dimensions !== null) {
    if (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1) {
      throw invalid("'dimensions' must be a positive integer", 'dimensions');
    }
    request.dimensions = dimensions;
  }
  if (body.user !== undefined && body.user !== null) {
    if (typeof body.user !== 'string') throw invalid("'user' must be a string", 'user');
    request.user = body.user;
  }
  for (const [key, value] of Object.entries(body)) {
    if (!HANDLED.has(key) && value !== null && value !== undefined) request.unsupported.push(key);
  }
  return request;
}

/** `float` unless the client asked for `base64` (which the openai SDKs do by default). */
export function encodingFormat(body: Record<string, unknown>): 'float' | 'base64' {
  const format = body.encoding_format;
  if (format === undefined || format === null || format === 'float') return 'float';
  if (format === 'base64') return 'base64';
  throw invalid("'encoding_format' must be 'float' or 'base64'", 'encoding_format');
}

/** A string, strings, one token array or token arrays: always a list in the IR. */
function decodeInput(input: unknown): string[] | number[][] {
  if (typeof input === 'string') {
    if (input === '') throw invalid("'input' must not be an empty string", 'input');
    return [input];
  }
  if (!Array.isArray(input)) throw invalid("'input' must be a string, an array of strings or an array of token arrays", 'input');
  if (input.length === 0) throw invalid("'input' must not be empty", 'input');
  if (input.length > MAX_INPUTS) throw invalid(`'input' must have at most ${MAX_INPUTS} items`, 'input');
  if (input.every((item) => typeof item === 'string')) {
    const empty = input.findIndex((item) => item === '');
    if (empty !== -1) throw invalid(`'input[${empty}]' must not be an empty string`, `input[${empty}]`);
    return input;
  }
  if (input.every(isToken)) return [input];
  return input.map((item, i) => {
    if (!Array.isArray(item) || item.length === 0 || !item.every(isToken)) {
      throw invalid(`'input[${i}]' must be a non-empty array of token ids, like every other item`, `input[${i}]`);
    }
    return item;
  });
}

function isToken(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}
