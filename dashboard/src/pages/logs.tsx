import { useEffect, useRef, useState } from 'preact/hooks';
import { get } from '../api';
import { setQuery, useLocation } from '../router';
import { CheckField, ErrorNote, Link, Page, SelectField, Table, useApi } from '../ui/components';
import { int, ms, time, usd } from '../ui/format';
import { getProjects, outcomeClass, poolModels, projectLabel, type LogCall, type LogsAnswer } from './usage-api';
import './usage.css';

export { CallPage } from './logs-call';

const PAGE_SIZE = 50;
const REFRESH_MS = 10_000;
/** Outcomes the gateway records (src/proxy/); any other seen in the list is offered too. */
const OUTCOMES = [
  'ok',
  'upstream_error',
  'rate_limited',
  'upstream_unreachable',
  'connect_timeout',
  'total_timeout',
  'idle_timeout',
  'stream_error',
  'empty_stream',
  'too_large',
  'error_in_answer',
  'invalid_answer',
  'client_aborted',
];

/** A row's identity: a routing judge's call shares its request id with the call it judged. */
const rowKey = (call: LogCall) => `${call.requestId}\n${call.endpoint ?? ''}\n${call.time}`;

interface Loaded {
  /** The filters these calls were read with: rows of other filters are never mixed in. */
  filters: string;
  calls: LogCall[];
  nextCursor: string | null;
}

export function LogsPage() {
  const { query } = useLocation();
  const projectId = query.get('project') ?? '';
  const model = query.get('model') ?? '';
  const outcome = query.get('outcome') ?? '';
  const filters = JSON.stringify([projectId, model, outcome]);
  const projects = useApi((signal) => getProjects(signal), []);

  const [loaded, setLoaded] = useState<Loaded | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState<'first' | 'more' | 'refresh' | undefined>(undefined);
  const [autoRefresh, setAutoRefresh] = useState(false);
  const [news, setNews] = useState('');
  const current = useRef<Loaded | undefined>(undefined);
  current.current = loaded;

  const page = (cursor: string | undefined, signal?: AbortSignal) =>
    get<LogsAnswer>('/api/logs', { projectId: projectId || undefined, model: model || undefined, outcome: outcome || undefined, limit: PAGE_SIZE, cursor }, signal);

  // The newest page, whenever the filters change.
  useEffect(() => {
    const controller = new AbortController();
    setBusy('first');
    setError(undefined);
    setNews('');
    page(undefined, controller.signal).then(
      (answer) => {
        if (controller.signal.aborted) return;
        setLoaded({ filters, calls: answer.calls, nextCursor: answer.nextCursor });
        setBusy(undefined);
      },
      (failure: unknown) => {
        if (controller.signal.aborted) return;
        setError(failure);
        setBusy(undefined);
      },
    );
    return () => controller.abort();
  }, [filters]);

  const loadMore = async () => {
    const before = current.current;
    if (!before?.nextCursor) return;
    setBusy('more');
    try {
      const answer = await page(before.nextCursor);
      // Only if the filters did not change while the page was on its way.
      setLoaded((now) => (now?.filters === before.filters ? { ...now, calls: [...now.calls, ...answer.calls], nextCursor: answer.nextCursor } : now));
      setError(undefined);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(undefined);
    }
  };

  /**
   * Puts calls that finished since the list was read on top. When a whole page is new, older
   * new calls may lie between it and the list, so the list starts over from that page instead.
   */
  const refresh = async () => {
    const before = current.current;
    if (!before) return;
    setBusy('refresh');
    try {
      const answer = await page(undefined);
      const now = current.current;
      if (now?.filters !== before.filters) return;
      const known = new Set(now.calls.map(rowKey));
      const fresh = answer.calls.filter((call) => !known.has(rowKey(call)));
      setNews(fresh.length === 0 ? 'No new calls.' : `${fresh.length} new call${fresh.length === 1 ? '' : 's'}.`);
      setLoaded(fresh.length >= PAGE_SIZE ? { filters: now.filters, calls: answer.calls, nextCursor: answer.nextCursor } : { ...now, calls: [...fresh, ...now.calls] });
      setError(undefined);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(undefined);
    }
  };
  const refreshRef = useRef(refresh);
  refreshRef.current = refresh;
  const busyRef = useRef(busy);
  busyRef.current = busy;

  useEffect(() => {
    if (!autoRefresh) return;
    // A hidden tab does not poll (it catches up on its next tick once shown), nor does a list
    // that is still loading: two answers landing at once could drop each other's rows.
    const timer = setInterval(() => {
      if (!document.hidden && busyRef.current === undefined) void refreshRef.current();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [autoRefresh]);

  const calls = loaded?.filters === filters ? loaded.calls : undefined;
  const outcomes = [...new Set([...OUTCOMES, ...(calls ?? []).map((call) => call.outcome), ...(outcome ? [outcome] : [])])];
  const models = poolModels(projects.data, projectId || undefined);
  if (model && !models.includes(model)) models.unshift(model);
  const projectOptions = [{ value: '', label: 'All projects' }, ...(projects.data ?? []).map((p) => ({ value: p.id, label: p.name }))];
  if (projectId && !projects.data?.some((p) => p.id === projectId)) projectOptions.push({ value: projectId, label: projectId });
  const filtered = projectId !== '' || model !== '' || outcome !== '';

  return (
    <Page
      title="Logs"
      actions={
        <>
          <CheckField label="Auto-refresh" checked={autoRefresh} onChecked={setAutoRefresh} />
          <button type="button" onClick={() => void refresh()} disabled={busy !== undefined || !calls}>
            Refresh
          </button>
        </>
      }
    >
      <div class="card">
        <div class="form-grid">
          <SelectField label="Project" value={projectId} options={projectOptions} onValue={(value) => setQuery({ project: value })} />
          <SelectField label="Model" value={model} options={[{ value: '', label: 'All models' }, ...models]} onValue={(value) => setQuery({ model: value })} />
          <SelectField label="Outcome" value={outcome} options={[{ value: '', label: 'Any outcome' }, ...outcomes]} onValue={(value) => setQuery({ outcome: value })} />
        </div>
        {autoRefresh && <p class="hint">New calls are added every {REFRESH_MS / 1000} seconds while this tab is open.</p>}
      </div>
      <p class="muted usage-status" role="status">
        {busy === 'first' ? 'Loading calls…' : busy === 'refresh' ? 'Checking for new calls…' : busy === 'more' ? 'Loading older calls…' : news}
      </p>
      <ErrorNote error={error ?? projects.error} />
      {calls && (
        <Table
          rows={calls}
          rowKey={rowKey}
          caption={`Calls, newest first (${int(calls.length)} shown)`}
          empty={filtered ? 'No calls match these filters.' : 'No calls yet: send a request with a project token and it appears here.'}
          columns={[
            { label: 'Time', cell: (call) => <Link to={`/logs/${encodeURIComponent(call.requestId)}`}>{time(call.time)}</Link> },
            { label: 'Project', cell: (call) => projectLabel(projects.data, call.projectId) },
            {
              label: 'Model',
              cell: (call) => (
                <>
                  <span class="mono">{call.model}</span>
                  {call.endpoint === 'routing' && <span class="muted"> (routing judge)</span>}
                </>
              ),
            },
            { label: 'Status', numeric: true, cell: (call) => call.status },
            { label: 'Outcome', cell: (call) => <span class={outcomeClass(call.outcome)}>{call.outcome}</span> },
            { label: 'Tokens in / out', numeric: true, cell: (call) => `${int(call.inputTokens)} / ${int(call.outputTokens)}` },
            { label: 'Cost', numeric: true, cell: (call) => usd(call.costUsd) },
            { label: 'Latency', numeric: true, cell: (call) => ms(call.latencyMs) },
            { label: 'Attempts', numeric: true, cell: (call) => (call.attempts > 1 ? <span class="badge warn">{call.attempts}</span> : call.attempts) },
          ]}
        />
      )}
      {calls && loaded?.nextCursor && (
        <div class="row">
          <button type="button" onClick={() => void loadMore()} disabled={busy !== undefined}>
            Load more
          </button>
        </div>
      )}
    </Page>
  );
}
