import type { DocumentPart, ImagePart, Part, TextPart } from '../../ir/chat.js';
import { fileDataSource, invalid, isGiven, oneOf, optionalString, readContentParts, readImageUrl, requiredString } from '../openai-fields.js';

/** Content parts of Responses input messages and function call outputs, read into IR parts. */

export type MessageRole = 'user' | 'assistant' | 'system' | 'developer';

/**
 * A message's `content`: a string or a list of parts. Text is read in any role (history
 * replays put `output_text` in assistant turns, `input_text` elsewhere); an assistant's
 * `refusal` is the text it said. System and developer turns become IR system text, so they
 * take text only; images and files belong to user turns.
 */
export function readMessageContent(role: MessageRole, content: unknown, param: string, unsupported: string[]): Part[] {
  return readContentParts(content, param, (part, at): Part => {
    switch (part.type) {
      case 'input_text':
      case 'output_text':
        return { type: 'text', text: requiredString(part.text, `${at}.text`) };
      case 'refusal':
        if (role !== 'assistant') break;
        return { type: 'text', text: requiredString(part.refusal, `${at}.refusal`) };
      case 'input_image':
        if (role !== 'user') break;
        return readImage(part, at, unsupported);
      case 'input_file':
        if (role !== 'user') break;
        return readFile(part, at);
    }
    const allowed = role === 'user' ? "'input_text', 'input_image' or 'input_file'" : role === 'assistant' ? "'output_text' or 'refusal'" : "'input_text'";
    throw invalid(`'${at}.type' must be ${allowed} in a ${role} message`, `${at}.type`);
  });
}

/** A `function_call_output`'s `output`: a string, or text and image parts. */
export function readToolOutput(output: unknown, param: string, unsupported: string[]): Array<TextPart | ImagePart> {
  // Some providers refuse empty text blocks: an empty output is an empty result.
  if (output === '') return [];
  return readContentParts(output, param, (part, at): TextPart | ImagePart => {
    if (part.type === 'input_text') return { type: 'text', text: requiredString(part.text, `${at}.text`) };
    if (part.type === 'input_image') return readImage(part, at, unsupported);
    if (part.type === 'input_file') {
      // The IR's tool results hold text and images; a file there cannot reach any other provider.
      throw invalid(`'${at}': files in function call outputs are not supported by this gateway; send the file in a user message`, `${at}.type`);
    }
    throw invalid(`'${at}.type' must be 'input_text' or 'input_image'`, `${at}.type`);
  });
}

function readImage(part: Record<string, unknown>, param: string, unsupported: string[]): ImagePart {
  if (isGiven(part.file_id)) {
    // An OpenAI file id means nothing to other providers, and the IR's images are URLs or bytes.
    throw invalid(`'${param}.file_id': images by OpenAI file id are not supported by this gateway; send 'image_url' (an https or data URL)`, `${param}.file_id`);
  }
  const url = requiredString(part.image_url, `${param}.image_url`);
  const image: ImagePart = { type: 'image', source: readImageUrl(url, `${param}.image_url`) };
  if (isGiven(part.detail)) {
    const detail = oneOf(part.detail, ['auto', 'low', 'high', 'original'], `${param}.detail`);
    if (detail === 'original') unsupported.push('input_image.detail');
    else image.detail = detail;
  }
  return image;
}

/**
 * `file_data` is read by `fileDataSource` (a data URL or bare base64). `file_url` is a URL the provider fetches; `file_id` an
 * OpenAI file, meaningful to OpenAI only (the provider encoder decides).
 */
function readFile(part: Record<string, unknown>, param: string): DocumentPart {
  const filename = optionalString(part.filename, `${param}.filename`);
  const fileData = optionalString(part.file_data, `${param}.file_data`);
  const fileUrl = optionalString(part.file_url, `${param}.file_url`);
  const fileId = optionalString(part.file_id, `${param}.file_id`);
  let document: DocumentPart;
  if (fileData !== undefined) {
    document = { type: 'document', source: fileDataSource(fileData, filename) };
  } else if (fileUrl !== undefined) {
    document = { type: 'document', source: { type: 'url', url: fileUrl } };
  } else if (fileId !== undefined) {
    document = { type: 'document', source: { type: 'file_id', fileId } };
  } else {
    throw invalid(`'${param}' must have 'file_data', 'file_url' or 'file_id'`, param);
  }
  if (filename !== undefined) document.filename = filename;
  return document;
}
