import { int, ms, usd } from '../ui/format';
import { projectLabel, tokenLabel, type GroupBy, type Project, type SummaryFigures, type SummaryGroup } from './usage-api';

/** A column of the usage table; `text` is what the cell shows and what the CSV holds. */
export interface UsageColumn {
  label: string;
  numeric?: boolean;
  text: (row: SummaryGroup) => string;
}

const hourText = (hour: string) => `${hour.slice(0, 10)} ${hour.slice(11, 16)} UTC`;

/** The columns for a grouping: what the group is, then the same figures for every grouping. */
export function usageColumns(groupBy: GroupBy, projects: Project[] | undefined): UsageColumn[] {
  const keys: UsageColumn[] = {
    project: [{ label: 'Project', text: (row: SummaryGroup) => projectLabel(projects, row.projectId ?? row.key) }],
    model: [{ label: 'Model', text: (row: SummaryGroup) => row.model ?? row.key }],
    token: [
      { label: 'Project', text: (row: SummaryGroup) => projectLabel(projects, row.projectId) },
      { label: 'Token', text: (row: SummaryGroup) => tokenLabel(projects, row.tokenId ?? row.key, row.projectId) },
    ],
    day: [{ label: 'Day (UTC)', text: (row: SummaryGroup) => row.day ?? row.key }],
    hour: [{ label: 'Hour', text: (row: SummaryGroup) => hourText(row.hour ?? row.key) }],
  }[groupBy];
  return [
    ...keys,
    { label: 'Calls', numeric: true, text: (row) => int(row.requests) },
    { label: 'Errors', numeric: true, text: (row) => int(row.errors) },
    { label: 'Input tokens', numeric: true, text: (row) => int(row.inputTokens) },
    { label: 'Output tokens', numeric: true, text: (row) => int(row.outputTokens) },
    { label: 'Cached tokens', numeric: true, text: (row) => int(row.cachedInputTokens) },
    { label: 'Cost', numeric: true, text: (row) => usd(row.costUsd) },
    { label: 'Charged', numeric: true, text: (row) => usd(row.chargedUsd) },
    { label: 'Latency p50', numeric: true, text: (row) => ms(row.p50LatencyMs) },
    { label: 'Latency p95', numeric: true, text: (row) => ms(row.p95LatencyMs) },
  ];
}

/** The totals as a row of the same table: the key columns say "Total". */
export function totalsRow(totals: SummaryFigures): SummaryGroup {
  return { ...totals, key: 'Total' };
}

/** The table as text, header first and totals last: exactly what the CSV export writes. */
export function usageTableText(columns: UsageColumn[], rows: SummaryGroup[], totals: SummaryFigures | undefined): string[][] {
  const keyColumns = columns.filter((column) => !column.numeric).length;
  const lines = [columns.map((column) => column.label), ...rows.map((row) => columns.map((column) => column.text(row)))];
  if (totals) lines.push(columns.map((column, i) => (i === 0 ? 'Total' : i < keyColumns ? '' : column.text(totalsRow(totals)))));
  return lines;
}

export function UsageTable(props: { caption: string; columns: UsageColumn[]; rows: SummaryGroup[]; totals: SummaryFigures | undefined }) {
  const [header, ...body] = usageTableText(props.columns, props.rows, props.totals);
  const footer = props.totals ? body.pop() : undefined;
  const cellClass = (i: number) => (props.columns[i]!.numeric ? 'num' : 'key');
  return (
    <div class="table-wrap">
      <table class="usage-table">
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            {header!.map((label, i) => (
              <th scope="col" class={props.columns[i]!.numeric ? 'num' : undefined}>
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {body.map((cells, row) => (
            <tr key={props.rows[row]!.projectId + '\n' + props.rows[row]!.key}>
              {cells.map((cell, i) => (
                <td class={cellClass(i)}>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
        {footer && (
          <tfoot>
            <tr>
              {footer.map((cell, i) =>
                i === 0 ? (
                  <th scope="row" class="key">
                    {cell}
                  </th>
                ) : (
                  <td class={cellClass(i)}>{cell}</td>
                ),
              )}
            </tr>
          </tfoot>
        )}
      </table>
    </div>
  );
}
