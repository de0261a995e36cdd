import { useEffect, useRef, useState } from 'preact/hooks';
import { setQuery, useLocation } from '../router';
import { Card, ErrorNote, Field, Page, Table } from '../ui/components';
import { time } from '../ui/format';
import { NewestFirstReader, type AuditEntry } from './audit-reader';
import './audit.css';

/** Entries shown per "Load more". */
const STEP = 100;

/** A `datetime-local` value (the viewer's local time) as epoch ms; undefined when empty or unreadable. */
function localMs(value: string): number | undefined {
  if (!value) return undefined;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

function who(entry: AuditEntry): string {
  return entry.actor?.email ?? entry.actor?.userId ?? '—';
}

function StatusBadge({ status }: { status: number }) {
  const kind = status < 400 ? 'ok' : status === 401 || status === 403 ? 'warn' : 'bad';
  return <span class={`badge ${kind}`}>{status}</span>;
}

const COLUMNS = [
  { label: 'Time', cell: (entry: AuditEntry) => <span class="audit-time">{time(entry.ts)}</span> },
  {
    label: 'User',
    cell: (entry: AuditEntry) => (
      <>
        {who(entry)}
        {entry.address && <div class="muted mono">{entry.address}</div>}
      </>
    ),
  },
  {
    label: 'Action',
    cell: (entry: AuditEntry) => (
      <span class="mono">
        {entry.method} {entry.route}
      </span>
    ),
  },
  { label: 'Status', cell: (entry: AuditEntry) => <StatusBadge status={entry.status} /> },
  {
    label: 'Target',
    cell: (entry: AuditEntry) => (
      <>
        {entry.target && <span class="mono">{entry.target}</span>}
        {entry.projectId && entry.projectId !== entry.target && <div class="muted mono">project {entry.projectId}</div>}
        {!entry.target && !entry.projectId && '—'}
      </>
    ),
  },
  { label: 'Fields', cell: (entry: AuditEntry) => (entry.fields?.length ? <span class="mono">{entry.fields.join(', ')}</span> : '—') },
];

/**
 * /audit (audit:read): every management write, denied and failed ones included, newest first:
 * who, from where, which route, the answer's status and what it touched (never a value).
 */
export function AuditPage() {
  const { query } = useLocation();
  const from = query.get('from') ?? '';
  const to = query.get('to') ?? '';
  const [draftFrom, setDraftFrom] = useState(from);
  const [draftTo, setDraftTo] = useState(to);
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [more, setMore] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>();
  const reader = useRef<NewestFirstReader>();
  const controller = useRef<AbortController>();

  async function load(fresh: boolean) {
    if (fresh) {
      controller.current?.abort();
      controller.current = new AbortController();
      reader.current = new NewestFirstReader(localMs(from), localMs(to));
      setEntries([]);
    }
    const signal = controller.current!.signal;
    const current = reader.current!;
    setLoading(true);
    setError(undefined);
    try {
      const found = await current.next(STEP, signal);
      if (signal.aborted) return;
      setEntries((shown) => (fresh ? found : [...shown, ...found]));
      setMore(current.more);
    } catch (caught) {
      if (!signal.aborted) setError(caught);
    } finally {
      if (!signal.aborted) setLoading(false);
    }
  }

  useEffect(() => {
    setDraftFrom(from);
    setDraftTo(to);
    void load(true);
  }, [from, to]);
  useEffect(() => () => controller.current?.abort(), []);

  return (
    <Page title="Audit log">
      <p class="muted">Every change made through the management API, refused and failed ones included, and every sign-in. Values are never logged: only which fields a change named.</p>
      <Card>
        <form
          class="row"
          onSubmit={(event) => {
            event.preventDefault();
            setQuery({ from: draftFrom || undefined, to: draftTo || undefined });
          }}
        >
          <Field label="From" type="datetime-local" value={draftFrom} onValue={setDraftFrom} />
          <Field label="To" type="datetime-local" value={draftTo} onValue={setDraftTo} />
          <button type="submit" class="primary">
            Apply
          </button>
          {(from || to) && (
            <button type="button" onClick={() => setQuery({ from: undefined, to: undefined })}>
              Show all
            </button>
          )}
        </form>
      </Card>
      <ErrorNote error={error} />
      <Table columns={COLUMNS} rows={loading && entries.length === 0 ? undefined : entries} empty={from || to ? 'No entries in this range.' : 'No entries yet.'} />
      <div class="row audit-foot">
        <span role="status" class="muted">
          {loading ? 'Loading…' : `${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}, newest first${more ? '' : ': that is all'}.`}
        </span>
        {more && !loading && (
          <button type="button" onClick={() => void load(false)}>
            Load more
          </button>
        )}
      </div>
    </Page>
  );
}
