import { GatewayError } from '../errors.js';
import { assertJsonContentType, parseJsonObject, readBodyText } from '../http/body.js';
import type { Services } from '../services.js';
import { authenticateProject } from './auth.js';
import { createUsageRecorder, type ProxyContext } from './context.js';
import type { Endpoint } from './endpoints.js';
import { exchange } from './exchange.js';
import { passthroughPlan } from './passthrough.js';
import { selectModel } from './select.js';
import { assertTranslatableNesting, estimatedCountTokens, translatedChatPlan, translatedEmbeddingsPlan } from './translate.js';

/** One proxied call: authenticate, validate, pick a model, then forward as is or translate. */
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

  const { model, route } = selectModel(project, String(parsed.model), index, endpoint);
  const requestId = `req_${crypto.randomUUID()}`;
  const ctx: ProxyContext = {
    services,
    endpoint,
    request,
    body,
    parsed,
    project,
    model,
    requestId,
    startedAt,
    record: createUsageRecorder(services, { project, token, model, endpoint, requestId, startedAt }, waitUntil),
  };

  if (route === 'passthrough') return exchange(ctx, passthroughPlan(ctx, model.provider.passthrough!));
  assertTranslatableNesting(body);
  switch (endpoint.operation) {
    case 'chat':
      return exchange(ctx, translatedChatPlan(ctx, endpoint.client));
    case 'count_tokens':
      return estimatedCountTokens(ctx, endpoint.client);
    case 'embeddings':
      return exchange(ctx, translatedEmbeddingsPlan(ctx, endpoint.client));
  }
}
