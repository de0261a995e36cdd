import { ApiError, get } from '../api';
import { readSse } from '../ui/sse';
import type { UsageRecord } from './usage-api';

/**
 * One chat call through the real proxy, as a client makes it: POST /v1/chat/completions with
 * the project's token, streamed. Nothing here goes through the management API's session.
 */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** What the gateway said about a call besides the answer, from its headers and the usage chunk. */
export interface CallMeta {
  /** x-routerly-model: the gateway model that served (or last failed). */
  model?: string;
  /** x-routerly-attempts: `claude;status=529, gpt;status=200`. */
  attempts?: string;
  requestId?: string;
  /** The stream's usage chunk (stream_options.include_usage). */
  usage?: { inputTokens: number; outputTokens: number };
  finishReason?: string;
  /** The proxy's error message (OpenAI format), before or during the stream. */
  error?: string;
  /** Stopped by the user. */
  aborted?: boolean;
  elapsedMs: number;
}

export interface StreamHandlers {
  onText(text: string): void;
  onReasoning(text: string): void;
}

interface OpenAIChunk {
  choices?: { delta?: { content?: string | null; reasoning_content?: string | null }; finish_reason?: string | null; message?: { content?: string | null } }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: { message?: string; type?: string; code?: string | null };
}

function errorMessage(body: OpenAIChunk | undefined, fallback: string): string {
  const error = body?.error;
  if (!error?.message) return fallback;
  const code = error.code ?? error.type;
  return code ? `${error.message} (${code})` : error.message;
}

function readUsage(chunk: OpenAIChunk): CallMeta['usage'] {
  if (!chunk.usage) return undefined;
  return { inputTokens: chunk.usage.prompt_tokens ?? 0, outputTokens: chunk.usage.completion_tokens ?? 0 };
}

/**
 * Streams one completion: text arrives through `handlers`; the answer is the call's meta, with
 * `error` set (not thrown) when the proxy refused or broke off, so its headers are still shown.
 */
export async function streamChat(
  request: { token: string; model: string; messages: ChatMessage[]; signal: AbortSignal },
  handlers: StreamHandlers,
): Promise<CallMeta> {
  const started = performance.now();
  const meta: CallMeta = { elapsedMs: 0 };
  const done = () => ({ ...meta, elapsedMs: performance.now() - started });
  let response: Response;
  try {
    response = await fetch('/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: `Bearer ${request.token}`, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ model: request.model, messages: request.messages, stream: true, stream_options: { include_usage: true } }),
      // The proxy authenticates by the project token alone: the dashboard session stays out of it.
      credentials: 'omit',
      signal: request.signal,
    });
  } catch (error) {
    if (request.signal.aborted) return { ...done(), aborted: true };
    return { ...done(), error: error instanceof Error ? `the gateway cannot be reached: ${error.message}` : String(error) };
  }
  meta.model = response.headers.get('x-routerly-model') ?? undefined;
  meta.attempts = response.headers.get('x-routerly-attempts') ?? undefined;
  meta.requestId = response.headers.get('x-routerly-request-id') ?? undefined;

  try {
    if (!response.ok || !response.body) {
      const body = (await response.json().catch(() => undefined)) as OpenAIChunk | undefined;
      return { ...done(), error: errorMessage(body, `${response.status} ${response.statusText}`) };
    }
    // A non-streamed answer (a proxy in front that buffers, or a model that cannot stream).
    if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
      const body = (await response.json()) as OpenAIChunk;
      const choice = body.choices?.[0];
      handlers.onText(choice?.message?.content ?? '');
      return { ...done(), usage: readUsage(body), finishReason: choice?.finish_reason ?? undefined };
    }
    for await (const event of readSse(response.body)) {
      if (event.data === '[DONE]') break;
      let chunk: OpenAIChunk;
      try {
        chunk = JSON.parse(event.data) as OpenAIChunk;
      } catch {
        continue; // not JSON: nothing a chat client would show
      }
      if (chunk.error) return { ...done(), error: errorMessage(chunk, 'the stream broke off') };
      const choice = chunk.choices?.[0];
      if (choice?.delta?.reasoning_content) handlers.onReasoning(choice.delta.reasoning_content);
      if (choice?.delta?.content) handlers.onText(choice.delta.content);
      if (choice?.finish_reason) meta.finishReason = choice.finish_reason;
      meta.usage = readUsage(chunk) ?? meta.usage;
    }
    return done();
  } catch (error) {
    if (request.signal.aborted) return { ...done(), aborted: true };
    return { ...done(), error: error instanceof Error ? error.message : String(error) };
  }
}

/** What GET /api/usage/:requestId tells of a call (src/management/usage.ts): its records, the served one last. */
export type CallUsage = Pick<UsageRecord, 'costUsd' | 'inputTokens' | 'outputTokens' | 'latencyMs' | 'ttftMs' | 'outcome'>;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * The recorded cost of a call. Usage is written after the answer ends, off the request path,
 * so a call that just finished may not be there yet: ask a few times, briefly, then give up.
 */
export async function recordedUsage(requestId: string, signal: AbortSignal): Promise<CallUsage | undefined> {
  for (let attempt = 0; attempt < 6 && !signal.aborted; attempt++) {
    await sleep(250 + attempt * 300, signal);
    try {
      const { records } = await get<{ records: UsageRecord[] }>(`/api/usage/${encodeURIComponent(requestId)}`, undefined, signal);
      const last = records[records.length - 1];
      if (!last) return undefined;
      return {
        // Failed attempts before the served one may have cost something too.
        costUsd: records.reduce((sum, record) => sum + record.costUsd, 0),
        inputTokens: last.inputTokens,
        outputTokens: last.outputTokens,
        latencyMs: last.latencyMs,
        ttftMs: last.ttftMs,
        outcome: last.outcome,
      };
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 404) return undefined;
    }
  }
  return undefined;
}
