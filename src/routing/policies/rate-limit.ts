import { cooldownUntil } from '../stats.js';
import type { Exclusion, RoutingPolicy } from '../types.js';

export const DEFAULT_RATE_LIMIT_COOLDOWN = { defaultCooldownMs: 15_000, maxCooldownMs: 300_000 } as const;
/** Past this share of a model's own rpm/tpm, its score falls toward 0. */
const HEADROOM = 0.5;

/**
 * Skips a model whose provider answered 429 until its retry-after (capped; a default when
 * the provider gave none), and keeps each model under its own `limits`: scored down as it
 * nears them, excluded at them.
 */
export function rateLimitPolicy(weight: number, options: { defaultCooldownMs?: number; maxCooldownMs?: number }): RoutingPolicy {
  const cooldown = {
    defaultCooldownMs: options.defaultCooldownMs ?? DEFAULT_RATE_LIMIT_COOLDOWN.defaultCooldownMs,
    maxCooldownMs: options.maxCooldownMs ?? DEFAULT_RATE_LIMIT_COOLDOWN.maxCooldownMs,
  };
  return {
    type: 'rate-limit',
    weight,
    filter(candidates, request, env) {
      let out: Exclusion[] | undefined;
      candidates.forEach((candidate, index) => {
        const id = candidate.model.config.id;
        const stats = env.stats.peek(id);
        if (!stats) return;
        const until = cooldownUntil(stats, cooldown);
        if (until > env.now) {
          (out ??= []).push({ index, reason: 'the provider answered 429; cooling down', retryAfterMs: until - env.now });
          return;
        }
        const limits = candidate.model.config.limits;
        if (!limits) return;
        const used = env.modelMinute?.(id) ?? env.stats.lastMinute(id);
        if (limits.rpm !== undefined && used.requests >= limits.rpm) {
          (out ??= []).push({ index, reason: `at its limit of ${limits.rpm} requests a minute`, retryAfterMs: 1000 });
        } else if (limits.tpm !== undefined && used.tokens + request.features().inputTokens > limits.tpm) {
          (out ??= []).push({ index, reason: `at its limit of ${limits.tpm} tokens a minute`, retryAfterMs: 1000 });
        }
      });
      return out;
    },
    score(candidates, _request, env) {
      if (!candidates.some((c) => c.model.config.limits)) return undefined;
      return candidates.map((candidate) => {
        const limits = candidate.model.config.limits;
        if (!limits) return 1;
        const used = env.modelMinute?.(candidate.model.config.id) ?? env.stats.lastMinute(candidate.model.config.id);
        const share = Math.max(limits.rpm ? used.requests / limits.rpm : 0, limits.tpm ? used.tokens / limits.tpm : 0);
        return share <= HEADROOM ? 1 : Math.max(0, (1 - share) / (1 - HEADROOM));
      });
    },
  };
}
