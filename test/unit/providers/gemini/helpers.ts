import type { ResolvedModel } from '../../../../src/config/state.js';
import { fixtureReader, resolvedModel, type ResolvedModelOverrides } from '../../../support/codec-helpers.js';

export const { fixtureText, fixtureJson } = fixtureReader('gemini');

export function geminiModel(extra: ResolvedModelOverrides = {}): ResolvedModel {
  return resolvedModel('gemini', { upstreamModel: 'gemini-2.5-flash', apiKey: 'AIza-provider-key', ...extra });
}
