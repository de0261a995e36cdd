import type { ComponentChildren } from 'preact';
import { get } from '../api';
import { Card, CopyButton, ErrorNote, Link, Page, useApi } from '../ui/components';
import { int, ms, time, usd } from '../ui/format';
import { clientFormat, getProjects, outcomeClass, projectLabel, tokenLabel, type UsageRecord } from './usage-api';
import { TraceTables } from './trace-tables';

/**
 * The record that stands for the whole call: the last attempt, which carries the routing trace
 * and the call's whole latency (both measured from the call's start). A routing judge's records
 * share the request id but are the gateway's own calls, never the client's.
 */
function mainRecord(records: UsageRecord[]): UsageRecord | undefined {
  const calls = records.filter((record) => record.endpoint !== 'routing');
  return calls.find((record) => record.routing !== undefined) ?? calls.at(-1) ?? records.at(-1);
}

const sum = (records: UsageRecord[], pick: (record: UsageRecord) => number) => records.reduce((total, record) => total + pick(record), 0);

export function CallPage(props: { requestId: string }) {
  const call = useApi((signal) => get<{ requestId: string; records: UsageRecord[] }>(`/api/usage/${encodeURIComponent(props.requestId)}`, undefined, signal), [props.requestId]);
  const projects = useApi((signal) => getProjects(signal), []);
  // After a failed load useApi keeps the last answer, which may be another call's.
  const records = call.data?.requestId === props.requestId ? call.data.records : [];
  const main = mainRecord(records);

  return (
    <Page title="Call" actions={<Link to="/logs">Back to logs</Link>}>
      {call.loading && !call.data && (
        <p class="muted" role="status">
          Loading the call…
        </p>
      )}
      <ErrorNote error={call.error} />
      {main && (
        <>
          <Card title="Summary">
            <Summary main={main} records={records} projects={projects.data} requestId={props.requestId} />
          </Card>
          <Card title="Routing trace">
            <TraceTables trace={main.routing} records={records} served={main.outcome === 'ok' ? main.model : undefined} />
          </Card>
          <details class="card">
            <summary>Raw records</summary>
            <pre>{JSON.stringify(records, null, 2)}</pre>
          </details>
        </>
      )}
    </Page>
  );
}

function Summary(props: { main: UsageRecord; records: UsageRecord[]; projects: Parameters<typeof projectLabel>[0]; requestId: string }) {
  const { main, records } = props;
  const judged = records.filter((record) => record.endpoint === 'routing');
  const cost = sum(records, (record) => record.costUsd);
  const charged = sum(records, (record) => record.chargedUsd ?? record.costUsd);
  const attempts = records.filter((record) => record.endpoint !== 'routing').length;
  const facts: [string, ComponentChildren][] = [
    [
      'Request ID',
      <>
        <span class="mono">{props.requestId}</span> <CopyButton text={props.requestId} label="Copy ID" />
      </>,
    ],
    ['Started', time(records[0]?.ts ?? main.ts)],
    ['Project', <Link to={`/usage?project=${encodeURIComponent(main.projectId)}&groupBy=model`}>{projectLabel(props.projects, main.projectId)}</Link>],
    ['Token', tokenLabel(props.projects, main.tokenId, main.projectId)],
    ['Client format', `${clientFormat(main.endpoint)}${main.stream ? ', streamed' : ''}`],
    ['Model requested', main.routing ? <span class="mono">{main.routing.requested}</span> : '—'],
    [
      main.outcome === 'ok' ? 'Model served' : 'Last model tried',
      <>
        <span class="mono">{main.model}</span>{' '}
        <span class="muted">
          ({main.provider}: {main.upstreamModel})
        </span>
      </>,
    ],
    ['Status', main.status],
    ['Outcome', <span class={outcomeClass(main.outcome)}>{main.outcome}</span>],
    [
      'Tokens',
      main.usageReported === false && main.outcome === 'ok' ? (
        <span class="badge warn">not reported by the provider</span>
      ) : (
        `${int(main.inputTokens)} in (${int(main.cachedInputTokens)} cached, ${int(main.cacheWriteTokens)} written to cache), ${int(main.outputTokens)} out`
      ),
    ],
    ['Cost', `${usd(cost)}${judged.length > 0 ? ` (the routing judge's ${usd(sum(judged, (record) => record.costUsd))} included)` : ''}`],
    ...(Math.abs(charged - cost) > 1e-12 ? ([['Charged to budgets', usd(charged)]] as [string, ComponentChildren][]) : []),
    ['Latency', ms(main.latencyMs)],
    ['Time to first token', ms(main.ttftMs)],
    ['Attempts', int(attempts)],
  ];
  return (
    <dl class="facts">
      {facts.map(([term, value]) => (
        <>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </>
      ))}
    </dl>
  );
}
