import { NumberField, SelectField, TextArea } from '../ui/components';
import { IMPLICIT_POLICIES, type Policy, type PolicyType } from './project-shapes';

/** What each routing policy does, in a line (src/routing/policies/). */
export const POLICY_HELP: Record<PolicyType, string> = {
  llm: 'A judge model reads the prompt and picks the candidate it thinks best (one extra, billed call per new prompt).',
  cheapest: 'Prefers the model on which this request is expected to cost least, by its pricing.',
  health: "Scores models by their recent error rate; an open circuit keeps a failing model out until it is probed.",
  performance: 'Prefers the model that answered fastest lately; a model with few calls is explored first.',
  capability: 'Excludes models marked as lacking what the request uses (images, tools, JSON output, thinking).',
  context: "Excludes models whose context window cannot hold the prompt plus the output cap.",
  'budget-remaining': "Excludes models the budgets cannot afford for this call, and prefers those leaving more headroom.",
  'rate-limit': "Skips models cooling down after a 429 and keeps each model under its own rpm/tpm.",
  fairness: 'Spreads calls across models by load, in proportion to each one’s share.',
};

/** One policy row as the editor holds it: `listed` rows are the ones written to the project. */
export interface PolicyRow {
  policy: Policy;
  /** Whether the policy runs: unlisted, the built-in filters do and the rest do not. */
  enabled: boolean;
  listed: boolean;
}

/** A policy's own options (its weight and switch are the row's): what routing.ts allows for its type. */
export function PolicyOptions(props: { row: PolicyRow; onChange: (policy: Policy) => void; judgeModels: string[]; poolModels: string[] }) {
  const p = props.row.policy;
  const set = (change: Partial<Policy>) => props.onChange({ ...p, ...change });
  switch (p.type) {
    case 'llm': {
      const options = [...new Set([...(p.model ? [p.model] : []), ...props.judgeModels])];
      return (
        <div class="form-grid">
          <SelectField
            label="Judge model"
            value={p.model ?? ''}
            onValue={(model) => set({ model: model || undefined })}
            options={[{ value: '', label: 'Choose a model…' }, ...options]}
            hint="Any registered model; a small, fast one keeps routing quick and cheap."
          />
          <NumberField label="Judge timeout, ms" min={1} step="1" value={p.timeoutMs} onValue={(timeoutMs) => set({ timeoutMs })} hint="Default 3000. Past it the judge abstains." />
          <NumberField label="Reuse a choice for, ms" min={0} step="1" value={p.cacheTtlMs} onValue={(cacheTtlMs) => set({ cacheTtlMs })} hint="Default 60000, for the same prompt." />
          <div class="span-all">
            <TextArea label="Judge instructions" rows={3} value={p.instructions ?? ''} onValue={(text) => set({ instructions: text || undefined })} hint="Added to the judge's prompt, e.g. what to prefer." />
          </div>
        </div>
      );
    }
    case 'health':
      return (
        <div class="form-grid">
          <NumberField label="Failures that open the circuit" min={1} step="1" value={p.failureThreshold} onValue={(failureThreshold) => set({ failureThreshold })} hint="Consecutive; default 3." />
          <NumberField label="Circuit cooldown, ms" min={1} step="1" value={p.cooldownMs} onValue={(cooldownMs) => set({ cooldownMs })} hint="Default 30000, before one call probes the model again." />
        </div>
      );
    case 'performance':
      return (
        <div class="form-grid">
          <NumberField label="Calls before latency is trusted" min={1} step="1" value={p.minSamples} onValue={(minSamples) => set({ minSamples })} hint="Default 5." />
        </div>
      );
    case 'rate-limit':
      return (
        <div class="form-grid">
          <NumberField label="Cooldown after a 429, ms" min={1} step="1" value={p.defaultCooldownMs} onValue={(defaultCooldownMs) => set({ defaultCooldownMs })} hint="Default 15000, when the provider gave no retry-after." />
          <NumberField label="Longest retry-after honoured, ms" min={1} step="1" value={p.maxCooldownMs} onValue={(maxCooldownMs) => set({ maxCooldownMs })} hint="Default 300000." />
        </div>
      );
    case 'fairness': {
      const ids = [...new Set([...props.poolModels, ...Object.keys(p.weights ?? {})])];
      const setShare = (id: string, share: number | undefined) => {
        const weights = { ...(p.weights ?? {}) };
        if (share === undefined) delete weights[id];
        else weights[id] = share;
        set({ weights: Object.keys(weights).length ? weights : undefined });
      };
      if (ids.length === 0) return <p class="hint">Add models to the pool to give them shares.</p>;
      return (
        <div class="form-grid">
          {ids.map((id) => (
            <NumberField label={`Share of ${id}`} min={0} value={p.weights?.[id]} onValue={(share) => setShare(id, share)} hint="Default 1; 2 takes twice the calls." />
          ))}
        </div>
      );
    }
    default:
      return null;
  }
}

/** A policy's options in words, for a read-only view. */
export function policyFacts(p: Policy): string {
  const facts: string[] = [];
  if (p.model) facts.push(`judge ${p.model}`);
  if (p.timeoutMs !== undefined) facts.push(`timeout ${p.timeoutMs} ms`);
  if (p.cacheTtlMs !== undefined) facts.push(`reuse ${p.cacheTtlMs} ms`);
  if (p.instructions) facts.push(`instructions: “${p.instructions}”`);
  if (p.failureThreshold !== undefined) facts.push(`opens after ${p.failureThreshold} failures`);
  if (p.cooldownMs !== undefined) facts.push(`cooldown ${p.cooldownMs} ms`);
  if (p.minSamples !== undefined) facts.push(`trusts latency after ${p.minSamples} calls`);
  if (p.defaultCooldownMs !== undefined) facts.push(`429 cooldown ${p.defaultCooldownMs} ms`);
  if (p.maxCooldownMs !== undefined) facts.push(`retry-after up to ${p.maxCooldownMs} ms`);
  if (p.weights) facts.push(`shares ${Object.entries(p.weights).map(([id, w]) => `${id}=${w}`).join(', ')}`);
  return facts.join('; ');
}

/** The weight a row runs with: its own, else 1 when listed, 0 for a built-in filter nobody listed. */
export function effectiveWeight(row: PolicyRow): number {
  return row.policy.weight ?? (row.listed ? 1 : IMPLICIT_POLICIES.has(row.policy.type) ? 0 : 1);
}

