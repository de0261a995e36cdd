import type { ChatRequest, Part } from '../ir/chat.js';
import { bytesEstimate, estimateInputTokens, utf8Length } from '../ir/token-estimate.js';
import type { RequestFeatures } from './types.js';

/** How much of the system prompt and of the last user turn the digest keeps. */
const DIGEST_PART_CHARS = 1500;

function textOf(parts: readonly Part[]): string {
  let text = '';
  for (const part of parts) {
    if (part.type === 'text') text += (text ? '\n' : '') + part.text;
    else if (part.type === 'image') text += (text ? '\n' : '') + '[image]';
    else if (part.type === 'document') text += (text ? '\n' : '') + '[document]';
    else if (part.type === 'tool_result') text += (text ? '\n' : '') + textOf(part.content);
  }
  return text;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** What routing needs to know of a chat request, whatever API it came in. */
export function chatFeatures(request: ChatRequest): RequestFeatures {
  let images = false;
  for (const message of request.messages) {
    for (const part of message.content) {
      if (part.type === 'image' || (part.type === 'tool_result' && part.content.some((p) => p.type === 'image'))) images = true;
    }
  }
  let digest: string | undefined;
  let bound: number | undefined;
  return {
    images,
    tools: request.tools.length > 0,
    json: request.responseFormat !== undefined && request.responseFormat.type !== 'text',
    thinking: request.reasoning?.enabled === true,
    inputTokens: estimateInputTokens(request),
    maxOutputTokens: request.maxOutputTokens,
    // Only budgets read it: one more pass over the text, for calls that have a budget.
    get inputTokensBound() {
      return (bound ??= estimateInputTokens(request, utf8Length));
    },
    // Only the judge reads it: built on first read, not for every ranked call.
    get digest() {
      if (digest === undefined) {
        const lastUser = request.messages.findLast((m) => m.role === 'user');
        const system = textOf(request.system);
        digest = `${system ? `system: ${truncate(system, DIGEST_PART_CHARS)}\n` : ''}user: ${truncate(lastUser ? textOf(lastUser.content) : '', DIGEST_PART_CHARS)}`;
      }
      return digest;
    },
  };
}

/** Embeddings and requests that could not be read as chat: sized by their body, needing nothing special. */
export function plainFeatures(body: string): RequestFeatures {
  // Every text of the body is in its bytes: the body's length bounds its tokens.
  return { images: false, tools: false, json: false, thinking: false, inputTokens: bytesEstimate(body), inputTokensBound: utf8Length(body), maxOutputTokens: undefined, digest: '' };
}
