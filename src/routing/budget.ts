import type { BudgetView } from './types.js';

export type { BudgetFit, BudgetView } from './types.js';

/** For a call no budget applies to. */
export const NO_BUDGETS: BudgetView = { fit: () => undefined };
