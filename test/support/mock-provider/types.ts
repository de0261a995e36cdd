// Public types of the mock provider. Kept apart from the server so that the answer builders,
// the delivery code and the tests can share them without importing the whole server.

/** Which upstream API a request was addressed to; decides the wire format of answers and errors. */
export type MockApi = 'openai' | 'anthropic' | 'gemini' | 'cohere';

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  /** Query string without the leading `?` (empty when there is none). */
  query: string;
  /** Lower-case header names; repeated headers are joined with `, `. */
  headers: Record<string, string>;
  rawBody: string;
  /** The parsed JSON body, or undefined when the body is empty or not JSON. */
  // `any`: tests read arbitrary request fields without casts.
  body: any;
  /** The API whose format the mock answered in (from the path, or the headers for shared paths). */
  api: MockApi;
  /**
   * True once the client closed the connection before the response finished.
   * Updated live, so a test can wait for it (e.g. to check that a client disconnect
   * reached the upstream). Connections that the mock itself cuts (midStreamError, close())
   * do not count.
   */
  aborted: boolean;
  /** True once the whole response was written. */
  finished: boolean;
}

/**
 * What the mock does with one request. Queued with `enqueue` (FIFO); every request the mock
 * receives, whatever its route, takes the first queued behaviour that matches it (see
 * EnqueueOptions: all do unless aimed at a model), and the default (a normal answer) applies
 * when none does.
 *
 * The faults routing/fallback tests use, and how to get them:
 * - provider down: `{ kind: 'reset' }` (no bytes at all) or `{ kind: 'error', status: 503 }`.
 * - overloaded: `{ kind: 'error', status: 529 }`, Anthropic's `overloaded_error` body
 *   (`{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}, "request_id"}`);
 *   the other APIs never send 529, so they get their own overload error with that status.
 * - 200 then an error first: `{ kind: 'midStreamError', afterEvents: 0 }` on a streamed
 *   Anthropic request sends the 200 headers, then `event: error` (overloaded_error) before any
 *   `message_start`, as Anthropic does when it is overloaded after accepting the request.
 * - fail the first N calls of a model then recover:
 *   `enqueue({ kind: 'error', status: 503 }, { model: 'x', times: N })`.
 * - a persistently slow model: `enqueue({ kind: 'delay', ms }, { model: 'x', times: Infinity })`.
 */
export type Behaviour =
  /**
   * Answer with `status` and an error body in the format of the API the path belongs to.
   * `body`: objects are sent as JSON, strings verbatim; when absent the mock builds the
   * body that API documents for that status (529: Anthropic's overloaded_error; the others'
   * overload error, see errors.ts). No header is added by default (not even
   * `retry-after` on a 429): pass `headers` to add them.
   */
  | { kind: 'error'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Exactly these bytes and headers (nothing else is added), e.g. HTML from a broken proxy. */
  | { kind: 'raw'; status: number; body: string; headers?: Record<string, string> }
  /** Wait `ms` before anything is sent (headers included), then answer normally. */
  | { kind: 'delay'; ms: number }
  /** Never send anything; the request stays open until the client gives up. */
  | { kind: 'hang' }
  /**
   * Destroy the connection at once, without a single response byte: the client sees a
   * connection failure ("socket hang up", fetch's "other side closed"), as from a provider
   * that is down behind a load balancer. Not counted as a client abort in `requests`.
   */
  | { kind: 'reset' }
  /**
   * Send the headers at once, then write each event after `chunkDelayMs`. `chunks` is the
   * number of pieces the answer text is cut into (capped at its length; default: one per word).
   * A non-streamed request gets its JSON body in `chunks` pieces (default 4), each after the delay.
   */
  | { kind: 'slowStream'; chunkDelayMs: number; chunks?: number }
  /**
   * Send the headers and `afterEvents` events, then nothing more until the client closes.
   * A non-streamed request gets the headers and the first half of its JSON body.
   */
  | { kind: 'stallStream'; afterEvents: number }
  /**
   * After `afterEvents` events, each API fails the way it does mid-stream, then the stream ends:
   * Anthropic sends an `event: error` (overloaded_error); Gemini a `data: {"error": {code: 503,
   * status: "UNAVAILABLE"}}` chunk; Cohere a message-end with finish_reason ERROR and
   * `delta.error`. OpenAI Responses sends an `event: error` (server_error, nested in `error` as
   * recorded traffic shows) then `event: response.failed`. OpenAI chat has no in-stream error, so
   * the connection is cut.
   * A non-streamed request gets the headers and half of its body, then the connection is cut.
   */
  | { kind: 'midStreamError'; afterEvents: number };

export interface EnqueueOptions {
  /**
   * Apply only to requests for this upstream model: `body.model` (OpenAI chat, responses and
   * embeddings, Anthropic messages and count_tokens, Cohere v2), or the `{model}` path segment of
   * Gemini's `/v1beta/models/{model}:method`. Requests for other models (or for none, such as
   * GET /v1/models) pass over the entry, which keeps its place in the queue.
   */
  model?: string;
  /** Matching requests the entry serves before it is used up (default 1); Infinity: until reset(). */
  times?: number;
}

export interface MockProvider {
  /** http://127.0.0.1:PORT */
  url: string;
  /** `url + '/v1'`: the OpenAI SDK's base URL includes /v1. */
  openaiBaseUrl: string;
  /** `url`: the Anthropic SDK adds /v1 to its paths itself. */
  anthropicBaseUrl: string;
  /** `url + '/v1beta'`: Gemini paths are `<base>/models/{model}:generateContent` and the like. */
  geminiBaseUrl: string;
  /** `url`: Cohere paths are `/v2/chat` and `/v2/embed`. */
  cohereBaseUrl: string;
  /** Every request received, in order of arrival (recorded once its body has been read). */
  requests: RecordedRequest[];
  /**
   * Queues a behaviour for the next request that matches `options.model` (any request when
   * absent), `options.times` times (default 1). Throws a RangeError for a `times` that is not a
   * positive integer or Infinity.
   */
  enqueue(behaviour: Behaviour, options?: EnqueueOptions): void;
  /**
   * How many queued entries still have uses left (each counts as 1 whatever its remaining
   * `times`, Infinity included): 0 once every behaviour was consumed.
   */
  pending(): number;
  /** Empties the behaviour queue (Infinity entries included) and the recorded requests. */
  reset(): void;
  /** Stops the server, cutting any connection still open (hung or stalled requests included). */
  close(): Promise<void>;
}

export interface MockProviderOptions {
  /** When set, /v1/chat/completions, /v1/responses, /v1/embeddings and GET /v1/models (OpenAI) require `Authorization: Bearer <key>`. */
  openaiKey?: string;
  /**
   * When set, /v1/messages* and GET /v1/models (Anthropic) require the key, as `x-api-key: <key>`
   * or `Authorization: Bearer <key>` (the API takes both; @anthropic-ai/sdk 1.x sends the latter).
   */
  anthropicKey?: string;
  /**
   * When set, Gemini routes (/v1beta/...) require the key as `x-goog-api-key: <key>` (or `?key=`).
   * As the real API: no key is a 403 PERMISSION_DENIED, a wrong key a 400 INVALID_ARGUMENT
   * (reason API_KEY_INVALID), and a bearer token instead of a key a 401 UNAUTHENTICATED.
   */
  geminiKey?: string;
  /** When set, Cohere routes (/v2/...) require `Authorization: Bearer <key>` (401 otherwise). */
  cohereKey?: string;
  /**
   * Keep every request in `requests` (default true). The benchmark turns it off so that
   * hundreds of thousands of requests do not pile up in memory.
   */
  recordRequests?: boolean;
  /**
   * `mistral` makes /v1/chat/completions answer as Mistral's OpenAI-style API does: usage on
   * the last stream chunk without being asked, and a 422 for the OpenAI members it forbids
   * (`stream_options`, `max_completion_tokens`, `seed`). Default `openai`.
   */
  openaiDialect?: 'openai' | 'mistral';
}
