import type { GatewayError } from '../errors.js';
import type { UpstreamRequest } from '../ir/codec.js';
import type { UpstreamTarget } from '../ir/target.js';
import type { TokenUsage } from '../ir/usage.js';
import type { SseEvent } from '../sse/parser.js';
import type { HeaderReader } from '../http/header-fields.js';

/** Their homes are in the IR; re-exported for the layers above that import them from here. */
export type { TokenUsage, UpstreamRequest };

/** The wire formats a client may speak to the gateway and a provider may speak upstream. */
export type WireFormat = 'openai' | 'anthropic';

/**
 * What a proxied call asks of the provider. `responses` is a chat in OpenAI's Responses
 * API, which only same-format forwarding uses (translation treats it as `chat`).
 */
export type Operation = 'chat' | 'count_tokens' | 'embeddings' | 'responses';

export interface ForwardInput {
  operation: Operation;
  model: UpstreamTarget;
  /** The client's body exactly as received. */
  body: string;
  /** The same body, parsed (for reading only: edits go through the text). */
  parsed: Record<string, unknown>;
  clientHeaders: HeaderReader;
  /** The client's query string, `?…` or empty. */
  search: string;
}

/**
 * Watches a streamed answer event by event: it reads usage, and may rewrite or drop
 * events that the gateway itself caused (such as OpenAI's usage chunk it asked for).
 */
export interface StreamObserver {
  /** When false every byte is forwarded as it arrives and `onEvent` only watches. */
  readonly rewrites: boolean;
  /** Returns the text to send in the event's place: `undefined` keeps it as it was, `null` drops it. */
  onEvent(event: SseEvent): string | null | undefined;
  /**
   * The upstream body ended: the text that closes the client's stream. Without it, a
   * rewriting observer's unterminated last block is forwarded as it was.
   */
  end?(): string;
  usage(): TokenUsage | undefined;
  /**
   * After the body ended: why the stream was not a whole, good answer (`truncated_stream`: it
   * stopped before its API's last event; `stream_error`: the provider reported an error in it;
   * `invalid_event`: an event could not be read), or undefined when it was. The bytes went to
   * the client as they were; this is what the usage record says of them.
   */
  failure?(): string | undefined;
  /**
   * Whether the stream's last event (`[DONE]`, `message_stop`, `response.completed`) has been
   * seen, for observers of forwarded streams: with durable usage the record is stored before
   * the chunk that carries it goes to the client.
   */
  complete?(): boolean;
}

export interface PreparedCall {
  request: UpstreamRequest;
  /** Whether the client asked for a stream. */
  stream: boolean;
  createObserver(): StreamObserver;
}

/** One provider: how a call is sent to it and how its answers are read. */
export interface ProviderAdapter {
  /** The wire format this provider speaks natively. */
  readonly format: WireFormat;
  readonly operations: readonly Operation[];
  prepare(input: ForwardInput): PreparedCall;
  usageFromBody(body: unknown): TokenUsage | undefined;
  /** An SSE event that tells a client of this format that its stream failed part way. */
  streamErrorEvent(error: GatewayError): string;
  /** Whether a parsed error body already has this format's error shape, so it can be passed on as is. */
  isErrorBody(body: unknown): boolean;
}
