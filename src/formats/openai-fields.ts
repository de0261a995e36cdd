import { GatewayError } from '../errors.js';
import type { DocumentPart, ImagePart, Reasoning, ResponseFormat, TextPart, ToolDefinition } from '../ir/chat.js';
import { imageSourceFromUrl, isBase64, parseBase64DataUrl, splitDataUrl } from '../ir/media.js';
import { fieldReaders, type FieldType } from './fields.js';

/**
 * Readers for fields of an untrusted OpenAI body (Chat Completions and Responses), and the
 * pieces both formats spell alike. Each refuses a wrong shape with a 400 naming the field the
 * way OpenAI does (`messages[1].content`, `input[2].content[0].image_url`).
 */

export { isGiven } from './fields.js';

export function invalid(message: string, param: string): GatewayError {
  return new GatewayError('invalid_request', message, { param });
}

const ARTICLES: Record<FieldType, string> = {
  string: 'a string',
  boolean: 'a boolean',
  number: 'a number',
  integer: 'an integer',
  object: 'an object',
  array: 'an array',
};

export const {
  optionalString,
  requiredString,
  optionalBoolean,
  optionalNumber,
  optionalInteger,
  optionalRecord,
  requiredRecord,
  optionalArray,
  oneOf,
} = fieldReaders({
  wrongType: (param, expected) => invalid(`'${param}' must be ${ARTICLES[expected]}`, param),
  tooSmall: (param, min) => invalid(`'${param}' must be at least ${min}`, param),
  tooLarge: (param, max) => invalid(`'${param}' must be at most ${max}`, param),
  notOneOf: (param, allowed) => invalid(`'${param}' must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`, param),
});

/**
 * A `content` that is a string (one text part) or an array of parts, each an object read by
 * `readPart` with its own path (`messages[1].content[0]`).
 */
export function readContentParts<T>(
  content: unknown,
  param: string,
  readPart: (part: Record<string, unknown>, at: string) => T,
): Array<TextPart | T> {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw invalid(`'${param}' must be a string or an array of content parts`, param);
  return content.map((raw, i) => readPart(requiredRecord(raw, `${param}[${i}]`), `${param}[${i}]`));
}

/** A function tool's `name`, `parameters`, `description` and `strict`, read from `fn` (named `param`). */
export function readFunctionTool(fn: Record<string, unknown>, param: string): ToolDefinition {
  const definition: ToolDefinition = {
    name: requiredString(fn.name, `${param}.name`),
    // OpenAI documents an omitted (or null) schema as a function that takes no arguments.
    parameters: optionalRecord(fn.parameters, `${param}.parameters`) ?? { type: 'object', properties: {} },
  };
  const description = optionalString(fn.description, `${param}.description`);
  if (description !== undefined) definition.description = description;
  const strict = optionalBoolean(fn.strict, `${param}.strict`);
  if (strict !== undefined) definition.strict = strict;
  return definition;
}

/** A `json_schema` response format's fields; Chat Completions lets the schema be left out, Responses does not. */
export function readJsonSchemaFormat(spec: Record<string, unknown>, param: string, schema: 'optional' | 'required'): ResponseFormat {
  const out: ResponseFormat = {
    type: 'json_schema',
    name: requiredString(spec.name, `${param}.name`),
    schema: schema === 'required' ? requiredRecord(spec.schema, `${param}.schema`) : (optionalRecord(spec.schema, `${param}.schema`) ?? {}),
  };
  const strict = optionalBoolean(spec.strict, `${param}.strict`);
  if (strict !== undefined) out.strict = strict;
  const description = optionalString(spec.description, `${param}.description`);
  if (description !== undefined) out.description = description;
  return out;
}

/**
 * `none` turns reasoning off. `xhigh` and `max` are above anything the IR (and the thinking
 * budgets of other providers) distinguishes, so they become `high`.
 */
export function readReasoningEffort(value: unknown, param: string): Reasoning | undefined {
  if (value === undefined || value === null) return undefined;
  const effort = oneOf(value, ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'], param);
  if (effort === 'none') return { enabled: false };
  if (effort === 'xhigh' || effort === 'max') return { enabled: true, effort: 'high' };
  return { enabled: true, effort };
}

export function readMetadata(value: unknown): Record<string, string> | undefined {
  const metadata = optionalRecord(value, 'metadata');
  if (!metadata) return undefined;
  for (const [key, item] of Object.entries(metadata)) requiredString(item, `metadata.${key}`);
  return metadata as Record<string, string>;
}

/**
 * An image URL as an IR source. A `data:` URL that holds no image (no comma, nothing after it,
 * or a `;base64` payload that is not base64) is refused here, as OpenAI refuses it: passed on,
 * it would be dropped by some encoders and refused by every provider.
 */
export function readImageUrl(url: string, param: string): ImagePart['source'] {
  if (/^data:/i.test(url)) {
    const pieces = splitDataUrl(url);
    if (!pieces || pieces.payload === '' || (pieces.base64 && !isBase64(pieces.payload))) {
      throw invalid(`'${param}' is a data: URL that holds no readable image; expected data:<media type>;base64,<base64 data>`, param);
    }
  }
  return imageSourceFromUrl(url);
}

const MEDIA_TYPES_BY_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf',
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  html: 'text/html',
  json: 'application/json',
};

/**
 * A file part's `file_data`: documented as base64 but a data URL in OpenAI's examples (and
 * what OpenAI expects); both are read. Bare base64 takes its media type from the filename,
 * else PDF (the one file type Chat Completions reads); a data URL that is not base64 is
 * passed on as a URL.
 */
export function fileDataSource(fileData: string, filename: string | undefined): DocumentPart['source'] {
  const dataUrl = parseBase64DataUrl(fileData);
  if (dataUrl) return { type: 'base64', mediaType: dataUrl.mediaType, data: dataUrl.data };
  if (fileData.startsWith('data:')) return { type: 'url', url: fileData };
  const extension = filename?.split('.').pop()?.toLowerCase() ?? '';
  const mediaType = Object.hasOwn(MEDIA_TYPES_BY_EXTENSION, extension) ? MEDIA_TYPES_BY_EXTENSION[extension]! : 'application/pdf';
  return { type: 'base64', mediaType, data: fileData };
}
