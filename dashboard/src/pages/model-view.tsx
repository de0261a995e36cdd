import type { ComponentChildren } from 'preact';
import { Card } from '../ui/components';
import { int, time } from '../ui/format';
import { providerInfo, providerLabel } from '../ui/provider-registry';
import { CAPABILITY_TEXT } from './model-form-extra';
import { CAPABILITY_FLAGS, type PublicModel } from './model-form-state';
import { perMillion } from './model-health';

/** A model as facts, for users who may read models but not change them: no controls they cannot use. */
export function ModelFacts({ model }: { model: PublicModel }) {
  const info = providerInfo(model.provider, model.preset);
  const facts: [string, ComponentChildren][] = [
    ['ID', <span class="mono">{model.id}</span>],
    ['Provider', providerLabel(model.provider, model.preset)],
    ['Base URL', model.baseUrl ? <span class="mono">{model.baseUrl}</span> : <span class="muted">default ({info.defaultBaseUrl ?? 'none'})</span>],
    ['API key', model.hasApiKey ? 'set' : 'none'],
    ['Upstream model', <span class="mono">{model.upstreamModel ?? model.id}</span>],
    ['Description', model.description || <span class="muted">none</span>],
    ['Input price (USD per 1M tokens)', perMillion(model.pricing?.input)],
    ['Output price (USD per 1M tokens)', perMillion(model.pricing?.output)],
    ['Cache read price (USD per 1M tokens)', perMillion(model.pricing?.cachedInput)],
    ['Cache write price (USD per 1M tokens)', perMillion(model.pricing?.cacheWrite)],
    ['Context window (tokens)', int(model.contextWindow)],
    ['Max output tokens', int(model.maxOutputTokens)],
    ['Requests per minute (rpm)', int(model.limits?.rpm)],
    ['Tokens per minute (tpm)', int(model.limits?.tpm)],
    ['Capabilities', capabilities(model)],
    ['Timeouts', timeouts(model)],
    ['Extra headers', Object.keys(model.headers ?? {}).join(', ') || <span class="muted">none</span>],
    ['Updated', time(model.updatedAt)],
  ];
  return (
    <Card title="Settings">
      <dl class="facts model-facts">
        {facts.map(([label, value]) => (
          <>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </>
        ))}
      </dl>
    </Card>
  );
}

function capabilities(model: PublicModel): string {
  const set = CAPABILITY_FLAGS.filter((flag) => model.capabilities?.[flag] !== undefined);
  if (set.length === 0) return 'none declared';
  return set.map((flag) => `${CAPABILITY_TEXT[flag].label}: ${model.capabilities?.[flag] ? 'yes' : 'no'}`).join('; ');
}

function timeouts(model: PublicModel): string {
  const t = model.timeouts ?? {};
  const parts = [t.connectMs && `connect ${int(t.connectMs)} ms`, t.totalMs && `total ${int(t.totalMs)} ms`, t.idleMs && `idle ${int(t.idleMs)} ms`].filter(Boolean);
  return parts.join(', ') || 'defaults';
}
