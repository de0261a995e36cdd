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
  return new ChatFeatures(request);
}

/**
 * A chat request's features. A class, not an object literal with getters: V8 builds a literal
 * with accessors property by property on every call (about 1.2 µs on Node 20 for the two below,
 * eight times the estimate itself), where the class keeps them once on its prototype. Every
 * ranked or budgeted call builds one.
 */
class ChatFeatures implements RequestFeatures {
  readonly images: boolean;
  readonly tools: boolean;
  readonly json: boolean;
  readonly thinking: boolean;
  readonly inputTokens: number;
  readonly maxOutputTokens: number | undefined;
  private bound: number | undefined;
  private digestText: string | undefined;

  constructor(private readonly request: ChatRequest) {
    let images = false;
    for (const message of request.messages) {
      for (const part of message.content) {
        if (part.type === 'image' || (part.type === 'tool_result' && part.content.some((p) => p.type === 'image'))) images = true;
      }
    }
    this.images = images;
    this.tools = request.tools.length > 0;
    this.json = request.responseFormat !== undefined && request.responseFormat.type !== 'text';
    this.thinking = request.reasoning?.enabled === true;
    this.inputTokens = estimateInputTokens(request);
    this.maxOutputTokens = request.maxOutputTokens;
  }

  /** Only budgets read it: one more pass over the text, for calls that have a budget. */
  get inputTokensBound(): number {
    return (this.bound ??= estimateInputTokens(this.request, utf8Length));
  }

  /** Only the judge reads it: built on first read, not for every ranked call. */
  get digest(): string {
    if (this.digestText === undefined) {
      const request = this.request;
      const lastUser = request.messages.findLast((m) => m.role === 'user');
      const system = textOf(request.system);
      this.digestText = `${system ? `system: ${truncate(system, DIGEST_PART_CHARS)}\n` : ''}user: ${truncate(lastUser ? textOf(lastUser.content) : '', DIGEST_PART_CHARS)}`;
    }
    return this.digestText;
  }
}

/** Embeddings and requests that could not be read as chat: sized by their body, needing nothing special. */
export function plainFeatures(body: string): RequestFeatures {
  // Every text of the body is in its bytes: the body's length bounds its tokens.
  return { images: false, tools: false, json: false, thinking: false, inputTokens: bytesEstimate(body), inputTokensBound: utf8Length(body), maxOutputTokens: undefined, digest: '' };
}
