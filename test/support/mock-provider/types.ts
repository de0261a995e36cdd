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
 * receives, whatever its route, takes the next behaviour, and the default (a normal answer)
 * applies when the queue is empty.
 */
export type Behaviour =
  /**
   * Answer with `status` and an error body in the format of the API the path belongs to.
   * `body`: objects are sent as JSON, strings verbatim; when absent the mock builds the
   * body that API documents for that status. No header is added by default (not even
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
  enqueue(behaviour: Behaviour): void;
  /** Empties the behaviour queue and the recorded requests. */
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
