import type { GatewayError } from '../errors.js';
import type { StreamObserver, TokenUsage, UpstreamRequest } from '../providers/types.js';
import type { ProxyContext } from './context.js';
import { clientHeaders } from './headers.js';
import { relaySse } from './relay.js';
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
  /** The client's answer for a provider's non-2xx (its body not yet read). */
  errorResponse(upstream: Response, call: UpstreamCall, headers: Record<string, string>): Promise<Response>;
  createObserver(): StreamObserver;
  /** The event that tells the client its stream broke off, in its own format. */
  streamErrorEvent(error: GatewayError): string;
  /** A whole non-streamed answer: what the client gets, and the usage it reports. Throws a GatewayError when unreadable. */
  answer(bytes: Uint8Array<ArrayBuffer>): { body: BodyInit; contentType?: string; usage: TokenUsage | undefined };
}

/** Sends the planned call and relays its answer: streamed event by event, or whole. */
export async function exchange(ctx: ProxyContext, plan: ExchangePlan): Promise<Response> {
  const { services, model, startedAt } = ctx;
  let ttftMs: number | null = null;
  const record = (status: number, outcome: string, usage?: TokenUsage) =>
    ctx.record({ status, outcome, stream: plan.stream, ttftMs, ...(usage ? { usage } : {}) });

  const call = new UpstreamCall(model.timeouts, ctx.request.signal);
  let upstream: Response;
  try {
    upstream = await call.send(services.fetch, plan.request, plan.stream);
  } catch (error) {
    const failure = error as GatewayError;
    record(failure.status, call.cause ?? 'upstream_unreachable');
    throw failure;
  }
  const headers = { ...clientHeaders(upstream.headers, model.config.id, ctx.requestId), ...plan.headers };

  if (!upstream.ok) {
    const response = await plan.errorResponse(upstream, call, headers);
    record(response.status, 'upstream_error');
    return response;
  }

  const isEventStream = upstream.headers.get('content-type')?.startsWith('text/event-stream') ?? false;
  if (plan.stream && isEventStream && upstream.body) {
    const observer = plan.createObserver();
    const stream = relaySse(upstream.body, call, {
      observer,
      idleMs: model.timeouts.idleMs,
      errorEvent: (error) => plan.streamErrorEvent(error),
      onFirstByte: () => {
        ttftMs = services.now() - startedAt;
      },
      onEnd: (outcome) => record(upstream.status, outcome, observer.usage()),
    });
    return new Response(stream, { status: upstream.status, headers });
  }

  // Headers are in: for a non-streamed answer that is its first byte.
  ttftMs = services.now() - startedAt;
  let answer: ReturnType<ExchangePlan['answer']>;
  try {
    answer = plan.answer(await call.readBody(upstream));
  } catch (error) {
    const failure = error as GatewayError;
    record(failure.status, call.cause ?? 'upstream_error');
    throw failure;
  }
  record(upstream.status, 'ok', answer.usage);
  if (answer.contentType) headers['content-type'] = answer.contentType;
  return new Response(answer.body, { status: upstream.status, headers });
}
