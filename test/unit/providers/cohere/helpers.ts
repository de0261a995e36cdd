import type { ResolvedModel } from '../../../../src/config/state.js';
import { fixtureReader, resolvedModel, type ResolvedModelOverrides } from '../../../support/codec-helpers.js';

export const { fixtureText, fixtureJson } = fixtureReader('cohere');

export function cohereModel(extra: ResolvedModelOverrides = {}): ResolvedModel {
  return resolvedModel('cohere', { upstreamModel: 'command-a-03-2025', apiKey: 'co-key', ...extra });
}
