import type { StoredProject, StoredToken } from '../config/schemas.js';
import type { CallEvent } from '../deps.js';
import type { ByteChunks } from '../http/chunks.js';
import type { ClientPresence } from '../http/client-presence.js';
import type { ResolvedModel } from '../config/state.js';
import type { TokenUsage } from '../providers/types.js';
import type { AttemptHold, CallLimits } from '../limits/call-limits.js';
import { DONE } from '../limits/maybe.js';
import type { CompiledRouting } from '../routing/compile.js';
import type { JudgeCallReport } from '../routing/judge.js';
import type { RoutingTrace } from '../routing/trace.js';
import type { Services } from '../services.js';
import { costUsd } from '../usage/cost.js';
import { recordTimestamp, type UsageRecord } from '../usage/record.js';
import type { Endpoint } from './endpoints.js';
import type { HeaderReader } from '../http/header-fields.js';

const NO_USAGE: TokenUsage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0 };

/** One proxied call once it is authenticated and validated, before a model is chosen. */
export interface CallContext {
  services: Services;
  endpoint: Endpoint;
  request: Request;
  /** The request's headers as the runtime reads them fastest (RequestContext.headers, else request.headers). */
  headers: HeaderReader;
  /** The client's body exactly as received, and parsed. */
  body: string;
  parsed: Record<string, unknown>;
  project: StoredProject;
  token: StoredToken;
  requestId: string;
  startedAt: number;
  waitUntil: (promise: Promise<unknown>) => void;
  /** Whether the client is still there: a call it left is not tried further, and its upstream call is cancelled. */
  client: ClientPresence;
  /** Makes a streamed answer's body of the relayed chunks (RequestContext.streamBody). */
  streamBody: (chunks: ByteChunks) => ReadableStream<Uint8Array>;
  /** Runs the call's accounting once its answer is out (RequestContext.afterResponse); what it throws is logged. */
  afterResponse: (task: () => void) => void;
  /** When the whole call must be over (epoch ms), from the project's `deadlineMs`. */
  deadlineAt: number | undefined;
  /** The project's (or the alias's) routing, compiled. */
  routing: CompiledRouting;
  trace: RoutingTrace;
  /** Gateway warnings for every answer (`unknown-model:<name>`). */
  warnings: string[];
  /** Its budgets and rate limits, from admission (src/limits/call-limits.ts) to its end. */
  limits: CallLimits;
}

/** One attempt of the call: the model it goes to. */
export interface ProxyContext extends CallContext {
  model: ResolvedModel;
  attempt: number;
  /** Records this attempt's outcome once it is known; see `createUsageRecorder`. */
  record: RecordUsage;
}

export type RecordUsage = (entry: {
  status: number;
  outcome: string;
  stream: boolean;
  usage?: TokenUsage;
  ttftMs?: number | null;
  /** The call's last record: it carries the routing trace and counts as the call in metrics. */
  final: boolean;
  /**
   * Whether this attempt answered the client (a stream counts once its first event was relayed,
   * even if it broke off later): an answer keeps its reservation when its usage went unreported;
   * an attempt that did not answer releases it. Default true.
   */
  answered?: boolean;
}) => Promise<void>;

/** Who a usage record is charged to: the call's project, token and request id. */
interface Charged {
  project: { id: string };
  token: { id: string };
  requestId: string;
  startedAt: number;
  waitUntil: (promise: Promise<unknown>) => void;
}

/** A record's fields that the call's identity and usage do not give. */
type RecordFields = Pick<UsageRecord, 'endpoint' | 'stream' | 'status' | 'outcome' | 'costUsd' | 'latencyMs' | 'ttftMs'> &
  Partial<Pick<UsageRecord, 'attempt' | 'routing' | 'chargedUsd' | 'chargedTokens'>>;

/**
 * Builds one usage record, counts it in the metrics and queues it for the store (after the response, through waitUntil).
 * Built as one literal of every field, in the order the log has always written them, the absent
 * ones undefined (JSON.stringify leaves them out): spreading the fields and the usage into it
 * cost about 0.7 µs a record more on Node 20, and gave records of a call's attempts and of its
 * judge different shapes.
 */
function writeRecord(services: Services, call: Charged, model: ResolvedModel, fields: RecordFields, reported: TokenUsage | undefined, final: boolean): Promise<void> {
  const usage = reported ?? NO_USAGE;
  const entry: UsageRecord = {
    ts: recordTimestamp(call.startedAt),
    requestId: call.requestId,
    projectId: call.project.id,
    tokenId: call.token.id,
    model: model.config.id,
    provider: model.config.provider,
    upstreamModel: model.upstreamModel,
    endpoint: fields.endpoint,
    stream: fields.stream,
    status: fields.status,
    outcome: fields.outcome,
    attempt: fields.attempt,
    costUsd: fields.costUsd,
    latencyMs: fields.latencyMs,
    ttftMs: fields.ttftMs,
    routing: fields.routing,
    chargedUsd: fields.chargedUsd,
    chargedTokens: fields.chargedTokens,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    cachedInputTokens: usage.cachedInputTokens,
    cacheWriteTokens: usage.cacheWriteTokens,
    usageReported: reported !== undefined,
  };
  services.metrics.recordUsage(entry, final);
  const written = services.usage.record(entry);
  call.waitUntil(written);
  return written;
}

/**
 * Builds the function that writes one attempt's usage record. It also settles the attempt's
 * budget reservation (`hold`), and on the call's last record ends the call's rate-limit hold.
 */
export function createUsageRecorder(call: CallContext, model: ResolvedModel, attempt: number, hold?: AttemptHold): RecordUsage {
  const { services, endpoint, requestId, startedAt } = call;
  const charged = endpoint.operation !== 'count_tokens';
  return ({ status, outcome, stream, usage: reported, ttftMs = null, final, answered = true }) => {
    const settled = hold?.settle(reported, answered);
    if (final) call.limits.end(answered ? (reported ? reported.inputTokens + reported.outputTokens : undefined) : 0);
    if (!reported && outcome === 'ok' && charged) {
      // Costing this call at $0 silently is the bug we exist to avoid: say so, in the log and the record.
      services.logger.warn('provider reported no usage', { model: model.config.id, requestId, stream });
    }
    const fields: RecordFields = {
      endpoint: endpoint.path,
      stream,
      status,
      outcome,
      attempt,
      // count_tokens is free: its usage is a count, not a charge.
      costUsd: charged ? costUsd(reported ?? NO_USAGE, model.config.pricing) : 0,
      latencyMs: services.now() - startedAt,
      ttftMs,
      routing: final ? call.trace : undefined,
      chargedUsd: settled?.charged?.chargedUsd,
      chargedTokens: settled?.charged?.chargedTokens,
    };
    const written = writeRecord(services, call, model, fields, reported, final);
    if (final && services.onCall) {
      const usage = reported ?? NO_USAGE;
      reportCall(services, {
        ts: recordTimestamp(startedAt),
        requestId,
        projectId: call.project.id,
        projectName: call.project.name,
        endpoint: endpoint.path,
        model: model.config.id,
        stream,
        status,
        outcome,
        latencyMs: fields.latencyMs,
        attempts: attempt,
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        costUsd: fields.costUsd,
      });
    }
    // Durable usage waits for both: the record stored and the budgets settled.
    return settled && settled.done !== DONE ? Promise.all([written, settled.done]).then(() => undefined) : written;
  };
}

/**
 * Hands a finished call to GatewayDeps.onCall. The hook is the embedder's code on the request's
 * path: whatever it throws, or a promise of its rejects with, is logged and goes no further.
 */
export function reportCall(services: Services, event: CallEvent): void {
  const hook = services.onCall;
  if (!hook) return;
  const failed = (error: unknown) => services.logger.error('onCall hook failed', { requestId: event.requestId, error: String(error) });
  try {
    const returned: unknown = hook(event);
    if (returned instanceof Promise) returned.catch(failed);
  } catch (error) {
    failed(error);
  }
}

/** The routing judge's own call, metered as a record of its own under the call's request id, and charged to the call's budgets. */
export function recordJudgeCall(services: Services, call: Charged & { limits: CallLimits }, report: JudgeCallReport): void {
  const { model, usage } = report;
  call.limits.charge(model, usage);
  const fields = {
    endpoint: 'routing',
    stream: false,
    status: report.status,
    outcome: report.outcome,
    costUsd: costUsd(usage ?? NO_USAGE, model.config.pricing),
    latencyMs: report.latencyMs,
    ttftMs: null,
  };
  void writeRecord(services, call, model, fields, usage, true);
}
