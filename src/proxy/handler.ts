import { GatewayError } from '../errors.js';
import { assertJsonContentType, parseJsonObject, readBodyText } from '../http/body.js';
import { PROVIDER_REGISTRY } from '../providers/registry.js';
import type { ProviderAdapter, TokenUsage } from '../providers/types.js';
import type { Services } from '../services.js';
import { costUsd } from '../usage/cost.js';
import type { UsageRecord } from '../usage/record.js';
import { authenticateProject } from './auth.js';
import type { Endpoint } from './endpoints.js';
import { upstreamErrorResponse } from './errors.js';
import { clientHeaders } from './headers.js';
import { relaySse } from './relay.js';
import { selectModel } from './select.js';
import { UpstreamCall } from './upstream.js';

const NO_USAGE: TokenUsage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0 };

/** One proxied call: authenticate, validate, pick a model, forward, relay, record. */
export async function handleProxy(
  request: Request,
  endpoint: Endpoint,
  services: Services,
  waitUntil: (promise: Promise<unknown>) => void,
): Promise<Response> {
  const startedAt = services.now();
  const index = services.config.index;
  const { project, token } = authenticateProject(request.headers, index);
  assertJsonContentType(request);
  const body = await readBodyText(request, services.maxBodyBytes);
  const parsed = parseJsonObject(body);
  const valid = endpoint.schema.safeParse(parsed);
  if (!valid.success) {
    const issue = valid.error.issues[0]!;
    const param = issue.path.join('.');
    throw new GatewayError('invalid_request', `${param ? `${param}: ` : ''}${issue.message}`, { param });
  }

  const model = selectModel(project, String(parsed.model), index, endpoint);
  const adapter = servingAdapter(model.config.provider, endpoint);
  const prepared = adapter.prepare({
    operation: endpoint.operation,
    model,
    body,
    parsed,
    clientHeaders: request.headers,
    search: searchOf(request.url),
  });

  const requestId = `req_${crypto.randomUUID()}`;
  let ttftMs: number | null = null;
  const record = (status: number, outcome: string, reported?: TokenUsage): void => {
    const usage = reported ?? NO_USAGE;
    if (!reported && outcome === 'ok' && endpoint.operation === 'chat') {
      // Costing this call at $0 silently is the bug we exist to avoid: say so, in the log and the record.
      services.logger.warn('provider reported no usage', { model: model.config.id, requestId, stream: prepared.stream });
    }
    const entry: UsageRecord = {
      ts: new Date(startedAt).toISOString(),
      requestId,
      projectId: project.id,
      tokenId: token.id,
      model: model.config.id,
      provider: model.config.provider,
      upstreamModel: model.upstreamModel,
      endpoint: endpoint.path,
      stream: prepared.stream,
      status,
      outcome,
      ...usage,
      usageReported: reported !== undefined,
      // count_tokens is free: its usage is a count, not a charge.
      costUsd: endpoint.operation === 'chat' ? costUsd(usage, model.config.pricing) : 0,
      latencyMs: services.now() - startedAt,
      ttftMs,
    };
    waitUntil(services.usage.record(entry));
  };

  const call = new UpstreamCall(model.timeouts, request.signal);
  let upstream: Response;
  try {
    upstream = await call.send(services.fetch, prepared.request, prepared.stream);
  } catch (error) {
    const failure = error as GatewayError;
    record(failure.status, call.cause ?? 'upstream_unreachable');
    throw failure;
  }
  const headers = clientHeaders(upstream.headers, model.config.id, requestId);

  if (!upstream.ok) {
    const response = await upstreamErrorResponse(upstream, call, adapter, model.config.id, headers);
    record(response.status, 'upstream_error');
    return response;
  }

  const isEventStream = upstream.headers.get('content-type')?.startsWith('text/event-stream') ?? false;
  if (prepared.stream && isEventStream && upstream.body) {
    const observer = prepared.createObserver();
    const stream = relaySse(upstream.body, call, {
      observer,
      idleMs: model.timeouts.idleMs,
      errorEvent: (error) => adapter.streamErrorEvent(error),
      onFirstByte: () => {
        ttftMs = services.now() - startedAt;
      },
      onEnd: (outcome) => record(upstream.status, outcome, observer.usage()),
    });
    return new Response(stream, { status: upstream.status, headers });
  }

  // Headers are in: for a non-streamed answer that is its first byte.
  ttftMs = services.now() - startedAt;
  const bytes = await call.readBody(upstream).catch((error: GatewayError) => {
    record(error.status, call.cause ?? 'upstream_error');
    throw error;
  });
  let usage: TokenUsage | undefined;
  try {
    usage = adapter.usageFromBody(JSON.parse(new TextDecoder().decode(bytes)));
  } catch {
    // A body that is not JSON still goes to the client as the provider sent it.
  }
  record(upstream.status, 'ok', usage);
  return new Response(bytes, { status: upstream.status, headers });
}

/** The adapter that serves `provider` for this endpoint, or the 400 that explains why none does. */
function servingAdapter(provider: keyof typeof PROVIDER_REGISTRY, endpoint: Endpoint): ProviderAdapter {
  const adapter = PROVIDER_REGISTRY[provider].adapter;
  if (!adapter) throw new GatewayError('invalid_request', `models of provider "${provider}" cannot be called yet`);
  if (adapter.format !== endpoint.format) {
    throw new GatewayError(
      'invalid_request',
      `the selected model speaks the ${adapter.format} format and ${endpoint.path} translation to it is not supported yet; name a ${endpoint.format}-format model of the project`,
    );
  }
  if (!adapter.operations.includes(endpoint.operation)) {
    throw new GatewayError('invalid_request', `${endpoint.path} is not available for ${provider} models`);
  }
  return adapter;
}

/** The `?…` part of a URL, without parsing the rest of it. */
function searchOf(url: string): string {
  const query = url.indexOf('?');
  if (query === -1) return '';
  const hash = url.indexOf('#', query);
  return url.slice(query, hash === -1 ? undefined : hash);
}
