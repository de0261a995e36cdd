import type { DocumentPart, ImagePart, RedactedThinkingPart, TextPart, ThinkingPart } from '../../ir/chat.js';
import { isRecord } from '../../json/record.js';
import { fileDataSource, invalid, oneOf, optionalString, readImageUrl, requiredRecord, requiredString } from '../openai-fields.js';

/** Content parts of Chat Completions messages, read into IR parts. */

/** `content` of system, developer and tool messages: a string or text parts only. */
export function readTextContent(content: unknown, param: string): TextPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw invalid(`'${param}' must be a string or an array of text parts`, param);
  return content.map((part, i) => readTextPart(part, `${param}[${i}]`));
}

export function readTextPart(part: unknown, param: string): TextPart {
  const record = requiredRecord(part, param);
  if (record.type !== 'text') throw invalid(`'${param}.type' must be 'text'`, `${param}.type`);
  return { type: 'text', text: requiredString(record.text, `${param}.text`) };
}

export function readImagePart(part: Record<string, unknown>, param: string): ImagePart {
  const imageUrl = requiredRecord(part.image_url, `${param}.image_url`);
  const url = requiredString(imageUrl.url, `${param}.image_url.url`);
  const image: ImagePart = { type: 'image', source: readImageUrl(url, `${param}.image_url.url`) };
  if (imageUrl.detail !== undefined && imageUrl.detail !== null) {
    image.detail = oneOf(imageUrl.detail, ['auto', 'low', 'high'], `${param}.image_url.detail`);
  }
  return image;
}

/** `file.file_data` (base64 or a data URL, see `fileDataSource`) or `file.file_id`. */
export function readFilePart(part: Record<string, unknown>, param: string): DocumentPart {
  const file = requiredRecord(part.file, `${param}.file`);
  const filename = optionalString(file.filename, `${param}.file.filename`);
  const fileData = optionalString(file.file_data, `${param}.file.file_data`);
  const fileId = optionalString(file.file_id, `${param}.file.file_id`);
  let document: DocumentPart;
  if (fileData !== undefined) {
    document = { type: 'document', source: fileDataSource(fileData, filename) };
  } else if (fileId !== undefined) {
    document = { type: 'document', source: { type: 'file_id', fileId } };
  } else {
    throw invalid(`'${param}.file' must have 'file_data' or 'file_id'`, `${param}.file`);
  }
  if (filename !== undefined) document.filename = filename;
  return document;
}

/**
 * OpenRouter's `reasoning_details` on an assistant message: how a Chat Completions client
 * hands back thinking with its signature (and redacted thinking) for the next turn. The
 * gateway's answers carry them in the same shape (see response.ts). `reasoning.summary`
 * (OpenAI reasoning summaries) becomes unsigned thinking.
 */
export function readReasoningDetails(details: unknown[], param: string): Array<ThinkingPart | RedactedThinkingPart> {
  const parts: Array<ThinkingPart | RedactedThinkingPart> = [];
  // The streamed pieces of one entry share its `index`; a client that kept them as they came
  // (text pieces, then the signature) sends one thinking block, which its signature must cover.
  let open: { index: unknown; part: ThinkingPart } | undefined;
  details.forEach((detail, i) => {
    const at = `${param}[${i}]`;
    if (!isRecord(detail)) throw invalid(`'${at}' must be an object`, at);
    const previous = open;
    open = undefined;
    switch (detail.type) {
      case 'reasoning.text': {
        const text = optionalString(detail.text, `${at}.text`) ?? '';
        const signature = optionalString(detail.signature, `${at}.signature`);
        const samePiece = previous && typeof detail.index === 'number' && detail.index === previous.index;
        const thinking: ThinkingPart = samePiece ? previous.part : { type: 'thinking', text: '' };
        thinking.text += text;
        if (signature !== undefined) thinking.signature = (thinking.signature ?? '') + signature;
        if (!samePiece) parts.push(thinking);
        open = { index: detail.index, part: thinking };
        break;
      }
      case 'reasoning.encrypted':
        parts.push({ type: 'redacted_thinking', data: requiredString(detail.data, `${at}.data`) });
        break;
      case 'reasoning.summary':
        parts.push({ type: 'thinking', text: requiredString(detail.summary, `${at}.summary`) });
        break;
      default:
        throw invalid(`'${at}.type' must be 'reasoning.text', 'reasoning.encrypted' or 'reasoning.summary'`, `${at}.type`);
    }
  });
  return parts;
}
