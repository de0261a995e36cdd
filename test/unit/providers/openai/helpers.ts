import type { ResolvedModel } from '../../../../src/config/state.js';
import { fixtureReader, resolvedModel, type ResolvedModelOverrides } from '../../../support/codec-helpers.js';

export const { fixtureText, fixtureJson } = fixtureReader('openai');

/**
 * The codecs under test take their vendor as an argument; the model's own entry (OpenAI's) is
 * only there to type-check. It is declared able to reason, so requests keep their reasoning
 * whatever its name (reasoning.test.ts covers models that cannot).
 */
export function model(extra: ResolvedModelOverrides = {}): ResolvedModel {
  return resolvedModel('openai', {
    baseUrl: 'https://up.example/v1',
    ...extra,
    config: { id: 'gw-model', capabilities: { thinking: true }, ...extra.config },
  });
}
