import type { Logger } from '../deps.js';
import type { PolicyType } from '../config/routing.js';
import { sortSmall } from './sort-small.js';
import type { Candidate, ExcludedCandidate, PolicyEnv, RankedCandidate, Ranking, RoutingPolicy, RoutingRequest } from './types.js';

/** Two scores closer than this are a tie (float noise must not reorder a pool). */
const EPSILON = 1e-9;

/**
 * Ranks the candidates for one request. Filters run first, over every candidate: a hard
 * exclusion removes a model; a soft one (an open circuit) too, unless nothing else is left,
 * when the softly excluded are ranked instead. Scorers then rate the survivors 0..1; a
 * policy whose scores are all equal abstains; the rest combine as a weighted mean. Ties keep
 * pool order. A policy that throws is skipped and logged: ranking never fails a call.
 */
export function rank(
  candidates: readonly Candidate[],
  request: RoutingRequest,
  env: PolicyEnv,
  policies: readonly RoutingPolicy[],
  logger?: Logger,
): Ranking {
  const n = candidates.length;
  // Per candidate, made at the first exclusion (most calls exclude none): KEPT, SOFT or HARD.
  let exclusion: number[] | undefined;
  const excluded: ExcludedCandidate[] = [];
  const failed: Ranking['failed'] = [];

  for (const policy of policies) {
    if (!policy.filter) continue;
    let exclusions;
    try {
      exclusions = policy.filter(candidates, request, env);
    } catch (error) {
      policyFailed(failed, logger, policy.type, error);
      continue;
    }
    if (!exclusions) continue;
    for (const { index, soft, reason, retryAfterMs } of exclusions) {
      const candidate = candidates[index];
      if (!candidate) continue;
      if (!exclusion) {
        exclusion = [];
        for (let i = 0; i < n; i++) exclusion.push(KEPT);
      }
      // Hard wins over soft: a model a filter rules out stays out even if another only deferred it.
      exclusion[index] = Math.max(exclusion[index]!, soft ? SOFT : HARD);
      excluded.push({ model: candidate.model.config.id, policy: policy.type, reason, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
    }
  }

  let survivors: readonly Candidate[] = candidates;
  const overridden: string[] = [];
  if (exclusion) {
    const kept: Candidate[] = [];
    for (let i = 0; i < n; i++) if (exclusion[i] === KEPT) kept.push(candidates[i]!);
    if (kept.length === 0) {
      for (let i = 0; i < n; i++) {
        if (exclusion[i] === SOFT) {
          kept.push(candidates[i]!);
          overridden.push(candidates[i]!.model.config.id);
        }
      }
    }
    survivors = kept;
  }

  const m = survivors.length;
  // Weighted sums per survivor, made once a policy scores: most calls rank one or two models with filters alone.
  let total: number[] | undefined;
  let perCandidate: Array<Partial<Record<PolicyType, number>>> | undefined;
  const abstained: PolicyType[] = [];
  let weightSum = 0;
  if (m > 1) {
    for (const policy of policies) {
      if (!policy.score || policy.weight <= 0) continue;
      let scores;
      try {
        scores = policy.score(survivors, request, env);
      } catch (error) {
        policyFailed(failed, logger, policy.type, error);
        continue;
      }
      if (!scores || !clampAndTellApart(scores, m)) {
        abstained.push(policy.type);
        continue;
      }
      weightSum += policy.weight;
      if (!total || !perCandidate) {
        // Loops, not Array.from({ length: m }, …), which V8 runs on its generic array-like path:
        // 367 against 40 ns for three.
        total = [];
        perCandidate = [];
        for (let i = 0; i < m; i++) {
          total.push(0);
          perCandidate.push({});
        }
      }
      for (let i = 0; i < m; i++) {
        const score = scores[i]!;
        total[i]! += policy.weight * score;
        perCandidate[i]![policy.type] = round(score);
      }
    }
  }

  const ranked: RankedCandidate[] = [];
  for (let i = 0; i < m; i++) {
    ranked.push({ candidate: survivors[i]!, score: total && weightSum > 0 ? round(total[i]! / weightSum) : 0, scores: perCandidate ? perCandidate[i]! : {} });
  }
  sortSmall(ranked, byScoreThenPoolOrder);
  return { ranked, excluded, abstained, failed, overridden };
}

const KEPT = 0;
const SOFT = 1;
const HARD = 2;

function byScoreThenPoolOrder(a: RankedCandidate, b: RankedCandidate): number {
  return Math.abs(b.score - a.score) > EPSILON ? b.score - a.score : a.candidate.order - b.candidate.order;
}

/** A policy that threw is skipped, noted in the ranking and logged: ranking never fails a call. */
function policyFailed(failed: Ranking['failed'], logger: Logger | undefined, policy: PolicyType, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  failed.push({ policy, error: message });
  logger?.error('routing policy failed', { policy, error: message });
}

/**
 * Clamps a policy's scores into 0..1 in place (the array is the policy's answer to this call
 * alone: RoutingPolicy.score) and says whether they tell the candidates apart. A score missing
 * for a candidate counts as 0. In place and in one loop: a clamped copy was one more array per
 * scoring policy per call, and one more pass over it to compare.
 */
function clampAndTellApart(scores: number[], m: number): boolean {
  let apart = false;
  for (let i = 0; i < m; i++) {
    const score = clamp01(scores[i]!);
    scores[i] = score;
    if (!apart && i > 0 && Math.abs(score - scores[0]!) > EPSILON) apart = true;
  }
  return apart;
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}

/** Six decimals: enough to order by, and short in the stored trace. */
function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
