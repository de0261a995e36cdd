// A real HTTP server that speaks OpenAI's, Anthropic's, Gemini's and Cohere's wire formats, for
// tests and the benchmark. It listens on 127.0.0.1 on a free port, answers deterministically from the
// request (see ./mock-provider/answer.ts for the text and token formulas), records every
// request, and can be told to fail in the ways real providers and networks fail (Behaviour),
// for any request or only for one upstream model, once or N times (./mock-provider/queue.ts).
//
// Routes: POST /v1/chat/completions, /v1/responses and /v1/embeddings (OpenAI), POST /v1/messages and
// POST /v1/messages/count_tokens (Anthropic), GET /v1/models (either, told apart by headers),
// POST /v1beta/models/{model}:generateContent, :streamGenerateContent, :embedContent,
// :batchEmbedContents and GET /v1beta/models (Gemini), POST /v2/chat and /v2/embed (Cohere).

import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { anthropicError, anthropicHeaders, anthropicModelsReply, countTokensReply, messagesReply } from './mock-provider/anthropic.js';
import { cohereAuthFailure, cohereChatReply, cohereError, cohereHeaders } from './mock-provider/cohere.js';
import { deliver, untilAborted, type Reply } from './mock-provider/deliver.js';
import { cohereEmbedReply, geminiBatchEmbedReply, geminiEmbedContentReply, openaiEmbeddingsReply } from './mock-provider/embeddings.js';
import { defaultErrorBody } from './mock-provider/errors.js';
import { geminiAuthFailure, geminiCallOf, geminiError, geminiHeaders, geminiModelsReply, generateContentReply } from './mock-provider/gemini.js';
import { chatCompletionReply, openaiError, openaiHeaders, openaiModelsReply, type AnswerContext } from './mock-provider/openai.js';
import { BehaviourQueue } from './mock-provider/queue.js';
import { responsesReply, ResponsesStore } from './mock-provider/responses.js';
import type { Behaviour, MockApi, MockProvider, MockProviderOptions, RecordedRequest } from './mock-provider/types.js';

export type { Behaviour, EnqueueOptions, MockApi, MockProvider, MockProviderOptions, RecordedRequest } from './mock-provider/types.js';
export { upstreamModelOf } from './mock-provider/queue.js';
export {
  MOCK_CACHED_TOKENS,
  MOCK_COHERE_TEMPLATE_TOKENS,
  TOOL_CALL_TRIGGER,
  lastUserText,
  mockAnswerFor,
  mockAnthropicTokenCount,
  mockAnthropicUsage,
  mockCohereToolPlan,
  mockCohereUsage,
  mockGeminiUsage,
  mockOpenAIUsage,
  mockOutputTokens,
  mockPromptText,
  mockTokenCount,
  splitForStreaming,
  type MockAnswer,
} from './mock-provider/answer.js';
export { ANTHROPIC_MODELS, MOCK_THINKING_SIGNATURE } from './mock-provider/anthropic.js';
export { OPENAI_MODELS } from './mock-provider/openai.js';
export { MOCK_ENCRYPTED_REASONING } from './mock-provider/responses.js';
export {
  mockResponsesAnswer,
  mockResponsesPromptText,
  mockResponsesReasoning,
  mockResponsesUsage,
  responsesLastUserText,
} from './mock-provider/responses-request.js';
export { GEMINI_MODELS, MOCK_THOUGHT_SIGNATURE, googleCompactJson } from './mock-provider/gemini.js';
export { MOCK_EMBEDDING_DIMENSIONS, mockEmbedding, mockEmbeddingBase64 } from './mock-provider/embeddings.js';

/** Which API a request speaks: its path says so, except for shared paths (/v1/models, unknown ones)
 * where the headers do — Anthropic's clients always send anthropic-version, OpenAI's never. */
function apiOf(path: string, headers: Record<string, string>): MockApi {
  if (path === '/v1/chat/completions' || path === '/v1/embeddings' || path === '/v1/responses') return 'openai';
  if (path === '/v1/messages' || path.startsWith('/v1/messages/')) return 'anthropic';
  if (path.startsWith('/v1beta/') || geminiCallOf(path) !== undefined) return 'gemini';
  if (path.startsWith('/v2/')) return 'cohere';
  if (headers['x-goog-api-key'] !== undefined) return 'gemini';
  return headers['anthropic-version'] !== undefined || headers['x-api-key'] !== undefined ? 'anthropic' : 'openai';
}

function newRequestId(api: MockApi): string {
  if (api === 'openai') return `req_${randomBytes(16).toString('hex')}`;
  if (api === 'cohere') return randomUUID();
  return api === 'gemini' ? randomBytes(8).toString('hex') : `req_mock${randomBytes(12).toString('hex')}`;
}

function baseHeaders(api: MockApi, requestId: string): Record<string, string> {
  if (api === 'openai') return openaiHeaders(requestId);
  if (api === 'gemini') return geminiHeaders();
  return api === 'cohere' ? cohereHeaders(requestId) : anthropicHeaders(requestId);
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The 401/400 an API sends when credentials or required headers are missing or wrong. */
function authFailure(api: MockApi, request: RecordedRequest, options: MockProviderOptions, requestId: string): Reply | undefined {
  const { headers } = request;
  if (api === 'gemini') return geminiAuthFailure(headers, request.query, options.geminiKey);
  if (api === 'cohere') return cohereAuthFailure(headers, options.cohereKey, requestId);
  if (api === 'openai') {
    if (options.openaiKey === undefined) return undefined;
    const authorization = headers.authorization;
    if (authorization === undefined) {
      const message = "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
      return openaiError(401, { message, type: 'invalid_request_error' }, requestId);
    }
    if (authorization !== `Bearer ${options.openaiKey}`) {
      return openaiError(401, { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' }, requestId);
    }
    return undefined;
  }
  if (options.anthropicKey !== undefined) {
    // The API takes the key as x-api-key or as a bearer token; @anthropic-ai/sdk 1.x sends the
    // bearer form (`Authorization: Bearer <apiKey>`), older clients and curl examples x-api-key.
    const bearer = headers.authorization?.replace(/^Bearer /, '');
    const key = headers['x-api-key'] ?? bearer;
    if (key === undefined) return anthropicError(401, 'authentication_error', 'x-api-key header is required', requestId);
    if (key !== options.anthropicKey) {
      const message = headers['x-api-key'] !== undefined ? 'invalid x-api-key' : 'Invalid bearer token';
      return anthropicError(401, 'authentication_error', message, requestId);
    }
  }
  if (headers['anthropic-version'] === undefined) {
    return anthropicError(400, 'invalid_request_error', 'anthropic-version: header is required', requestId);
  }
  return undefined;
}

function geminiRoute(request: RecordedRequest, answer: AnswerContext): Reply {
  const { method, path, body, rawBody, query } = request;
  const call = geminiCallOf(path);
  if (method === 'POST' && call) {
    switch (call.method) {
      case 'generateContent':
      case 'streamGenerateContent':
        return generateContentReply(call.model, call.method === 'streamGenerateContent', { body, rawBody, query }, answer);
      case 'embedContent':
        return geminiEmbedContentReply(body, rawBody);
      case 'batchEmbedContents':
        return geminiBatchEmbedReply(call.model, body, rawBody);
    }
  }
  if (method === 'GET' && path === '/v1beta/models') return geminiModelsReply();
  return geminiError(404, `Method not found: ${method} ${path}`, 'NOT_FOUND');
}

function route(request: RecordedRequest, options: MockProviderOptions, answer: AnswerContext, responses: ResponsesStore): Reply {
  const { api, method, path, body } = request;
  const denied = authFailure(api, request, options, answer.requestId);
  if (denied) return denied;
  if (api === 'gemini') return geminiRoute(request, answer);
  if (method === 'POST' && path === '/v2/chat') return cohereChatReply(body, answer);
  if (method === 'POST' && path === '/v2/embed') return cohereEmbedReply(body, answer);
  if (api === 'cohere') return cohereError(404, `404 page not found: ${method} ${path}`, answer.requestId);
  if (method === 'POST' && path === '/v1/chat/completions') return chatCompletionReply(body, answer);
  if (method === 'POST' && path === '/v1/responses') return responsesReply(body, answer, responses);
  if (method === 'POST' && path === '/v1/embeddings') return openaiEmbeddingsReply(body, answer);
  if (method === 'POST' && path === '/v1/messages') return messagesReply(body, answer);
  if (method === 'POST' && path === '/v1/messages/count_tokens') return countTokensReply(body, answer.requestId);
  if (method === 'GET' && path === '/v1/models') return api === 'openai' ? openaiModelsReply(answer.requestId) : anthropicModelsReply(answer.requestId);
  return api === 'openai'
    ? openaiError(404, { message: `Invalid URL (${method} ${path})`, type: 'invalid_request_error' }, answer.requestId)
    : anthropicError(404, 'not_found_error', `Not found: ${method} ${path}`, answer.requestId);
}

/** The reply of an 'error' behaviour: the test's body, or the API's documented one for the status. */
function errorReply(behaviour: Extract<Behaviour, { kind: 'error' }>, api: MockApi, requestId: string): Reply {
  const body = behaviour.body !== undefined ? behaviour.body : defaultErrorBody(api, behaviour.status, requestId);
  return { kind: 'json', status: behaviour.status, headers: { ...baseHeaders(api, requestId), ...behaviour.headers }, body };
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

export async function startMockProvider(options: MockProviderOptions = {}): Promise<MockProvider> {
  const queue = new BehaviourQueue();
  const requests: RecordedRequest[] = [];
  const responses = new ResponsesStore();
  let sequence = 0;
  let closing = false;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const lifetime = new AbortController();
    let cutByMock = false;
    // A write racing a client disconnect must not crash the mock.
    res.on('error', () => {});
    res.on('close', () => lifetime.abort());
    const cut = () => {
      cutByMock = true;
      const socket = res.socket;
      // Destroy only once what was written has left, so the client surely got the events before the cut.
      if (socket) socket.write('', () => socket.destroy());
    };

    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      return; // the client went away while sending its body
    }
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://mock.invalid');
    const headers = flattenHeaders(req);
    const api = apiOf(url.pathname, headers);
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      headers,
      rawBody,
      body: parseJson(rawBody),
      api,
      aborted: false,
      finished: false,
    };
    if (options.recordRequests !== false) requests.push(recorded);
    res.on('finish', () => {
      recorded.finished = true;
    });
    res.on('close', () => {
      if (!res.writableFinished && !cutByMock && !closing) recorded.aborted = true;
    });
    // The connection may have closed while the body was read, before the listener above existed.
    if (res.destroyed && !closing) recorded.aborted = true;

    const requestId = newRequestId(api);
    const behaviour = queue.take(recorded);
    const signal = lifetime.signal;
    try {
      switch (behaviour?.kind) {
        case 'hang':
          await untilAborted(signal);
          return;
        case 'reset':
          // Nothing was written, so there is nothing to let drain: drop the socket right away.
          cutByMock = true;
          res.socket?.destroy();
          return;
        case 'raw':
          res.writeHead(behaviour.status, behaviour.headers ?? {});
          res.end(behaviour.body);
          return;
        case 'error':
          await deliver(errorReply(behaviour, api, requestId), undefined, { res, signal, cut });
          return;
        case 'delay':
          await sleep(behaviour.ms, undefined, { signal });
          break;
      }
      sequence += 1;
      const reply = route(recorded, options, { sequence, requestId, created: Math.floor(Date.now() / 1000), textPieces: behaviour?.kind === 'slowStream' ? behaviour.chunks : undefined, dialect: options.openaiDialect }, responses);
      // Auth and validation errors are plain answers: the failure behaviours apply to successful ones only.
      const failure = reply.status >= 400 ? undefined : behaviour;
      await deliver(reply, failure, { res, signal, cut });
    } catch (error) {
      if (isAbortError(error)) return;
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`mock provider failure: ${String(error)}`);
      } else {
        cut();
      }
    }
  }

  const server = createServer({ noDelay: true }, (req, res) => void handle(req, res));
  // Longer than any client's idle keep-alive, so that a reused socket is never closed under a request.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    openaiBaseUrl: `${url}/v1`,
    anthropicBaseUrl: url,
    geminiBaseUrl: `${url}/v1beta`,
    cohereBaseUrl: url,
    requests,
    enqueue(behaviour, enqueueOptions) {
      queue.add(behaviour, enqueueOptions);
    },
    pending() {
      return queue.pending();
    },
    reset() {
      queue.clear();
      requests.length = 0;
    },
    close() {
      closing = true;
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Hung and stalled requests would keep close() waiting forever.
        server.closeAllConnections();
      });
    },
  };
}
