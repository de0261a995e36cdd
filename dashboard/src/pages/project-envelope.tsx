import { NumberField } from '../ui/components';
import { int, time, usd } from '../ui/format';
import { BUDGET_PERIODS, meterWidth, shareClass, type Budget, type BudgetPeriod, type BudgetStatus, type RateLimits } from './project-shapes';

/**
 * A spending envelope (budgets per period) and request limits, as a project and each of its
 * tokens have them (src/config/tenancy.ts): the editors, their read-only view, and the live
 * status as meters.
 */

const PERIOD_LABEL: Record<BudgetPeriod, string> = { hour: 'Hour', day: 'Day', week: 'Week', month: 'Month', total: 'Total' };

/** Budgets as the API takes them: one per period, periods with no limit left out. */
export function cleanBudgets(budgets: Budget[]): Budget[] {
  return budgets
    .filter((b) => b.limitUsd !== undefined || b.limitTokens !== undefined)
    .map((b) => ({ period: b.period, ...(b.limitUsd !== undefined ? { limitUsd: b.limitUsd } : {}), ...(b.limitTokens !== undefined ? { limitTokens: b.limitTokens } : {}) }));
}

/** Limits without the empty ones: `{}` removes them all. */
export function cleanLimits(limits: RateLimits): RateLimits {
  const clean: RateLimits = {};
  if (limits.rpm !== undefined) clean.rpm = limits.rpm;
  if (limits.tpm !== undefined) clean.tpm = limits.tpm;
  if (limits.concurrency !== undefined) clean.concurrency = limits.concurrency;
  return clean;
}

/** One row per period, each with its USD and token limits; an empty row is no budget for that period. */
export function BudgetsEditor(props: { budgets: Budget[]; onChange: (budgets: Budget[]) => void }) {
  const of = (period: BudgetPeriod) => props.budgets.find((b) => b.period === period) ?? { period };
  const set = (period: BudgetPeriod, change: Partial<Budget>) => {
    const next = { ...of(period), ...change };
    // Keep the periods in their natural order whatever order they were filled in.
    props.onChange(BUDGET_PERIODS.map((p) => (p === period ? next : of(p))).filter((b) => b.limitUsd !== undefined || b.limitTokens !== undefined));
  };
  return (
    <fieldset>
      <legend>Budgets</legend>
      <p class="hint">Every call must fit each budget. Leave a period empty for no budget in it; week starts Monday 00:00 UTC, total never resets.</p>
      <div class="envelope-grid">
        {BUDGET_PERIODS.map((period) => (
          <div class="envelope-period">
            <NumberField label={`${PERIOD_LABEL[period]} limit (USD)`} min={0} value={of(period).limitUsd} onValue={(limitUsd) => set(period, { limitUsd })} />
            <NumberField label={`${PERIOD_LABEL[period]} limit (tokens)`} min={1} step="1" value={of(period).limitTokens} onValue={(limitTokens) => set(period, { limitTokens })} />
          </div>
        ))}
      </div>
    </fieldset>
  );
}

export function LimitsEditor(props: { limits: RateLimits; onChange: (limits: RateLimits) => void }) {
  const set = (change: Partial<RateLimits>) => props.onChange({ ...props.limits, ...change });
  return (
    <fieldset>
      <legend>Rate limits</legend>
      <div class="form-grid">
        <NumberField label="Requests a minute (rpm)" min={1} step="1" value={props.limits.rpm} onValue={(rpm) => set({ rpm })} />
        <NumberField label="Tokens a minute (tpm)" min={1} step="1" value={props.limits.tpm} onValue={(tpm) => set({ tpm })} />
        <NumberField label="Calls at once (concurrency)" min={1} step="1" value={props.limits.concurrency} onValue={(concurrency) => set({ concurrency })} />
      </div>
    </fieldset>
  );
}

/** Budgets and limits in a sentence, for tables and read-only views. */
export function envelopeSummary(budgets: Budget[] | undefined, limits: RateLimits | undefined): string {
  const parts = (budgets ?? []).map((b) => {
    const caps = [b.limitUsd !== undefined ? usd(b.limitUsd) : undefined, b.limitTokens !== undefined ? `${int(b.limitTokens)} tokens` : undefined].filter(Boolean);
    return `${b.period}: ${caps.join(' / ')}`;
  });
  if (limits?.rpm !== undefined) parts.push(`${int(limits.rpm)} rpm`);
  if (limits?.tpm !== undefined) parts.push(`${int(limits.tpm)} tpm`);
  if (limits?.concurrency !== undefined) parts.push(`${int(limits.concurrency)} at once`);
  return parts.join(', ');
}

/** One meter: spent (with what calls in flight hold) against a limit. */
function Meter(props: { label: string; spent: number; limit: number; format: (value: number) => string }) {
  const share = props.spent / props.limit;
  return (
    <div class="budget-meter">
      <div class="budget-meter-text">
        <span>{props.label}</span>
        <span class={`badge ${shareClass(share)}`}>
          {props.format(props.spent)} of {props.format(props.limit)}
        </span>
      </div>
      <div
        class={share >= 1 ? 'meter over' : 'meter'}
        role="meter"
        aria-label={`${props.label}: ${props.format(props.spent)} of ${props.format(props.limit)}`}
        aria-valuemin={0}
        aria-valuemax={props.limit}
        aria-valuenow={Math.min(props.spent, props.limit)}
      >
        <span style={{ width: meterWidth(share) }} />
      </div>
    </div>
  );
}

/** The live status of some budgets: each period's USD and token meters and when it resets. */
export function BudgetMeters(props: { statuses: BudgetStatus[] }) {
  return (
    <div class="budget-meters">
      {props.statuses.map((status) => (
        <div class="budget-status">
          <h4>{PERIOD_LABEL[status.period as BudgetPeriod] ?? status.period}</h4>
          {status.limitUsd !== undefined && <Meter label="Spent (USD)" spent={status.spentUsd ?? 0} limit={status.limitUsd} format={usd} />}
          {status.limitTokens !== undefined && <Meter label="Tokens" spent={status.spentTokens ?? 0} limit={status.limitTokens} format={int} />}
          <p class="hint">{status.resetsAt ? `Resets ${time(status.resetsAt)}` : 'Never resets'} · since {time(status.windowStart)}</p>
        </div>
      ))}
    </div>
  );
}
