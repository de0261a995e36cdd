/**
 * The two halves of every translated call. A client format (src/formats/*) turns what a
 * client sent into the IR and the IR back into what that client expects; a provider
 * (src/providers/*) turns the IR into its own request and its answers into the IR. The
 * handler joins any client format to any provider through these, so neither knows the other.
 */

import type { ErrorFormat, GatewayError } from '../errors.js';
import type { SseEvent } from '../sse/parser.js';
import type { ChatRequest, ChatResponse, StreamEvent } from './chat.js';
import type { EmbeddingRequest, EmbeddingResponse } from './embeddings.js';
import type { UpstreamTarget } from './target.js';
import type { HeaderMap } from '../http/header-fields.js';
import type { HeaderReader } from '../http/header-fields.js';

/** An HTTP request ready to send upstream. */
export interface UpstreamRequest {
  url: string;
  headers: HeaderMap;
  body: string;
}

/**
 * A request for one provider, and what of the IR it could not express there, so nothing is
 * dropped silently: ChatRequest field names (`topK`, `seed`, `metadata`, `responseFormat`…,
 * or `reasoning` when the provider cannot think) and, for content, `content:<part type>` or a
 * narrower `content:<part type>:<what>` (`content:document`, `content:image:url`).
 */
export interface EncodedRequest {
  request: UpstreamRequest;
  dropped: string[];
}

/** Reads a provider's streamed answer, one SSE event at a time, into IR stream events. */
export interface StreamDecoder {
  push(event: SseEvent): StreamEvent[];
  /** The upstream body ended: close what is still open (blocks, a finish the provider never sent). */
  end(): StreamEvent[];
}

/** A provider's side of chat translation. */
export interface ProviderChatCodec {
  /** `model.upstreamModel` is the name to send; `model.apiKey` and `model.baseUrl` are already resolved. */
  encodeRequest(request: ChatRequest, model: UpstreamTarget, clientHeaders: HeaderReader): EncodedRequest;
  /** Throws a GatewayError('upstream_error') when the body is not an answer this provider could have sent. */
  decodeResponse(body: unknown): ChatResponse;
  createStreamDecoder(): StreamDecoder;
  /**
   * The error a stream's first event reports, exactly as a fresh decoder's first push would, for
   * a provider whose decoder can say it without building IR events: every stream's start is
   * judged (src/proxy/stream-start.ts). Without it a decoder is made for the first event.
   */
  streamStartError?(event: SseEvent): { status: number; message: string } | undefined;
}

export interface ProviderEmbeddingsCodec {
  encodeRequest(request: EmbeddingRequest, model: UpstreamTarget): EncodedRequest;
  decodeResponse(body: unknown): EmbeddingResponse;
}

/** What a provider's error body says, to be re-told in the client's error format. */
export interface ProviderErrorDetails {
  message: string;
  /** The provider's own error type or code, kept for the client's `code` field when it has one. */
  type?: string;
}

/** Turns IR stream events into the SSE text a client of one format expects. */
export interface StreamEncoder {
  push(event: StreamEvent): string;
  /** The upstream ended: the closing events (`[DONE]`, `message_stop`, `response.completed`). */
  end(): string;
  /** The stream broke off: the event that tells this client so, then nothing more. */
  fail(error: GatewayError): string;
}

/** A client-facing chat format: Chat Completions, Messages, Responses. */
export interface ClientChatFormat {
  readonly errorFormat: Exclude<ErrorFormat, 'api'>;
  /**
   * Throws GatewayError('invalid_request') for a body this format's API would refuse. The
   * headers are the client's, for what a format puts there (Anthropic's `anthropic-beta`).
   */
  decodeRequest(body: Record<string, unknown>, headers?: HeaderReader): ChatRequest;
  /** `body` is the client's request, for what the answer echoes back (Responses echoes its parameters). */
  encodeResponse(response: ChatResponse, body: Record<string, unknown>): unknown;
  createStreamEncoder(body: Record<string, unknown>): StreamEncoder;
}

export interface ClientEmbeddingsFormat {
  decodeRequest(body: Record<string, unknown>): EmbeddingRequest;
  encodeResponse(response: EmbeddingResponse, body: Record<string, unknown>): unknown;
}
