import type { GatewayError } from '../errors.js';
import { retryAfterMs } from '../http/retry-after.js';
import type { UpstreamAnswer } from '../http/upstream.js';
import type { StreamObserver, TokenUsage, UpstreamRequest } from '../providers/types.js';
import type { ErrorClass } from '../routing/stats.js';
import type { SseEvent } from '../sse/parser.js';
import type { ProxyContext } from './context.js';
import { clientHeaders } from './headers.js';
import { startRelay } from './relay.js';
import { UpstreamCall } from './upstream.js';

/**
 * What differs between a call forwarded as is and one translated through the IR; the
 * sending, timing, relaying and recording around it are the same and live in `exchange`.
 */
export interface ExchangePlan {
  request: UpstreamRequest;
  /** Whether the client asked for a stream. */
  stream: boolean;
  /** Headers added to every answer (x-routerly-warnings). */
  headers?: Record<string, string>;
  /**
   * The client's answer for a provider's non-2xx (its body not yet read). `summary` names
   * every attempt when the call failed over before this last failure.
   */
  errorResponse(upstream: UpstreamAnswer, call: UpstreamCall, headers: Record<string, string>, summary?: string): Promise<Response>;
  /** The client's answer for a stream whose first event was an error. */
  startErrorResponse(error: { status: number; message: string }, headers: Record<string, string>): Response;
  createObserver(): StreamObserver;
  /** The event that tells the client its stream broke off, in its own format. */
  streamErrorEvent(error: GatewayError): string;
  /** The provider error a stream's first event reports, if it is one. */
  startError(event: SseEvent): { status: number; message: string } | undefined;
  /**
   * A whole non-streamed answer: what the client gets, and what it says of the call. Throws a
   * GatewayError when a translated answer is unreadable.
   */
  answer(bytes: Uint8Array<ArrayBuffer>): PlannedAnswer;
}

export interface PlannedAnswer {
  body: BodyInit;
  contentType?: string;
  /**
   * The usage the answer reports, and (for bytes forwarded as they came) an `outcome` other than
   * ok when they are not a good answer. Asked once, possibly after the answer went out: a
   * forwarded answer is only parsed then, since nothing in it changes what the client gets.
   */
  account(): { usage: TokenUsage | undefined; outcome?: string };
}

/**
 * How one attempt ended, for the router to decide what the client gets: an answer to relay
 * (for a stream, one whose first event was not an error), a provider's refusal with its
 * status, or a failure without one (unreachable, timed out, unreadable).
 */
export type AttemptOutcome =
  | { kind: 'answered'; response: Response; status: number }
  | {
      kind: 'refused';
      status: number;
      retryAfterMs: number | undefined;
      ttftMs: number | null;
      /** The client's error answer; `summary` names the attempts when there were several. */
      render(summary?: string): Promise<Response>;
      /** Frees the upstream connection when the call goes elsewhere instead. */
      discard(): void;
    }
  | { kind: 'failed'; error: GatewayError; cause: string; ttftMs: number | null };

/** What a failure says of the model's health. */
function classOfStatus(status: number): ErrorClass {
  if (status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'auth';
  if (status === 408 || status === 504) return 'timeout';
  return status >= 500 ? 'server' : 'client';
}

function classOfCause(cause: string): ErrorClass {
  if (cause.endsWith('timeout') || cause === 'deadline') return 'timeout';
  if (cause === 'upstream_unreachable') return 'unreachable';
  return 'server';
}

/**
 * Sends one attempt and reads its answer until the client's response can be committed: the
 * headers of a non-2xx, the whole body of a non-streamed answer, the first event of a stream.
 * An answer is recorded here (for a stream, when it ends); failures are recorded by the
 * router, which alone knows whether they are the call's last word.
 * `attemptsHeader` is called once if this attempt answers the client, with its status: it
 * completes the trace and gives the value of x-routerly-attempts.
 */
export async function exchange(ctx: ProxyContext, plan: ExchangePlan, attemptsHeader: (status: number) => string): Promise<AttemptOutcome> {
  const { services, model, startedAt } = ctx;
  const modelId = model.config.id;
  const stats = services.stats;
  const attemptStart = services.now();
  let ttftMs: number | null = null;
  const remainingMs = ctx.deadlineAt === undefined ? undefined : Math.max(1, ctx.deadlineAt - attemptStart);
  const call = new UpstreamCall(model.timeouts, ctx.client, remainingMs, services.upstreamLimits);
  const probe = stats.begin(modelId, ctx.routing.circuit);
  const fail = (error: GatewayError, cause: string): AttemptOutcome => {
    // A client that left says nothing of the model: neither a success that would close a circuit nor a failure.
    stats.end(modelId, { ok: false, errorClass: cause === 'client_aborted' ? 'client' : classOfCause(cause), probe });
    return { kind: 'failed', error, cause, ttftMs };
  };

  let upstream: UpstreamAnswer;
  try {
    upstream = await call.send(services.upstream, plan.request, plan.stream);
  } catch (error) {
    return fail(error as GatewayError, call.cause ?? 'upstream_unreachable');
  }
  const headers = clientHeaders(upstream, modelId, ctx.requestId);
  if (plan.headers) Object.assign(headers, plan.headers);
  // The call's rate-limit headers go in this plain record: set on the Response afterwards they
  // made Node's server build a WHATWG Headers of every header of every rate-limited answer.
  if (ctx.limits.headers) Object.assign(headers, ctx.limits.headers);

  if (upstream.status < 200 || upstream.status > 299) {
    const status = upstream.status;
    const retryAfter = retryAfterMs(upstream, services.now());
    stats.end(modelId, { ok: false, errorClass: classOfStatus(status), probe, ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) });
    return {
      kind: 'refused',
      status,
      retryAfterMs: retryAfter,
      ttftMs,
      render: (summary) => plan.errorResponse(upstream, call, headers, summary),
      discard() {
        call.finish();
        upstream.cancel();
      },
    };
  }

  const isEventStream = upstream.header('content-type')?.startsWith('text/event-stream') ?? false;
  const chunks = plan.stream && isEventStream ? upstream.chunks() : null;
  if (chunks) {
    const observer = plan.createObserver();
    const started = await startRelay(chunks, call, {
      observer,
      idleMs: model.timeouts.idleMs,
      holdLastBytes: services.durableUsage,
      errorEvent: (error) => plan.streamErrorEvent(error),
      startError: (event) => plan.startError(event),
      onEnd(ended) {
        const account = (): Promise<void> => {
          const usage = observer.usage();
          // The body ended cleanly; whether it was a whole answer is the observer's to say.
          const outcome = ended === 'ok' ? (observer.failure?.() ?? 'ok') : ended;
          const errorClass = outcome === 'ok' ? undefined : outcome === 'client_aborted' ? ('client' as const) : ('stream' as const);
          stats.end(modelId, {
            ok: errorClass === undefined,
            probe,
            ...(errorClass ? { errorClass } : {}),
            ...(ttftMs !== null ? { ttftMs: ttftMs - (attemptStart - startedAt) } : {}),
            tokens: usage ? usage.inputTokens + usage.outputTokens : 0,
          });
          return ctx.record({ status: upstream.status, outcome, stream: true, ttftMs, final: true, ...(usage ? { usage } : {}) });
        };
        // Durable usage: the relay holds the stream's last bytes until the record is stored.
        if (services.durableUsage) return account();
        ctx.afterResponse(() => void account());
        return undefined;
      },
    });
    if (started.kind === 'failed') return fail(call.failure(), started.cause);
    if (started.kind === 'refused') {
      stats.end(modelId, { ok: false, errorClass: classOfStatus(started.status), probe });
      const refusal = { status: started.status, message: started.message };
      return {
        kind: 'refused',
        status: started.status,
        retryAfterMs: undefined,
        ttftMs,
        render: (summary) =>
          Promise.resolve(
            plan.startErrorResponse(summary ? { ...refusal, message: `${refusal.message} (tried ${summary})` } : refusal, headers),
          ),
        discard: () => undefined,
      };
    }
    ttftMs = services.now() - startedAt;
    headers['x-routerly-attempts'] = attemptsHeader(upstream.status);
    return { kind: 'answered', status: upstream.status, response: new Response(ctx.streamBody(started.chunks), { status: upstream.status, headers }) };
  }

  // Headers are in: for a non-streamed answer that is its first byte.
  ttftMs = services.now() - startedAt;
  let answer: PlannedAnswer;
  try {
    answer = plan.answer(await call.readBody(upstream));
  } catch (error) {
    return fail(error as GatewayError, call.cause ?? 'upstream_error');
  }
  const latencyMs = services.now() - attemptStart;
  // The attempts header first: it completes the trace this final record carries.
  headers['x-routerly-attempts'] = attemptsHeader(upstream.status);
  const account = (): Promise<void> => {
    const { usage, outcome = 'ok' } = answer.account();
    const tokens = usage ? usage.inputTokens + usage.outputTokens : 0;
    stats.end(modelId, outcome === 'ok' ? { ok: true, probe, latencyMs, tokens } : { ok: false, errorClass: 'server', probe, tokens });
    return ctx.record({ status: upstream.status, outcome, stream: plan.stream, ttftMs, final: true, ...(usage ? { usage } : {}) });
  };
  // Durable usage: the record is stored before the answer goes out.
  if (services.durableUsage) await account();
  else ctx.afterResponse(() => void account());
  if (answer.contentType) headers['content-type'] = answer.contentType;
  return { kind: 'answered', status: upstream.status, response: new Response(answer.body, { status: upstream.status, headers }) };
}
