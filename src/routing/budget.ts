/**
 * What the `budget-remaining` policy asks of the project's budgets. The budgets themselves
 * (limits per project, spend counters that hold under concurrency) come with tenancy; until
 * then the gateway passes `NO_BUDGETS`, and the policy excludes nothing.
 */
export interface BudgetView {
  /**
   * USD the project may still spend now, across every budget that applies to it; undefined
   * when no budget is set.
   */
  remainingUsd(projectId: string): number | undefined;
}

export const NO_BUDGETS: BudgetView = { remainingUsd: () => undefined };
