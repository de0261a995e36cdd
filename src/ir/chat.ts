/**
 * The gateway's own representation of a chat call, between client formats and providers.
 * Every client format decodes into it and every provider encodes from it, so adding either
 * is one mapping, not one per pair. It is the union of what the formats can say, shaped
 * after Anthropic's content blocks (the richest of them): a message is a list of parts, a
 * tool result is a part of a user message, thinking is a part with its signature.
 *
 * Same-format traffic never passes through here: it is forwarded byte for byte.
 */

import type { TokenUsage } from './usage.js';

export type { TokenUsage };

export interface TextPart {
  type: 'text';
  text: string;
}

/** An image as a URL (https: or data:) or as base64 bytes with their media type. */
export interface ImagePart {
  type: 'image';
  source: { type: 'url'; url: string } | { type: 'base64'; mediaType: string; data: string };
  /** OpenAI's `detail`; other providers have no such knob. */
  detail?: 'auto' | 'low' | 'high';
}

/** A file the model reads (PDF, plain text): Anthropic documents, OpenAI files, Gemini inline data. */
export interface DocumentPart {
  type: 'document';
  source:
    | { type: 'base64'; mediaType: string; data: string }
    | { type: 'url'; url: string; mediaType?: string }
    | { type: 'text'; text: string; mediaType?: string }
    /** A provider-side file id (OpenAI `file_id`, Anthropic Files API): meaningful only to that provider. */
    | { type: 'file_id'; fileId: string };
  title?: string;
  filename?: string;
}

/** A call the assistant made; `arguments` is the JSON text exactly as the model produced it. */
export interface ToolCallPart {
  type: 'tool_call';
  id: string;
  name: string;
  arguments: string;
}

/** The result of a tool call, sent back by the client in a user turn. */
export interface ToolResultPart {
  type: 'tool_result';
  toolCallId: string;
  /** The called tool's name when the format carries it (Gemini needs it; decoders fill it from the history when they can). */
  name?: string;
  content: Array<TextPart | ImagePart>;
  isError?: boolean;
}

/** Model reasoning. `signature` is opaque and must come back byte for byte (Anthropic, Gemini thought signatures). */
export interface ThinkingPart {
  type: 'thinking';
  text: string;
  signature?: string;
}

export interface RedactedThinkingPart {
  type: 'redacted_thinking';
  data: string;
}

export type Part = TextPart | ImagePart | DocumentPart | ToolCallPart | ToolResultPart | ThinkingPart | RedactedThinkingPart;

/** What an assistant answer may hold. */
export type OutputPart = TextPart | ToolCallPart | ThinkingPart | RedactedThinkingPart;

/**
 * One turn. OpenAI's `tool` role messages become `tool_result` parts of a user message, as in
 * Anthropic; system and developer messages go to `ChatRequest.system`.
 */
export interface Message {
  role: 'user' | 'assistant';
  content: Part[];
}

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments (an object schema). */
  parameters: Record<string, unknown>;
  strict?: boolean;
}

export type ToolChoice = { type: 'auto' } | { type: 'none' } | { type: 'required' } | { type: 'tool'; name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown>; strict?: boolean; description?: string };

export type ReasoningEffort = 'minimal' | 'low' | 'medium' | 'high';

/**
 * Reasoning asked of the model: an effort (OpenAI) or a token budget (Anthropic, Gemini), or
 * both when the client gave one and the decoder derived the other (see reasoning.ts).
 * `enabled: false` means the client turned reasoning off explicitly.
 */
export interface Reasoning {
  enabled: boolean;
  effort?: ReasoningEffort;
  budgetTokens?: number;
}

export interface ChatRequest {
  /** The model name the client asked for (the gateway's model id, not the upstream's). */
  model: string;
  /** System and developer instructions, in order. */
  system: TextPart[];
  messages: Message[];
  tools: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop: string[];
  seed?: number;
  /** The end user, for the provider's abuse monitoring (OpenAI `user`, Anthropic `metadata.user_id`). */
  user?: string;
  /** Key-value metadata (OpenAI `metadata`); providers without it get a warning. */
  metadata?: Record<string, string>;
  reasoning?: Reasoning;
  stream: boolean;
  /**
   * Client parameters the IR has no place for, by their name in the client's format (e.g.
   * `logprobs`, `n`). The handler reports them (x-routerly-warnings) or refuses the call.
   */
  unsupported: string[];
}

/** Why the model stopped, in Anthropic's vocabulary (the most specific of the formats). */
export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal' | 'content_filter';

export interface ChatResponse {
  id: string;
  /** The model that answered, as the provider named it. */
  model: string;
  /** Unix seconds. */
  created: number;
  content: OutputPart[];
  stopReason: StopReason;
  /** The stop sequence that ended the answer, when the provider says which. */
  stopSequence?: string;
  usage?: TokenUsage;
}

/** A block as it opens in a stream; its content arrives in deltas of the matching kind. */
export type StreamBlock =
  | { type: 'text' }
  | { type: 'thinking' }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'tool_call'; id: string; name: string };

/**
 * A streamed answer, as provider stream decoders emit it and client stream encoders consume it.
 * Decoders guarantee: `start` comes first; blocks are numbered 0, 1, 2… in the order they
 * open; every delta follows its block's `block_start` and precedes its `block_stop`; every
 * opened block is stopped before `finish`; `usage` carries running totals (a later value
 * supersedes an earlier one, field by field) and may come before or after `finish`.
 */
export type StreamEvent =
  | { type: 'start'; id: string; model: string; created: number }
  | { type: 'block_start'; index: number; block: StreamBlock }
  | { type: 'text_delta'; index: number; text: string }
  | { type: 'thinking_delta'; index: number; text: string }
  | { type: 'signature_delta'; index: number; signature: string }
  | { type: 'arguments_delta'; index: number; json: string }
  | { type: 'block_stop'; index: number }
  | { type: 'usage'; usage: TokenUsage }
  | { type: 'finish'; stopReason: StopReason; stopSequence?: string }
  /** The provider reported a failure inside the stream (e.g. Anthropic's `overloaded_error`). */
  | { type: 'error'; status: number; message: string; errorType?: string };
