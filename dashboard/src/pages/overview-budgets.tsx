import { get } from '../api';
import { Card, ErrorNote, Link, useApi } from '../ui/components';
import { int, time, usd } from '../ui/format';
import { tokenLabel, type BudgetStatus, type Project, type UsageSummary } from './usage-api';

const hasBudgets = (project: Project) => (project.budgets?.length ?? 0) > 0 || project.tokens.some((token) => (token.budgets?.length ?? 0) > 0);

/**
 * Each visible project's spend this month, and every budget of it and of its tokens as it stands
 * (what is spent plus what calls in flight hold, against the limit). Only projects that have a
 * budget are asked for its status.
 */
export function OverviewBudgets(props: { projects: Project[] | undefined; projectsError: unknown; month: UsageSummary | undefined }) {
  const withBudgets = (props.projects ?? []).filter(hasBudgets).map((project) => project.id);
  const statuses = useApi(
    async (signal) => {
      const answers = await Promise.all(withBudgets.map((id) => get<{ projectId: string; budgets: BudgetStatus[] }>(`/api/projects/${encodeURIComponent(id)}/budgets`, undefined, signal)));
      return new Map(answers.map((answer) => [answer.projectId, answer.budgets]));
    },
    [withBudgets.join('\n')],
  );
  const spentOf = (id: string) => props.month?.groups.find((group) => group.key === id)?.costUsd ?? (props.month ? 0 : undefined);
  const projects = [...(props.projects ?? [])].sort((a, b) => (spentOf(b.id) ?? 0) - (spentOf(a.id) ?? 0) || a.name.localeCompare(b.name));

  return (
    <Card title="Spend and budgets per project">
      <ErrorNote error={props.projectsError ?? statuses.error} />
      {props.projects && props.projects.length === 0 && <p class="empty">No projects yet: create one under Projects, then send a request with its token.</p>}
      <ul class="overview-budgets">
        {projects.map((project) => (
          <li key={project.id}>
            <div class="overview-budget-head">
              <Link to={`/usage?project=${encodeURIComponent(project.id)}&groupBy=model`}>{project.name}</Link>
              <span class="overview-budget-spent">{usd(spentOf(project.id))} this month</span>
            </div>
            {!hasBudgets(project) ? (
              <p class="muted">No budget set.</p>
            ) : statuses.data?.has(project.id) ? (
              <ul class="overview-meters">
                {statuses.data.get(project.id)!.map((status) => (
                  <BudgetMeters status={status} project={project} />
                ))}
              </ul>
            ) : (
              <p class="muted">{statuses.error ? 'Budgets unavailable.' : 'Loading budgets…'}</p>
            )}
          </li>
        ))}
      </ul>
    </Card>
  );
}

/** One budget: a meter for its dollars and one for its tokens, whichever it limits. */
function BudgetMeters(props: { status: BudgetStatus; project: Project }) {
  const { status } = props;
  const who = status.scope === 'project' ? 'Project' : `Token ${tokenLabel([props.project], status.id)}`;
  const period = status.period === 'total' ? 'total' : `per ${status.period}`;
  const resets = status.resetsAt ? `resets ${time(status.resetsAt)}` : 'never resets';
  return (
    <>
      {status.limitUsd !== undefined && (
        <Meter label={`${who} budget, ${period}`} spent={status.spentUsd ?? 0} limit={status.limitUsd} text={`${usd(status.spentUsd ?? 0)} of ${usd(status.limitUsd)}`} resets={resets} />
      )}
      {status.limitTokens !== undefined && (
        <Meter
          label={`${who} budget in tokens, ${period}`}
          spent={status.spentTokens ?? 0}
          limit={status.limitTokens}
          text={`${int(status.spentTokens ?? 0)} of ${int(status.limitTokens)} tokens`}
          resets={resets}
        />
      )}
    </>
  );
}

/** A share of a limit as a percentage; a sliver of it is "<0.1%", never a misleading "0%". */
function shareText(share: number): string {
  if (share > 0 && share < 0.001) return '<0.1%';
  return (share * 100).toFixed(share < 0.1 ? 1 : 0) + '%';
}

function Meter(props: { label: string; spent: number; limit: number; text: string; resets: string }) {
  const share = props.limit > 0 ? props.spent / props.limit : 1;
  const shown = Math.min(100, Math.max(0, share * 100));
  const over = share >= 1;
  return (
    <li class="overview-meter">
      <div class="overview-meter-label">
        <span>{props.label}</span>
        <span class={over ? 'badge bad' : share >= 0.8 ? 'badge warn' : 'muted'}>
          {props.text} ({shareText(share)})
        </span>
      </div>
      <div
        class={over ? 'meter over' : 'meter'}
        role="meter"
        aria-label={props.label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={shown}
        aria-valuetext={`${props.text}, ${props.resets}`}
      >
        <span style={{ width: `${shown}%` }} />
      </div>
      <small class="muted">{props.resets}</small>
    </li>
  );
}
