import { Card, Link, Table } from '../ui/components';
import { int, percent, usd } from '../ui/format';
import { projectLabel, type Project, type SummaryGroup, type UsageSummary } from './usage-api';

const TOP = 5;

/** The groups with the most calls, most first (ties: the costlier first). */
function top(summary: UsageSummary): SummaryGroup[] {
  return [...summary.groups].sort((a, b) => b.requests - a.requests || b.costUsd - a.costUsd).slice(0, TOP);
}

/** The five busiest models and projects over the overview's range, each with its cost. */
export function OverviewBusiest(props: { models: UsageSummary; projects: UsageSummary; projectList: Project[] | undefined }) {
  const figures = [
    { label: 'Calls', numeric: true, cell: (group: SummaryGroup) => int(group.requests) },
    { label: 'Error rate', numeric: true, cell: (group: SummaryGroup) => percent(group.errors, group.requests) },
    { label: 'Cost', numeric: true, cell: (group: SummaryGroup) => usd(group.costUsd) },
  ];
  return (
    <div class="grid overview-busiest">
      <Card title="Busiest models">
        <Table
          rows={top(props.models)}
          rowKey={(group) => group.key}
          empty="No model served a call in this range."
          columns={[{ label: 'Model', cell: (group) => <span class="mono">{group.model ?? group.key}</span> }, ...figures]}
        />
      </Card>
      <Card title="Busiest projects">
        <Table
          rows={top(props.projects)}
          rowKey={(group) => group.key}
          empty="No project made a call in this range."
          columns={[
            {
              label: 'Project',
              // To the project's usage by model: the next question after "which project is busiest".
              cell: (group) => <Link to={`/usage?project=${encodeURIComponent(group.key)}&groupBy=model`}>{projectLabel(props.projectList, group.key)}</Link>,
            },
            ...figures,
          ]}
        />
      </Card>
    </div>
  );
}
