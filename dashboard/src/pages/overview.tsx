import { useMemo } from 'preact/hooks';
import { setQuery, useLocation } from '../router';
import { useCan } from '../session';
import { Card, ErrorNote, Link, Page, SelectField, Stat, useApi } from '../ui/components';
import { int, ms, percent, time, usd } from '../ui/format';
import { OverviewBudgets } from './overview-budgets';
import { OverviewBusiest } from './overview-busiest';
import { getProjects, getSummary, monthStartUtc, utcDay, type SummaryFigures } from './usage-api';
import { UsageCharts } from './usage-charts';
import './overview.css';

/** The ranges the overview offers, kept in the URL as `?range=`. */
const RANGES = [
  { value: '24h', label: 'Last 24 hours', hours: 24 },
  { value: '7d', label: 'Last 7 days', hours: 7 * 24 },
  { value: '30d', label: 'Last 30 days', hours: 30 * 24 },
] as const;
type Range = (typeof RANGES)[number];

function rangeOf(value: string | null): Range {
  return RANGES.find((range) => range.value === value) ?? RANGES[0];
}

/** Two figures as one tile reads them: `120 ms / 900 ms`. */
const pair = (a: number | null | undefined, b: number | null | undefined) => `${ms(a)} / ${ms(b)}`;

export function OverviewPage() {
  const { query } = useLocation();
  const { can } = useCan();
  const range = rangeOf(query.get('range'));

  // Spend today and this month, counted in UTC like budgets are.
  const spend = useApi(async (signal) => {
    const now = Date.now();
    const [today, month] = await Promise.all([
      getSummary({ from: utcDay(now), groupBy: 'project' }, signal),
      getSummary({ from: monthStartUtc(now), groupBy: 'project' }, signal),
    ]);
    return { today, month };
  }, []);

  // Everything over the chosen range. By hour up to 7 days; 30 days by hour would be 720 thin bars.
  const usage = useApi(
    async (signal) => {
      const from = new Date(Date.now() - range.hours * 3_600_000).toISOString();
      const [series, models, projects] = await Promise.all([
        getSummary({ from, groupBy: range.hours > 7 * 24 ? 'day' : 'hour' }, signal),
        getSummary({ from, groupBy: 'model' }, signal),
        getSummary({ from, groupBy: 'project' }, signal),
      ]);
      return { range: range.value, series, models, projects };
    },
    [range.value],
  );

  const projects = useApi((signal) => getProjects(signal), []);
  // After a failed reload useApi keeps the last answer: never show one range's figures under another's name.
  const current = usage.data?.range === range.value ? usage.data : undefined;

  const reload = () => {
    spend.reload();
    usage.reload();
    projects.reload();
  };
  // When the figures shown were read, not when the page last re-rendered.
  const updatedAt = useMemo(() => Date.now(), [usage.data]);
  const totals: SummaryFigures | undefined = current?.series.totals;
  const loading = spend.loading || usage.loading;

  return (
    <Page
      title="Overview"
      actions={
        <>
          <SelectField label="Range" value={range.value} onValue={(value) => setQuery({ range: value === RANGES[0].value ? undefined : value })} options={RANGES.map(({ value, label }) => ({ value, label }))} />
          <button type="button" onClick={reload} disabled={loading}>
            Refresh
          </button>
        </>
      }
    >
      <p class="muted overview-status" role="status">
        {loading ? 'Loading usage…' : current ? `Updated ${time(updatedAt)}` : ''}
      </p>
      <ErrorNote error={spend.error ?? usage.error} />
      <div class="stats">
        <Stat label="Spend today" value={usd(spend.data?.today.totals.costUsd)} sub="since 00:00 UTC" />
        <Stat label="Spend this month" value={usd(spend.data?.month.totals.costUsd)} sub={`since ${monthStartUtc()} UTC`} />
        <Stat label="Calls" value={int(totals?.requests)} sub={range.label} />
        <Stat label="Error rate" value={totals ? percent(totals.errors, totals.requests) : '—'} sub={totals ? `${int(totals.errors)} failed calls` : undefined} />
        <Stat label="Latency p50 / p95" value={pair(totals?.p50LatencyMs, totals?.p95LatencyMs)} sub={range.label} />
        <Stat label="Time to first token p50 / p95" value={pair(totals?.p50TtftMs, totals?.p95TtftMs)} sub={range.label} />
        <Stat
          label="Fallbacks"
          value={int(totals?.fallbacks)}
          sub={totals && totals.fallbacks !== undefined ? `${percent(totals.fallbacks, totals.requests)} of calls served after a failed attempt` : range.label}
        />
      </div>
      {current && totals && totals.requests === 0 ? (
        <Card>
          <EmptyState hasProjects={(projects.data?.length ?? 0) > 0} rangeLabel={range.label} canCreate={can('projects:write')} canSeeProjects={can('projects:read')} />
        </Card>
      ) : (
        current && (
          <Card title={`Traffic: ${range.label.toLowerCase()}`}>
            <UsageCharts summary={current.series} />
          </Card>
        )
      )}
      {current && totals && totals.requests > 0 && <OverviewBusiest models={current.models} projects={current.projects} projectList={projects.data} />}
      <OverviewBudgets projects={projects.data} projectsError={projects.error} month={spend.data?.month} />
    </Page>
  );
}

/** What to do when there is nothing to show: the next step, not a blank chart. */
function EmptyState(props: { hasProjects: boolean; rangeLabel: string; canCreate: boolean; canSeeProjects: boolean }) {
  if (!props.hasProjects) {
    return (
      <p class="empty">
        No calls yet: {props.canCreate ? 'create a project' : 'ask an admin for a project'}
        {props.canCreate && (
          <>
            {' '}
            (<Link to="/projects">Projects</Link>)
          </>
        )}
        , then send a request to <code>/v1/chat/completions</code> with its token.
      </p>
    );
  }
  return (
    <p class="empty">
      No calls in the {props.rangeLabel.toLowerCase()}: send a request with one of your projects' tokens
      {props.canSeeProjects && (
        <>
          {' '}
          (<Link to="/projects">Projects</Link>)
        </>
      )}
      , or choose a longer range.
    </p>
  );
}
