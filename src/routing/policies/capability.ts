import type { Exclusion, RoutingPolicy } from '../types.js';

const NEEDS = [
  ['images', 'vision', 'the request has images'],
  ['tools', 'tools', 'the request has tools'],
  ['json', 'json', 'the request asks for JSON output'],
  ['thinking', 'thinking', 'the request asks for reasoning'],
] as const;

/**
 * Excludes models whose capabilities say they lack what the request uses. An unset
 * capability counts as present: only a model explicitly marked `false` is excluded.
 */
/** Whether a model's capabilities rule anything out, remembered per config object (config writes replace them). */
const declaresLack = new WeakMap<object, boolean>();
function lacksSomething(capabilities: Record<string, boolean | undefined> | undefined): boolean {
  if (!capabilities) return false;
  let known = declaresLack.get(capabilities);
  if (known === undefined) {
    known = Object.values(capabilities).includes(false);
    declaresLack.set(capabilities, known);
  }
  return known;
}

export function capabilityPolicy(weight: number): RoutingPolicy {
  return {
    type: 'capability',
    weight,
    filter(candidates, request) {
      // Most pools declare nothing: then there is nothing to check and no need to read the request.
      if (!candidates.some((c) => lacksSomething(c.model.config.capabilities))) return undefined;
      const features = request.features();
      const out: Exclusion[] = [];
      candidates.forEach((candidate, index) => {
        const capabilities = candidate.model.config.capabilities;
        if (!capabilities || !lacksSomething(capabilities)) return;
        const missing = NEEDS.filter(([feature, capability]) => features[feature] && capabilities[capability] === false);
        if (missing.length > 0) {
          out.push({ index, reason: `${missing.map(([, , why]) => why).join(', ')}; the model lacks ${missing.map(([, c]) => c).join(', ')}` });
        }
      });
      return out;
    },
  };
}
