import { z } from 'zod';

/**
 * The shapes of a project's (and a token's) spending envelope and request limits. Kept apart
 * from schemas.ts, like routing.ts, because the dashboard and the CLI build their forms from them.
 */

/** Calendar periods in UTC: `week` starts on Monday 00:00; `total` never resets. */
export const BUDGET_PERIODS = ['hour', 'day', 'week', 'month', 'total'] as const;
export const BudgetPeriod = z.enum(BUDGET_PERIODS);
export type BudgetPeriod = z.infer<typeof BudgetPeriod>;

export const Budget = z
  .object({
    period: BudgetPeriod,
    /** The most this scope may spend in one period, in USD. Free models (price 0) never count against it. */
    limitUsd: z.number().positive().max(1e9).optional(),
    /** The most tokens (input and output, free models included) this scope may use in one period. */
    limitTokens: z.number().int().positive().max(1e15).optional(),
  })
  .strict()
  .refine((budget) => budget.limitUsd !== undefined || budget.limitTokens !== undefined, {
    message: 'a budget needs limitUsd, limitTokens or both',
  });
export type Budget = z.infer<typeof Budget>;

export const Budgets = z
  .array(Budget)
  .max(BUDGET_PERIODS.length)
  .refine((budgets) => new Set(budgets.map((b) => b.period)).size === budgets.length, { message: 'one budget per period' });

/** Requests and tokens a minute, and calls at once; each optional. An empty object removes them. */
export const RateLimits = z
  .object({
    rpm: z.number().int().positive().max(1e9).optional(),
    tpm: z.number().int().positive().max(1e12).optional(),
    concurrency: z.number().int().positive().max(1e6).optional(),
  })
  .strict();
export type RateLimits = z.infer<typeof RateLimits>;
