import type { BudgetPeriod } from '../src/config/tenancy.js';
import type { PolicyType } from '../src/config/routing.js';
import type { Permission, Preset, Provider } from '../src/config/schemas.js';
import type { SummaryGroupBy } from '../src/usage/summary.js';

/**
 * The API's fixed word lists, for flag choices checked before any request. Copied rather than
 * imported so a command does not load the gateway's code (and zod) to start; the type checks
 * below fail the build the day a list here and the API's drift apart.
 */

export const PROVIDERS = ['openai', 'anthropic', 'gemini', 'ollama', 'mistral', 'cohere', 'xai', 'custom'] as const;
export const PRESETS = ['openrouter', 'groq', 'deepseek', 'together', 'azure'] as const;
export const POLICY_TYPES = ['llm', 'cheapest', 'health', 'performance', 'capability', 'context', 'budget-remaining', 'rate-limit', 'fairness'] as const;
export const BUDGET_PERIODS = ['hour', 'day', 'week', 'month', 'total'] as const;
export const GROUP_BY = ['project', 'model', 'token', 'day', 'hour'] as const;
export const PERMISSIONS = [
  '*',
  'models:read',
  'models:write',
  'projects:read',
  'projects:write',
  'users:read',
  'users:write',
  'usage:read',
  'settings:read',
  'settings:write',
  'metrics:read',
  'audit:read',
] as const;
export const CAPABILITIES = ['vision', 'tools', 'json', 'thinking', 'adaptiveThinking'] as const;

/** True only when `A` and `B` are the same union. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const drift: [
  Same<(typeof PROVIDERS)[number], Provider>,
  Same<(typeof PRESETS)[number], Preset>,
  Same<(typeof POLICY_TYPES)[number], PolicyType>,
  Same<(typeof BUDGET_PERIODS)[number], BudgetPeriod>,
  Same<(typeof GROUP_BY)[number], SummaryGroupBy>,
  Same<(typeof PERMISSIONS)[number], Permission>,
] = [true, true, true, true, true, true];
void drift;
