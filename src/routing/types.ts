import type { PolicyType } from '../config/routing.js';
import type { ResolvedModel } from '../config/state.js';
import type { ModelStatsTable } from './stats.js';

/** A model the call may go to, with its place in the pool (or alias): ties keep that order. */
export interface Candidate {
  model: ResolvedModel;
  order: number;
}

/** What the policies need to know of a request, the same whatever API the client spoke. */
export interface RequestFeatures {
  images: boolean;
  tools: boolean;
  json: boolean;
  thinking: boolean;
  /** The prompt's tokens by the gateway's estimate (src/ir/token-estimate.ts). */
  inputTokens: number;
  /**
   * The most tokens the prompt can be: a token is at least one byte of text, so its text's UTF-8
   * bytes, plus the per-message framing and fixed ceilings for images. What a budget reserves.
   */
  inputTokensBound: number;
  /** The output cap the client asked for, when it set one. */
  maxOutputTokens: number | undefined;
  /** The system prompt and the last user turn, truncated: what the judge reads and its cache key. */
  digest: string;
}

/** One call as the engine sees it. `features` is computed on first use: most rankings never need it. */
export interface RoutingRequest {
  projectId: string;
  operation: 'chat' | 'count_tokens' | 'embeddings';
  stream: boolean;
  features(): RequestFeatures;
}

/** What the policies may read besides the request and the candidates. */
export interface PolicyEnv {
  now: number;
  stats: ModelStatsTable;
  /** The call's budgets (src/limits/): NO_BUDGETS when none applies. */
  budget: BudgetView;
  /**
   * Requests and tokens this minute of each model that has its own `limits`, as the shared
   * counters have them (every process and isolate). Absent: the policy falls back to this
   * process's own statistics.
   */
  modelMinute?: ((modelId: string) => { requests: number; tokens: number }) | undefined;
  /** The judge's pick for this request, when the llm policy asked one (undefined: it abstains). */
  judgeChoice?: string | undefined;
}

export interface Exclusion {
  /** Index into the candidates the policy was given. */
  index: number;
  reason: string;
  /**
   * A soft exclusion (an open circuit) is lifted when nothing else remains: the best of those
   * models is still tried rather than failing without a call.
   */
  soft?: boolean;
  /** For a model skipped until it may be called again (a 429 cooldown, a full minute): how long, in ms. */
  retryAfterMs?: number;
}

/**
 * One routing policy. `filter` excludes candidates outright; `score` rates the survivors 0..1
 * (higher is better), or returns undefined to abstain. A policy may do either or both. The
 * array `score` returns is the engine's from then on (it clamps it in place): a new one per call.
 */
export interface RoutingPolicy {
  readonly type: PolicyType;
  readonly weight: number;
  filter?(candidates: readonly Candidate[], request: RoutingRequest, env: PolicyEnv): Exclusion[] | undefined;
  score?(candidates: readonly Candidate[], request: RoutingRequest, env: PolicyEnv): number[] | undefined;
}

/** How one ranked candidate scored: the combined score and each policy's. */
export interface RankedCandidate {
  candidate: Candidate;
  score: number;
  scores: Partial<Record<PolicyType, number>>;
}

export interface ExcludedCandidate {
  model: string;
  policy: PolicyType | 'endpoint';
  reason: string;
  retryAfterMs?: number;
}

/** What the engine decided and why: stored with the call's usage record and shown by route-preview. */
export interface Ranking {
  ranked: RankedCandidate[];
  excluded: ExcludedCandidate[];
  /** Policies that could not tell candidates apart. */
  abstained: PolicyType[];
  /** Policies that threw, with the message: skipped, never failing the ranking. */
  failed: Array<{ policy: PolicyType; error: string }>;
  /** Soft exclusions lifted because nothing else was left. */
  overridden: string[];
}

/** How a call would fit the budgets that apply to it on one model. */
export type BudgetFit =
  | {
      fits: true;
      /** The share of the tightest budget left after this call's reservation, 0..1: more is better. */
      headroom: number;
    }
  | {
      fits: false;
      /** Names the budget, its limit and when it resets. */
      reason: string;
      /** When that budget's period ends (epoch ms); absent for a total budget, which never resets. */
      resetsAt?: number;
    };

/**
 * What the `budget-remaining` policy asks of a call's budgets (the project's and its token's),
 * as they stood when the call began. The gateway builds one per call (src/limits/); the
 * reservation made before each attempt is what holds exactly under concurrency.
 */
export interface BudgetView {
  /** Undefined when no budget applies to this call on this model. */
  fit(model: ResolvedModel, request: RoutingRequest): BudgetFit | undefined;
}
