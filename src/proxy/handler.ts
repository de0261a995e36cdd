import { errorResponse, GatewayError, toGatewayError } from '../errors.js';
import { assertJsonContentType, parseJsonObject, readBodyText } from '../http/body.js';
import { readableStreamOf } from '../http/chunks.js';
import { signalPresence } from '../http/client-presence.js';
import type { RequestContext } from '../deps.js';
import { duplicateTopLevelKey } from '../json/members.js';
import { UNLIMITED } from '../limits/call-limits.js';
import { compileRouting } from '../routing/compile.js';
import { newTrace } from '../routing/trace.js';
import type { Services } from '../services.js';
import { authenticateProject } from './auth.js';
import { candidatesFor } from './candidates.js';
import type { CallContext } from './context.js';
import type { Endpoint } from './endpoints.js';
import { routeCall } from './router.js';

/** The parts of RequestContext a proxied call uses (gateway.fetch reads the others). */
type HostContext = Pick<RequestContext, 'client' | 'streamBody' | 'afterResponse' | 'readBody' | 'headers'>;

/**
 * One proxied call: authenticate, validate, find the candidate models, then route among them.
 * Every answer carries `x-routerly-request-id`, the gateway's own errors included (a refused
 * token, a body too large, no model left), so a client can always quote it.
 */
export async function handleProxy(
  request: Request,
  endpoint: Endpoint,
  services: Services,
  waitUntil: (promise: Promise<unknown>) => void,
  context?: HostContext,
): Promise<Response> {
  const requestId = `req_${crypto.randomUUID()}`;
  try {
    return await routeRequest(request, endpoint, services, waitUntil, requestId, context);
  } catch (thrown) {
    const error = toGatewayError(thrown);
    if (error.code === 'internal') services.logger.error('unhandled error', { path: endpoint.path, requestId, error: String(thrown) });
    return errorResponse(error, endpoint.errorFormat, { 'x-routerly-request-id': requestId });
  }
}

async function routeRequest(
  request: Request,
  endpoint: Endpoint,
  services: Services,
  waitUntil: (promise: Promise<unknown>) => void,
  requestId: string,
  context: HostContext | undefined,
): Promise<Response> {
  const startedAt = services.now();
  const index = services.config.index;
  const headers = context?.headers ?? request.headers;
  const { project, token } = authenticateProject(headers, index);
  assertJsonContentType(headers);
  const body = await readBodyText(request, services.maxBodyBytes, headers, context?.readBody);
  const parsed = parseJsonObject(body);
  const duplicate = duplicateTopLevelKey(body);
  if (duplicate !== undefined) {
    // The gateway reads the last of duplicate keys (JSON.parse) but a provider may read the first.
    throw new GatewayError('invalid_request', `the body has the key "${duplicate}" more than once`, { param: duplicate });
  }
  // The schema runs only on a body that may be wrong, to say what is (endpoints.ts).
  const valid = endpoint.accepts(parsed) ? undefined : endpoint.schema.safeParse(parsed);
  if (valid && !valid.success) {
    const issue = valid.error.issues[0]!;
    const param = issue.path.join('.');
    throw new GatewayError('invalid_request', `${param ? `${param}: ` : ''}${issue.message}`, { param });
  }

  const requested = String(parsed.model);
  const set = candidatesFor(project, requested, index, endpoint);
  const routing = compileRouting(set.routing);
  const call: CallContext = {
    services,
    endpoint,
    request,
    headers,
    body,
    parsed,
    project,
    token,
    requestId,
    startedAt,
    waitUntil,
    client: context?.client ?? signalPresence(request),
    streamBody: context?.streamBody ?? readableStreamOf,
    afterResponse: accountingRunner(context?.afterResponse, services, requestId),
    deadlineAt: routing.deadlineMs === undefined ? undefined : startedAt + routing.deadlineMs,
    routing,
    trace: newTrace(
      requested,
      set.requested,
      set.candidates.map((c) => c.model.config.id),
      services.node,
    ),
    warnings: set.warnings,
    // Set by routeCall at admission.
    limits: UNLIMITED,
  };
  return routeCall(call, set);
}

/** Runs accounting now, or later by the runtime's `afterResponse`; a failure there is logged, never thrown at the runtime. */
function accountingRunner(later: RequestContext['afterResponse'], services: Services, requestId: string): (task: () => void) => void {
  if (!later) return (task) => task();
  return (task) =>
    later(() => {
      try {
        task();
      } catch (error) {
        services.logger.error('recording a finished call failed', { requestId, error: String(error) });
      }
    });
}
