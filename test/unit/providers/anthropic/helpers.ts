import type { ResolvedModel } from '../../../../src/config/state.js';
import { fixtureReader, resolvedModel, type ResolvedModelOverrides } from '../../../support/codec-helpers.js';

export const { fixtureText, fixtureJson } = fixtureReader('anthropic');

/** A Claude model on a test host; `headers` are the model's own extra upstream headers. */
export function claudeModel(extra: ResolvedModelOverrides = {}, headers: Record<string, string> = { 'x-extra': '1' }): ResolvedModel {
  return resolvedModel('anthropic', {
    baseUrl: 'https://api.anthropic.example',
    upstreamModel: 'claude-sonnet-4-5-20250929',
    apiKey: 'sk-ant-provider',
    ...extra,
    config: { id: 'claude', headers, ...extra.config },
  });
}
