import type { StoredProject, StoredToken } from '../config/schemas.js';
import type { ResolvedModel } from '../config/state.js';
import type { TokenUsage } from '../providers/types.js';
import type { Services } from '../services.js';
import { costUsd } from '../usage/cost.js';
import type { UsageRecord } from '../usage/record.js';
import type { Endpoint } from './endpoints.js';

const NO_USAGE: TokenUsage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0 };

/** One proxied call once it is authenticated, validated and has its model. */
export interface ProxyContext {
  services: Services;
  endpoint: Endpoint;
  request: Request;
  /** The client's body exactly as received, and parsed. */
  body: string;
  parsed: Record<string, unknown>;
  project: StoredProject;
  model: ResolvedModel;
  requestId: string;
  startedAt: number;
  /** Records the call's outcome once it is known; see `createUsageRecorder`. */
  record: RecordUsage;
}

export type RecordUsage = (entry: {
  status: number;
  outcome: string;
  stream: boolean;
  usage?: TokenUsage;
  ttftMs?: number | null;
}) => void;

/** Builds the function that writes this call's usage record (after the response, through waitUntil). */
export function createUsageRecorder(
  services: Services,
  call: { project: StoredProject; token: StoredToken; model: ResolvedModel; endpoint: Endpoint; requestId: string; startedAt: number },
  waitUntil: (promise: Promise<unknown>) => void,
): RecordUsage {
  const { project, token, model, endpoint, requestId, startedAt } = call;
  const charged = endpoint.operation !== 'count_tokens';
  return ({ status, outcome, stream, usage: reported, ttftMs = null }) => {
    const usage = reported ?? NO_USAGE;
    if (!reported && outcome === 'ok' && charged) {
      // Costing this call at $0 silently is the bug we exist to avoid: say so, in the log and the record.
      services.logger.warn('provider reported no usage', { model: model.config.id, requestId, stream });
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
      stream,
      status,
      outcome,
      ...usage,
      usageReported: reported !== undefined,
      // count_tokens is free: its usage is a count, not a charge.
      costUsd: charged ? costUsd(usage, model.config.pricing) : 0,
      latencyMs: services.now() - startedAt,
      ttftMs,
    };
    waitUntil(services.usage.record(entry));
  };
}
