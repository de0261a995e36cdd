import { Table } from '../ui/components';
import { int, ms, usd } from '../ui/format';
import { outcomeClass, type AttemptTrace, type RoutingTrace, type UsageRecord } from './usage-api';

const VIA: Record<RoutingTrace['via'], string> = {
  named: 'a model of the pool, by name',
  alias: 'an alias, routed among its models',
  auto: '"auto", routed across the pool',
  unknown: 'a name the project does not know, routed like "auto"',
};

const score = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(3));

/** The policies that scored, in the order they first appear: the candidates table's columns. */
function policiesOf(trace: RoutingTrace): string[] {
  const seen = new Set<string>();
  for (const entry of trace.ranking) for (const policy of Object.keys(entry.scores)) seen.add(policy);
  return [...seen];
}

/** One attempt as the table shows it: the trace's entry, with its usage record when there is one. */
interface AttemptRow {
  attempt: number;
  model: string;
  status?: number;
  cause?: string;
  ms?: number;
  record?: UsageRecord;
}

function attemptRows(trace: RoutingTrace | undefined, records: UsageRecord[]): AttemptRow[] {
  const calls = records.filter((record) => record.endpoint !== 'routing');
  const byAttempt = new Map(calls.map((record) => [record.attempt ?? 1, record]));
  if (trace && trace.attempts.length > 0) return trace.attempts.map((attempt: AttemptTrace) => ({ ...attempt, record: byAttempt.get(attempt.attempt) }));
  // A record from before routing traces: its records are all there is.
  return calls.map((record) => ({ attempt: record.attempt ?? 1, model: record.model, status: record.status, cause: record.outcome === 'ok' ? undefined : record.outcome, record }));
}

/** Why a call went where it went: the candidates ranked, who was left out and why, and each try. */
export function TraceTables(props: { trace: RoutingTrace | undefined; records: UsageRecord[]; served: string | undefined }) {
  const { trace } = props;
  const attempts = attemptRows(trace, props.records);
  const judgeRecords = props.records.filter((record) => record.endpoint === 'routing');
  return (
    <>
      {trace ? (
        <>
          <p>
            Asked for <code>{trace.requested}</code>: {VIA[trace.via] ?? trace.via}. {int(trace.candidates.length)} candidate{trace.candidates.length === 1 ? '' : 's'}:{' '}
            {trace.candidates.map((model, i) => (
              <>
                {i > 0 && ', '}
                <span class="mono">{model}</span>
              </>
            ))}
            .
          </p>
          <Candidates trace={trace} served={props.served} />
          <h3>Excluded</h3>
          <Table
            rows={[...trace.excluded, ...(trace.ineligible ?? []).map((entry) => ({ ...entry, policy: 'unsupported parameters', retryAfterMs: undefined }))]}
            empty="No candidate was excluded."
            columns={[
              { label: 'Model', cell: (entry) => <span class="mono">{entry.model}</span> },
              { label: 'By', cell: (entry) => entry.policy },
              { label: 'Reason', cell: (entry) => entry.reason },
              { label: 'Retry after', numeric: true, cell: (entry) => (entry.retryAfterMs === undefined ? '—' : ms(entry.retryAfterMs)) },
            ]}
          />
          <h3>Not sent</h3>
          <Table
            rows={trace.notSent ?? []}
            empty="None: no ranked model was passed over for want of budget or rate-limit room."
            columns={[
              { label: 'Model', cell: (entry) => <span class="mono">{entry.model}</span> },
              { label: 'Reason', cell: (entry) => entry.reason },
            ]}
          />
        </>
      ) : (
        <p class="empty">No routing trace was recorded for this call (it was recorded before routing traces existed, or it never reached routing).</p>
      )}
      <h3>Attempts</h3>
      <Table
        rows={attempts}
        empty="No attempt was made: no candidate was left to send the call to."
        columns={[
          { label: '#', numeric: true, cell: (row) => row.attempt },
          { label: 'Model', cell: (row) => <span class="mono">{row.model}</span> },
          { label: 'Status', numeric: true, cell: (row) => row.status ?? '—' },
          { label: 'Error', cell: (row) => row.cause ?? (row.record && row.record.outcome !== 'ok' ? row.record.outcome : '—') },
          { label: 'Outcome', cell: (row) => (row.record ? <span class={outcomeClass(row.record.outcome)}>{row.record.outcome}</span> : '—') },
          { label: 'Latency', numeric: true, cell: (row) => ms(row.ms ?? row.record?.latencyMs) },
          { label: 'Tokens in / out', numeric: true, cell: (row) => (row.record ? `${int(row.record.inputTokens)} / ${int(row.record.outputTokens)}` : '—') },
          { label: 'Cost', numeric: true, cell: (row) => (row.record ? usd(row.record.costUsd) : '—') },
        ]}
      />
      {(trace?.judge || judgeRecords.length > 0) && <Judge trace={trace} records={judgeRecords} />}
    </>
  );
}

function Candidates(props: { trace: RoutingTrace; served: string | undefined }) {
  const { trace } = props;
  const policies = policiesOf(trace);
  return (
    <>
      <h3>Candidates</h3>
      <Table
        rows={trace.ranking.map((entry, i) => ({ ...entry, rank: i + 1 }))}
        rowKey={(entry) => entry.model}
        empty="No candidate was left to rank."
        columns={[
          { label: 'Rank', numeric: true, cell: (entry) => entry.rank },
          {
            label: 'Model',
            cell: (entry) => (
              <>
                <span class="mono">{entry.model}</span>
                {entry.model === props.served && (
                  <>
                    {' '}
                    <span class="badge ok">served</span>
                  </>
                )}
              </>
            ),
          },
          ...policies.map((policy) => ({ label: policy, numeric: true, cell: (entry: (typeof trace.ranking)[number]) => score(entry.scores[policy]) })),
          { label: 'Total', numeric: true, cell: (entry) => <strong>{score(entry.score)}</strong> },
        ]}
      />
      {(trace.abstained?.length ?? 0) > 0 && <p class="hint">Abstained (could not tell the candidates apart): {trace.abstained!.join(', ')}.</p>}
      {(trace.overridden?.length ?? 0) > 0 && <p class="hint">Tried despite an open circuit, because nothing else was left: {trace.overridden!.join(', ')}.</p>}
      {(trace.failed?.length ?? 0) > 0 && (
        <ul class="error">
          {trace.failed!.map((failure) => (
            <li>
              Policy {failure.policy} failed and was skipped: {failure.error}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** The llm policy's judge: what it chose, and its own metered call. */
function Judge(props: { trace: RoutingTrace | undefined; records: UsageRecord[] }) {
  const judge = props.trace?.judge;
  return (
    <>
      <h3>Judge</h3>
      {judge && (
        <p>
          <span class="mono">{judge.model}</span>{' '}
          {judge.error ? `failed: ${judge.error}` : judge.choice ? <>chose <span class="mono">{judge.choice}</span></> : 'made no choice'}
          {judge.cached ? ' (a cached answer: no call made)' : ''}.
        </p>
      )}
      {props.records.length > 0 && (
        <Table
          rows={props.records}
          columns={[
            { label: 'Model', cell: (record) => <span class="mono">{record.model}</span> },
            { label: 'Status', numeric: true, cell: (record) => record.status },
            { label: 'Outcome', cell: (record) => <span class={outcomeClass(record.outcome)}>{record.outcome}</span> },
            { label: 'Latency', numeric: true, cell: (record) => ms(record.latencyMs) },
            { label: 'Tokens in / out', numeric: true, cell: (record) => `${int(record.inputTokens)} / ${int(record.outputTokens)}` },
            { label: 'Cost', numeric: true, cell: (record) => usd(record.costUsd) },
          ]}
        />
      )}
    </>
  );
}
