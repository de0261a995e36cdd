import { setQuery, useLocation } from '../router';
import { Card, ErrorNote, Page, useApi } from '../ui/components';
import { downloadText, toCsv } from '../ui/csv';
import { getProjects, getSummary, projectLabel, tokenLabel, type GroupBy, type SummaryFigures, type SummaryGroup } from './usage-api';
import { UsageCharts } from './usage-charts';
import { readFilters, UsageFilterBar, type UsageFilters } from './usage-filters';
import { chartGrouping } from './usage-series';
import { usageColumns, usageTableText, UsageTable } from './usage-table';
import './usage.css';

/**
 * GET /api/usage/summary filters by project and range only; token and model are dimensions it
 * groups by. So a token (or model) filter is applied here, in the browser, and only to the
 * grouping by token (or model), where it picks one whole row and its figures stay exact. With
 * any other grouping it cannot be applied without showing wrong figures, so the page says so.
 */
function clientFilter(filters: UsageFilters): { applies: boolean; unmet: ('token' | 'model')[] } {
  const unmet: ('token' | 'model')[] = [];
  if (filters.token && filters.groupBy !== 'token') unmet.push('token');
  if (filters.model && filters.groupBy !== 'model') unmet.push('model');
  return { applies: unmet.length === 0 && (filters.token !== '' || filters.model !== ''), unmet };
}

const TIME_GROUPINGS: GroupBy[] = ['day', 'hour'];
const dayStart = (day: string) => Date.parse(`${day}T00:00:00.000Z`);

export function UsagePage() {
  const { query } = useLocation();
  const filters = readFilters(query);
  const { project: projectId, from, to, groupBy } = filters;
  const filter = clientFilter(filters);
  const projects = useApi((signal) => getProjects(signal), []);

  // Each answer carries the query it answers: after a failed reload, useApi keeps the previous
  // answer, which must not be shown under filters it was not read with.
  const summaryKey = JSON.stringify([projectId, from, to, groupBy]);
  const summary = useApi(
    (signal) => getSummary({ projectId: projectId || undefined, from, to, groupBy }, signal).then((answer) => ({ key: summaryKey, answer })),
    [summaryKey],
  );
  // The chart over time: the table's own summary when it is by day or hour, else one more by time.
  // Left out under a token or model filter, which the summary over time cannot apply.
  const chartBy = TIME_GROUPINGS.includes(groupBy) || filter.applies || filter.unmet.length > 0 ? undefined : chartGrouping(dayStart(from), dayStart(to) + 86_400_000);
  const overTimeKey = JSON.stringify([projectId, from, to, chartBy]);
  const overTime = useApi(
    (signal) => (chartBy ? getSummary({ projectId: projectId || undefined, from, to, groupBy: chartBy }, signal).then((answer) => ({ key: overTimeKey, answer })) : Promise.resolve(undefined)),
    [overTimeKey],
  );
  const data = summary.data?.key === summaryKey ? summary.data.answer : undefined;
  const chartSummary = TIME_GROUPINGS.includes(groupBy) && filter.unmet.length === 0 ? data : chartBy && overTime.data?.key === overTimeKey ? overTime.data.answer : undefined;

  let rows: SummaryGroup[] = data?.groups ?? [];
  let totals: SummaryFigures | undefined = data?.totals;
  if (filter.applies) {
    rows = rows.filter((row) => (filters.token ? row.tokenId === filters.token && row.projectId === projectId : row.model === filters.model));
    // One row at most (a token id, or a model, is one group): its own figures are the exact totals.
    totals = rows[0];
  }
  if (!TIME_GROUPINGS.includes(groupBy)) rows = [...rows].sort((a, b) => b.requests - a.requests || b.costUsd - a.costUsd);
  const columns = usageColumns(groupBy, projects.data);
  const showTable = data !== undefined && filter.unmet.length === 0;

  const scope = [
    projectId ? `project ${projectLabel(projects.data, projectId)}` : 'all projects',
    filters.token ? `token ${tokenLabel(projects.data, filters.token, projectId)}` : '',
    filters.model ? `model ${filters.model}` : '',
  ].filter(Boolean);
  const caption = `Usage of ${scope.join(', ')} from ${from} to ${to} (UTC), by ${groupBy}`;

  const exportCsv = () => {
    const name = `routerly-usage-${from}-to-${to}-by-${groupBy}${projectId ? '-' + projectId : ''}${filters.token ? '-' + filters.token : ''}${filters.model ? '-' + filters.model : ''}`;
    downloadText(`${name.replace(/[^\w.-]+/g, '_')}.csv`, toCsv(usageTableText(columns, rows, rows.length > 0 ? totals : undefined)));
  };

  return (
    <Page
      title="Usage"
      actions={
        <button type="button" onClick={exportCsv} disabled={!showTable || rows.length === 0}>
          Export CSV
        </button>
      }
    >
      <Card>
        <UsageFilterBar filters={filters} projects={projects.data} />
        {filter.applies && (
          <p class="hint">
            The usage summary filters by project only: the {filters.token ? 'token' : 'model'} filter picks its row of the grouping by {groupBy} here in the browser.
          </p>
        )}
        <p class="muted usage-status" role="status">
          {summary.loading ? 'Loading usage…' : ''}
        </p>
      </Card>
      <ErrorNote error={projects.error ?? summary.error} />
      {filter.unmet.length > 0 && <Unmet unmet={filter.unmet} groupBy={groupBy} />}
      {showTable && (
        <Card title="Usage by group">
          {rows.length === 0 ? (
            <p class="empty">No calls match these filters in this range. Widen the range, or send a request with a project token.</p>
          ) : (
            <UsageTable caption={caption} columns={columns} rows={rows} totals={totals} />
          )}
        </Card>
      )}
      {(filter.applies || filter.unmet.length > 0) && <p class="hint">The chart over time is not shown with a token or model filter: the summary over time cannot be narrowed to one token or model.</p>}
      <ErrorNote error={chartBy ? overTime.error : undefined} />
      {chartSummary && chartSummary.totals.requests > 0 && (
        <Card title="Over time">
          <UsageCharts summary={chartSummary} />
        </Card>
      )}
    </Page>
  );
}

/** A token or model filter that the chosen grouping cannot apply: no table rather than wrong figures. */
function Unmet(props: { unmet: ('token' | 'model')[]; groupBy: GroupBy }) {
  const both = props.unmet.length === 2;
  const what = both ? 'a token and a model at once' : `one ${props.unmet[0]}`;
  return (
    <Card>
      <p role="status">
        The usage summary cannot narrow a grouping by {props.groupBy} to {what}: it counts per project, model, token, day or hour, one at a time. No table is shown rather than
        figures that include other {both ? 'tokens and models' : props.unmet[0] + 's'}.
      </p>
      <div class="row">
        {props.unmet.map((name) => (
          // Grouping by one leaves the other filter unmet, so it is cleared with it.
          <button type="button" onClick={() => setQuery({ groupBy: name, [name === 'token' ? 'model' : 'token']: undefined })}>
            Group by {name}
          </button>
        ))}
        {props.unmet.map((name) => (
          <button type="button" onClick={() => setQuery({ [name]: undefined })}>
            Clear the {name} filter
          </button>
        ))}
      </div>
    </Card>
  );
}
