import type { ResolvedModel } from '../../config/state.js';
import type { RequestFeatures } from '../types.js';

/**
 * Output tokens a ranking assumes when the client set no cap, and the most it assumes when
 * it did: caps are ceilings (often 4k or more), not what a typical answer takes.
 */
export const EXPECTED_OUTPUT_TOKENS = 500;

/** USD this request would likely cost on the model (a model without pricing costs nothing: local models). */
export function expectedCostUsd(model: ResolvedModel, features: RequestFeatures): number {
  const pricing = model.config.pricing;
  if (!pricing) return 0;
  const output = Math.min(features.maxOutputTokens ?? EXPECTED_OUTPUT_TOKENS, EXPECTED_OUTPUT_TOKENS);
  return (features.inputTokens * pricing.input + output * pricing.output) / 1e6;
}
