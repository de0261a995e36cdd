import type { ResolvedModel } from '../config/state.js';
import { ERROR_TABLE, errorResponse, GatewayError, toGatewayError } from '../errors.js';
import type { ClientPresence } from '../http/client-presence.js';
import type { ClientChatFormat } from '../ir/codec.js';
import type { CompiledRouting } from '../routing/compile.js';
import { rank } from '../routing/engine.js';
import { attemptsHeader, attemptsSummary, traceRanking } from '../routing/trace.js';
import type { PolicyEnv, Ranking, RoutingRequest } from '../routing/types.js';
import type { CandidateSet } from './candidates.js';
import { routeFor } from './candidates.js';
import { createUsageRecorder, recordJudgeCall, reportCall, type CallContext, type ProxyContext, type RecordUsage } from './context.js';
import { exchange, type AttemptOutcome, type ExchangePlan } from './exchange.js';
import { passthroughPlan } from './passthrough.js';
import { routingRequest } from './routing-request.js';
import { assertTranslatableNesting, estimatedCountTokens, translatedChatPlan, translatedEmbeddingsPlan } from './translate.js';
import { IneligibleModelError, withWarnings } from './warnings.js';
import type { AttemptAdmission, AttemptHold } from '../limits/call-limits.js';
import { recordTimestamp } from '../usage/record.js';

/** Statuses worth a second try on the same model: it was busy or timed out, not broken. */
const RETRYABLE = new Set([408, 409, 429, 500, 502, 503, 504, 529]);

/**
 * Ranks the candidates (asking the judge first when the project has one), then tries them in
 * order until one answers: a failure that falls back moves on, before the client has seen a
 * byte; one that does not (the client's fault, or fallback turned off) is the answer. Every
 * attempt is recorded with the call's request id; the last one carries the routing trace.
 * GatewayDeps.onCall hears of the call once: from its last record, or from here when it ended
 * without one (refused before any attempt).
 */
export async function routeCall(call: CallContext, set: CandidateSet): Promise<Response> {
  const request = routingRequest(call.endpoint, call.parsed, call.body, call.project.id, call.headers);
  const candidates = rankable(set, call.routing);
  // Admission first: a call over its project's or token's rate limits is refused before anything else.
  try {
    const admitted = call.services.limits.begin(call.project, call.token, request, candidates, call.endpoint.errorFormat);
    call.limits = admitted instanceof Promise ? await admitted : admitted;
  } catch (error) {
    if (call.services.onCall) reportRefused(call, request.stream, error);
    throw error;
  }
  try {
    // Every answer carries the call's rate-limit headers: the answers the attempts build have them
    // (exchange, estimatedCountTokens, attemptInOrder); an error thrown gets them below.
    return await rankAndAttempt(call, set, request, candidates);
  } catch (error) {
    // No attempt answered and none recorded the call's end: it holds nothing any more.
    call.limits.end(0);
    if (call.services.onCall) reportRefused(call, request.stream, error);
    throw withHeaders(error, call.limits.headers);
  }
}

/**
 * onCall for a call that ended without a usage record of its end: refused before any attempt
 * (budget, rate limit, no model fits) or failed in the gateway. Its model is the last one tried,
 * or the name the client sent.
 */
function reportRefused(call: CallContext, stream: boolean, thrown: unknown): void {
  const error = toGatewayError(thrown);
  const { attempts, requested } = call.trace;
  reportCall(call.services, {
    ts: recordTimestamp(call.startedAt),
    requestId: call.requestId,
    projectId: call.project.id,
    projectName: call.project.name,
    endpoint: call.endpoint.path,
    model: attempts.at(-1)?.model ?? requested,
    stream,
    status: error.status,
    outcome: error.code,
    latencyMs: call.services.now() - call.startedAt,
    attempts: attempts.length,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
  });
}

/** A gateway error carrying the call's rate-limit headers too: every answer of a limited project has them. */
function withHeaders(error: unknown, headers: Record<string, string> | undefined): unknown {
  if (!headers || !(error instanceof GatewayError)) return error;
  return new GatewayError(error.code, error.message, { ...error.options, headers: { ...headers, ...error.options.headers } });
}

async function rankAndAttempt(call: CallContext, set: CandidateSet, request: RoutingRequest, candidates: CandidateSet['candidates']): Promise<Response> {
  const { services, routing, trace } = call;
  const env: PolicyEnv = { now: services.now(), stats: services.stats, budget: call.limits.budget, modelMinute: call.limits.modelMinute };
  // Only chats among several candidates are judged: a judge call to route a free count_tokens,
  // an embedding, or a call with one possible model costs more than it could save.
  if (routing.judge && call.endpoint.operation === 'chat' && candidates.length > 1) {
    const judge = routing.judge;
    const verdict = await services.judge.choose(judge, services.config.index.models.get(judge.model), call.project.id, candidates, request.features(), (report) =>
      recordJudgeCall(services, call, report),
    );
    env.judgeChoice = verdict.choice;
    trace.judge = { model: judge.model, ...verdict };
    env.now = services.now();
  }
  const ranking = rank(candidates, request, env, routing.policies, services.logger);
  traceRanking(trace, ranking, set.unfit);

  const order = attemptOrder(ranking, set, routing);
  if (order.length === 0) throw nothingLeft(ranking, set.named);

  return attemptInOrder(call, order, request);
}

/**
 * The candidates to rank: only the named model when the project does not fall back from it,
 * so that its open circuit is judged among the models that may actually be tried.
 */
export function rankable(set: CandidateSet, routing: CompiledRouting): CandidateSet['candidates'] {
  if (set.named === undefined || routing.fallback.fromNamedModel) return set.candidates;
  return set.candidates.filter((c) => c.model.config.id === set.named);
}

/** The models to try, in order: the ranking, a named pool model first, cut to what fallback allows. */
export function attemptOrder(ranking: Ranking, set: CandidateSet, routing: CompiledRouting): ResolvedModel[] {
  let order = ranking.ranked.map((r) => r.candidate.model);
  if (set.named !== undefined) {
    const named = order.findIndex((m) => m.config.id === set.named);
    if (named > 0) order.unshift(...order.splice(named, 1));
    if (!routing.fallback.fromNamedModel) order = named >= 0 ? order.slice(0, 1) : [];
  }
  if (!routing.fallback.enabled) order = order.slice(0, 1);
  if (order.length > routing.fallback.maxAttempts) order = order.slice(0, routing.fallback.maxAttempts);
  return order;
}

async function attemptInOrder(call: CallContext, order: ResolvedModel[], request: RoutingRequest): Promise<Response> {
  const { services, routing, trace, endpoint } = call;
  let attempt = 0;
  let ineligible: GatewayError | undefined;
  /** Why the last candidate passed over at its reservation was: the answer if no attempt is made. */
  let notSent: GatewayError | undefined;
  /** The last failure, not yet told to the client: it is, unless another attempt follows. */
  let pending: { model: ResolvedModel; record: RecordUsage; outcome: Exclude<AttemptOutcome, { kind: 'answered' }>; hold: AttemptHold | undefined } | undefined;
  const settlePending = (final: boolean): Promise<void> | undefined => {
    if (!pending) return undefined;
    const { record, outcome } = pending;
    const cause = outcome.kind === 'refused' ? (outcome.status === 429 ? 'rate_limited' : 'upstream_error') : outcome.cause;
    // A client that went away never received a status: recorded as 499, nginx's "client closed request".
    const status = outcome.kind === 'refused' ? outcome.status : cause === 'client_aborted' ? ERROR_TABLE.client_closed.status : outcome.error.status;
    const written = record({ status, outcome: cause, stream: request.stream, ttftMs: outcome.ttftMs, final, answered: false });
    if (!final && outcome.kind === 'refused') outcome.discard();
    return written;
  };

  candidates: for (const model of order) {
    // One context per candidate, its attempt and record set anew for each try: nothing keeps the
    // previous try's (a failure is held in `pending` with its own record function).
    const ctx = attemptContext(call, model);
    let plan: ExchangePlan | Estimate;
    try {
      plan = planFor(ctx);
    } catch (error) {
      // A model that cannot take the request as sent (a strict project's unsupported parameters) is
      // passed over; only when no candidate can take it is that the client's answer.
      if (!(error instanceof IneligibleModelError)) throw error;
      (trace.ineligible ??= []).push({ model: model.config.id, reason: error.message });
      ineligible ??= error;
      continue;
    }
    for (let retry = 0; ; retry++) {
      if (call.client.gone || (call.deadlineAt !== undefined && services.now() >= call.deadlineAt)) break candidates;
      let hold: AttemptHold | undefined;
      if (!('estimateWith' in plan)) {
        // A failed attempt holds nothing: its reservation goes back before the next one is made.
        void pending?.hold?.settle(undefined, false);
        // The reservation, before a byte is sent: budgets and the model's own limits, all or nothing.
        const reserved = call.limits.reserve(model);
        const admission = reserved instanceof Promise ? await reserved : reserved;
        if (!admission.ok) {
          (trace.notSent ??= []).push({ model: model.config.id, reason: admission.reason });
          notSent = notSentError(admission);
          continue candidates;
        }
        hold = admission.hold;
      }
      void settlePending(false);
      pending = undefined;
      attempt++;
      ctx.attempt = attempt;
      ctx.record = createUsageRecorder(call, model, attempt, hold);
      if ('estimateWith' in plan) {
        trace.attempts.push({ model: model.config.id, attempt, status: 200, ms: 0 });
        return estimatedCountTokens(ctx, plan.estimateWith, call.warnings);
      }
      const started = services.now();
      const outcome = await exchange(ctx, plan, (status) => {
        trace.attempts.push({ model: model.config.id, attempt, status, ms: services.now() - started });
        return attemptsHeader(trace.attempts);
      });
      if (outcome.kind === 'answered') return outcome.response;
      const status = outcome.kind === 'refused' ? outcome.status : undefined;
      const cause = outcome.kind === 'failed' ? outcome.cause : undefined;
      trace.attempts.push({
        model: model.config.id,
        attempt,
        ...(status !== undefined ? { status } : {}),
        ...(cause !== undefined ? { cause } : {}),
        ms: services.now() - started,
      });
      pending = { model, record: ctx.record, outcome, hold };
      if (cause === 'client_aborted' || cause === 'deadline') break candidates;
      const fallsBack = status === undefined ? true : routing.fallback.onStatus(status);
      if (!fallsBack) break candidates;
      const wait = retry < routing.retries.max && (status === undefined || RETRYABLE.has(status)) ? backoff(call, retry, outcome) : undefined;
      if (wait === undefined) continue candidates;
      if (!(await sleep(wait, call.client))) break candidates;
    }
  }

  if (!pending) {
    if (notSent) throw notSent;
    if (ineligible) throw ineligible;
    throw new GatewayError('upstream_timeout', `the call's deadline of ${call.project.routing?.deadlineMs} ms passed before any model was tried`);
  }
  const written = settlePending(true);
  // Durable usage: the call's last record is stored before its answer goes out.
  if (services.durableUsage) await written;
  const { outcome } = pending;
  const summary = trace.attempts.length > 1 ? attemptsSummary(trace.attempts) : undefined;
  let response: Response;
  if (outcome.kind === 'refused') {
    response = await outcome.render(summary);
  } else {
    const error = summary
      ? new GatewayError(outcome.error.code, `${outcome.error.message} (tried ${summary})`, outcome.error.options)
      : outcome.error;
    response = errorResponse(error, endpoint.errorFormat, { 'x-routerly-model': pending.model.config.id, 'x-routerly-request-id': call.requestId });
  }
  response.headers.set('x-routerly-attempts', attemptsHeader(trace.attempts));
  if (call.warnings.length) withWarnings(response.headers, call.warnings);
  const limited = call.limits.headers;
  if (limited) for (const name in limited) response.headers.set(name, limited[name]!);
  return response;
}

/** count_tokens for a model whose provider has no counting API: estimated with the client format's decoder, no upstream call. */
interface Estimate {
  estimateWith: ClientChatFormat;
}

/** How the call reaches this model: forwarded as is, translated, or (count_tokens without an API) estimated. */
function planFor(ctx: ProxyContext): ExchangePlan | Estimate {
  const { endpoint, model, warnings } = ctx;
  const route = routeFor(model, endpoint);
  if (route === 'passthrough') return withPlanWarnings(passthroughPlan(ctx, model.provider.passthrough!), warnings);
  assertTranslatableNesting(ctx.body);
  switch (endpoint.operation) {
    case 'chat':
      return withPlanWarnings(translatedChatPlan(ctx, endpoint.client), warnings);
    case 'count_tokens':
      return { estimateWith: endpoint.client };
    case 'embeddings':
      return withPlanWarnings(translatedEmbeddingsPlan(ctx, endpoint.client), warnings);
  }
}

const NO_RECORD: RecordUsage = () => Promise.resolve();

/**
 * The call as one candidate sees it: the call's fields, the candidate's own on top. Written out
 * field by field: an object literal of one fixed shape is a single small allocation, where
 * spreading the call (whose shape has changed since it was made: its limits are set at
 * admission) cost about 2 KB a candidate.
 */
function attemptContext(call: CallContext, model: ResolvedModel): ProxyContext {
  return {
    services: call.services,
    endpoint: call.endpoint,
    request: call.request,
    headers: call.headers,
    body: call.body,
    parsed: call.parsed,
    project: call.project,
    token: call.token,
    requestId: call.requestId,
    startedAt: call.startedAt,
    waitUntil: call.waitUntil,
    client: call.client,
    streamBody: call.streamBody,
    afterResponse: call.afterResponse,
    deadlineAt: call.deadlineAt,
    routing: call.routing,
    trace: call.trace,
    warnings: call.warnings,
    limits: call.limits,
    model,
    attempt: 0,
    record: NO_RECORD,
  };
}

function withPlanWarnings(plan: ExchangePlan, warnings: string[]): ExchangePlan {
  if (warnings.length === 0) return plan;
  const headers = new Headers(plan.headers);
  withWarnings(headers, warnings);
  return { ...plan, headers: Object.fromEntries(headers) };
}

/** The wait before retrying the same model: its retry-after when it gave one that fits the deadline, else jittered exponential backoff. */
function backoff(call: CallContext, retry: number, outcome: Exclude<AttemptOutcome, { kind: 'answered' }>): number | undefined {
  const { routing, services, deadlineAt } = call;
  const asked = outcome.kind === 'refused' ? outcome.retryAfterMs : undefined;
  const wait = asked ?? Math.round(routing.retries.backoffMs * 2 ** retry * (0.5 + Math.random()));
  if (deadlineAt !== undefined && services.now() + wait >= deadlineAt) return undefined;
  // A long retry-after is better spent on another model than waiting.
  if (asked !== undefined && asked > Math.max(routing.retries.backoffMs * 8, 2000)) return undefined;
  return wait;
}

/** Resolves true after `ms`, or false at once if the client goes away first. */
function sleep(ms: number, client: ClientPresence): Promise<boolean> {
  return new Promise((resolve) => {
    if (client.gone) return resolve(false);
    const stop = client.onGone(() => {
      clearTimeout(timer);
      resolve(false);
    });
    const timer = setTimeout(() => {
      stop();
      resolve(true);
    }, ms);
  });
}

/** The client's answer when every candidate was passed over at its reservation. */
function notSentError(refusal: Extract<AttemptAdmission, { ok: false }>): GatewayError {
  if (refusal.kind === 'budget') return new GatewayError('budget_exceeded', `no model of this call fits its budget: ${refusal.reason}`);
  const seconds = Math.max(1, Math.ceil((refusal.retryAfterMs ?? 1000) / 1000));
  return new GatewayError('rate_limited', `every model of this call is rate limited: ${refusal.reason}`, { headers: { 'retry-after': String(seconds) } });
}

/**
 * Every candidate was excluded. When budgets ruled them out (and nothing that will pass soon
 * remains), a 429 `budget_exceeded` naming each budget, its limit and its reset; if some only
 * wait out a rate limit, a 429 with the shortest wait; otherwise a 400 that says why each
 * model was ruled out.
 */
export function nothingLeft(ranking: Ranking, named: string | undefined): GatewayError {
  const reasons = ranking.excluded.map((e) => `${e.model}: ${e.reason} (${e.policy})`).join('; ');
  const overBudget = ranking.excluded.filter((e) => e.policy === 'budget-remaining');
  if (overBudget.length > 0 && ranking.excluded.every((e) => e.policy === 'budget-remaining' || e.policy === 'health')) {
    const resets = overBudget.flatMap((e) => (e.retryAfterMs !== undefined ? [e.retryAfterMs] : []));
    const headers = resets.length === overBudget.length ? { 'retry-after': String(Math.max(1, Math.ceil(Math.min(...resets) / 1000))) } : undefined;
    return new GatewayError('budget_exceeded', `no model of this call fits its budget: ${reasons}`, headers ? { headers } : {});
  }
  const waits = ranking.excluded.flatMap((e) => (e.retryAfterMs !== undefined && e.policy !== 'budget-remaining' ? [e.retryAfterMs] : []));
  if (waits.length > 0 && ranking.excluded.every((e) => e.retryAfterMs !== undefined || e.policy === 'health')) {
    const seconds = Math.max(1, Math.ceil(Math.min(...waits) / 1000));
    return new GatewayError('rate_limited', `every model of this call is rate limited: ${reasons}`, { headers: { 'retry-after': String(seconds) } });
  }
  if (reasons === '' && named !== undefined) {
    return new GatewayError('invalid_request', `model "${named}" was the only one allowed and it cannot take this call`, { param: 'model' });
  }
  return new GatewayError('invalid_request', `no model of this project can take this request: ${reasons || 'none eligible'}`, { param: 'model' });
}
