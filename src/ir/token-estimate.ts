import type { ChatRequest, Part } from './chat.js';

/**
 * An estimate of a request's prompt tokens, for `count_tokens` on providers that have no
 * counting API. The rules, documented in the README:
 * - text: counted by the model family's tokenizer when the gateway has it (OpenAI models on
 *   Node: o200k_base), else one token per 4 bytes of UTF-8, the rule of thumb OpenAI and
 *   Anthropic both publish;
 * - each message: 3 tokens of framing, as OpenAI's cookbook counts chat messages;
 * - each image: 1,600 tokens, Anthropic's documented ceiling for one image (the gateway does
 *   not decode images to learn their size);
 * - documents, tool definitions and the response schema: their text or JSON by the text rule.
 * It leans high rather than low, so a budget checked against it errs on the safe side.
 */
export const ESTIMATE_RULES = { bytesPerToken: 4, tokensPerMessage: 3, tokensPerImage: 1600 } as const;

/**
 * The UTF-8 length of a string, counted without encoding it: routing estimates every
 * prompt, and allocating a copy of each text only to measure it was most of that cost.
 * A lone surrogate counts 3 bytes, as TextEncoder writes it (U+FFFD).
 */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a pair: 2 code units, 4 bytes
      i++;
    } else bytes += 2;
  }
  return bytes;
}

/** The rule of thumb for text, when no tokenizer of the model's family is at hand. */
export function bytesEstimate(text: string): number {
  return Math.ceil(utf8Length(text) / ESTIMATE_RULES.bytesPerToken);
}

function partTokens(part: Part, textTokens: (text: string) => number): number {
  switch (part.type) {
    case 'text':
    case 'thinking':
      return textTokens(part.text);
    case 'redacted_thinking':
      return textTokens(part.data);
    case 'image':
      return ESTIMATE_RULES.tokensPerImage;
    case 'document': {
      const source = part.source;
      if (source.type === 'text') return textTokens(source.text);
      // base64 carries 3 bytes in 4 characters.
      if (source.type === 'base64') return Math.ceil((source.data.length * 3) / 4 / ESTIMATE_RULES.bytesPerToken);
      return ESTIMATE_RULES.tokensPerImage;
    }
    case 'tool_call':
      return textTokens(part.name) + textTokens(part.arguments);
    case 'tool_result':
      return part.content.reduce((sum, inner) => sum + partTokens(inner, textTokens), 0);
  }
}

/** `textTokens` counts text: a real tokenizer where the model's family has one, else the byte rule. */
export function estimateInputTokens(request: ChatRequest, textTokens: (text: string) => number = bytesEstimate): number {
  let tokens = 0;
  for (const part of request.system) tokens += partTokens(part, textTokens);
  for (const message of request.messages) {
    tokens += ESTIMATE_RULES.tokensPerMessage;
    for (const part of message.content) tokens += partTokens(part, textTokens);
  }
  if (request.tools.length > 0) tokens += textTokens(JSON.stringify(request.tools));
  if (request.responseFormat?.type === 'json_schema') tokens += textTokens(JSON.stringify(request.responseFormat.schema));
  return tokens;
}
