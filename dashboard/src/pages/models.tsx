import { useEffect, useState } from 'preact/hooks';
import { del, get } from '../api';
import { navigate } from '../router';
import { useCan } from '../session';
import { ErrorNote, Link, Page, Table, useApi } from '../ui/components';
import { int, ms, time } from '../ui/format';
import { providerLabel } from '../ui/provider-registry';
import { modelPagePath, type ModelHealth, type PublicModel } from './model-form-state';
import { HealthBadges, perMillion } from './model-health';
import './models.css';

export { ModelEditPage } from './model-edit';

/** How often the live statistics are read again while the list is open. */
const STATS_REFRESH_MS = 10_000;

/**
 * The models (GET /api/models) with each one's live health from this gateway process
 * (GET /api/models/stats), read again every 10 seconds.
 */
export function ModelsPage() {
  const { can } = useCan();
  const writable = can('models:write');
  const models = useApi((signal) => get<{ models: PublicModel[] }>('/api/models', undefined, signal), []);
  const stats = useApi((signal) => get<{ scope: string; models: ModelHealth[] }>('/api/models/stats', undefined, signal), []);
  const [statsAt, setStatsAt] = useState<number>();
  const [resetState, setResetState] = useState<{ error?: unknown; done?: boolean; busy?: boolean }>({});

  useEffect(() => {
    // A hidden tab has no one to show the figures to: skip those reads.
    const timer = setInterval(() => document.hidden || stats.reload(), STATS_REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    if (stats.data) setStatsAt(Date.now());
  }, [stats.data]);

  async function resetStats() {
    setResetState({ busy: true });
    try {
      await del('/api/models/stats');
      setResetState({ done: true });
      stats.reload();
    } catch (error) {
      setResetState({ error });
    }
  }

  const health = new Map((stats.data?.models ?? []).map((entry) => [entry.model, entry]));
  const rows = [...(models.data?.models ?? [])].sort((a, b) => a.id.localeCompare(b.id));

  return (
    <Page
      title="Models"
      actions={
        writable && (
          <>
            <button type="button" onClick={() => void resetStats()} disabled={resetState.busy}>
              Reset statistics
            </button>
            <button type="button" class="primary" onClick={() => navigate('/models/new')}>
              Add model
            </button>
          </>
        )
      }
    >
      <ErrorNote error={models.error} />
      <ErrorNote error={stats.error ?? resetState.error} />
      {resetState.done && <p role="status">Statistics reset: circuits closed, error rates and latencies start over.</p>}
      {models.loading && !models.data ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <Table
          caption="Models and their live health"
          rowKey={(model) => model.id}
          rows={models.data ? rows : undefined}
          empty={writable ? 'No models yet. Add one to start routing calls.' : 'No models yet.'}
          columns={[
            { label: 'ID', cell: (model) => <Link to={modelPagePath(model.id)} class="nowrap">{model.id}</Link> },
            { label: 'Provider', cell: (model) => providerLabel(model.provider, model.preset) },
            { label: 'Upstream model', cell: (model) => <span class="mono">{model.upstreamModel ?? model.id}</span> },
            { label: 'Health', cell: (model) => <HealthBadges health={health.get(model.id)} /> },
            { label: 'Error rate', numeric: true, cell: (model) => errorRate(health.get(model.id)) },
            { label: 'Latency', numeric: true, cell: (model) => ms(health.get(model.id)?.latencyMs) },
            { label: 'Time to first token', numeric: true, cell: (model) => ms(health.get(model.id)?.ttftMs) },
            { label: 'Requests', numeric: true, cell: (model) => int(health.get(model.id)?.requests ?? 0) },
            { label: 'Input / output (USD per 1M)', numeric: true, cell: (model) => (model.pricing ? `${perMillion(model.pricing.input)} / ${perMillion(model.pricing.output)}` : '—') },
            { label: 'Context window', numeric: true, cell: (model) => int(model.contextWindow) },
            { label: 'API key', cell: (model) => (model.hasApiKey ? 'set' : <span class="muted">none</span>) },
          ]}
        />
      )}
      {/* Not a live region: a figure read every 10 seconds would be announced every 10 seconds. */}
      <p class="hint">
        Health is what this gateway process has seen since it started or since the last reset, read again every 10 seconds
        {statsAt ? ` (last read ${time(statsAt)})` : ''}. Latencies are recent-weighted averages.
      </p>
    </Page>
  );
}

function errorRate(health: ModelHealth | undefined): string {
  if (!health || health.requests === 0) return '—';
  return (health.errorRate * 100).toFixed(1) + '%';
}
