import type { ResolvedModel } from '../config/state.js';
import type { TokenUsage } from '../ir/usage.js';
import type { RoutingRequest } from '../routing/types.js';
import { costUsd, NANO_PER_USD } from '../usage/cost.js';

/**
 * Output tokens a budget reserves for a call that sets no cap of its own, on a model whose
 * `maxOutputTokens` is not configured. Not a bound (the provider's own default may be higher):
 * set the model's maxOutputTokens, or a cap in the request, for a reservation that is one.
 */
export const DEFAULT_OUTPUT_RESERVE_TOKENS = 4096;


/** What one attempt holds against its budgets until it settles. */
export interface Reservation {
  nanoUsd: number;
  tokens: number;
}

export const NOTHING: Reservation = { nanoUsd: 0, tokens: 0 };

/**
 * The most this request can cost on this model: the prompt's bound (a token is at least a
 * byte) at the dearest input price the model has (cache writes can cost more than plain
 * input), plus the output cap at the output price. count_tokens is free; embeddings have no output.
 */
export function reservationFor(model: ResolvedModel, request: RoutingRequest): Reservation {
  if (request.operation === 'count_tokens') return NOTHING;
  const features = request.features();
  const input = features.inputTokensBound;
  const output = request.operation === 'embeddings' ? 0 : (features.maxOutputTokens ?? model.config.maxOutputTokens ?? DEFAULT_OUTPUT_RESERVE_TOKENS);
  const pricing = model.config.pricing;
  if (!pricing) return { nanoUsd: 0, tokens: input + output };
  const inputPrice = Math.max(pricing.input, pricing.cachedInput ?? 0, pricing.cacheWrite ?? 0);
  // Prices are USD per million tokens: tokens × price is micro-dollars; × 1000 nano. Rounded up: a bound.
  return { nanoUsd: Math.ceil((input * inputPrice + output * pricing.output) * 1000), tokens: input + output };
}

/** What an answered attempt actually cost, in the same units. */
export function actualCharge(model: ResolvedModel, usage: TokenUsage): Reservation {
  return { nanoUsd: Math.round(costUsd(usage, model.config.pricing) * NANO_PER_USD), tokens: usage.inputTokens + usage.outputTokens };
}
