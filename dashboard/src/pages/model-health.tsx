import { get } from '../api';
import { Card, ErrorNote, useApi } from '../ui/components';
import { int, ms, time } from '../ui/format';
import type { ModelHealth } from './model-form-state';

/** A price in USD per million tokens, with as many decimals as it has (up to 4). */
export function perMillion(value: number | undefined): string {
  if (value === undefined) return '—';
  return '$' + Number(value.toFixed(4)).toString();
}

const CIRCUIT: Record<ModelHealth['circuit'], { text: string; tone: string; why: string }> = {
  closed: { text: 'healthy', tone: 'ok', why: 'circuit closed: calls go through' },
  half_open: { text: 'probing', tone: 'warn', why: 'circuit half-open: one probe call decides whether it closes' },
  open: { text: 'circuit open', tone: 'bad', why: 'circuit open after consecutive failures: routing skips it' },
};

/**
 * The circuit as a badge (healthy / probing / circuit open), plus "rate-limited" while a 429's
 * cooldown lasts. The text says the state; colour only repeats it.
 */
export function HealthBadges({ health }: { health: ModelHealth | undefined }) {
  if (!health || health.requests === 0) return <span class="muted no-calls">no calls yet</span>;
  const circuit = CIRCUIT[health.circuit];
  const now = Date.now();
  const coolingDown = health.cooldownUntil !== null && Date.parse(health.cooldownUntil) > now;
  return (
    <span class="health-badges">
      <span class={'badge ' + circuit.tone} title={circuit.why}>
        {circuit.text}
      </span>
      {coolingDown && (
        <span class="badge warn" title={`answered 429: skipped until ${time(health.cooldownUntil)}`}>
          rate-limited
        </span>
      )}
    </span>
  );
}

/** One model's live figures, on its page: the same source as the list, read once. */
export function ModelHealthCard({ id }: { id: string }) {
  const stats = useApi((signal) => get<{ models: ModelHealth[] }>('/api/models/stats', undefined, signal), [id]);
  const health = stats.data?.models.find((entry) => entry.model === id);
  const errors = Object.entries(health?.errors ?? {}).filter(([, count]) => count > 0);
  return (
    <Card title="Live health">
      <ErrorNote error={stats.error} />
      {stats.data && (
        <dl class="facts model-facts">
          <dt>State</dt>
          <dd>
            <HealthBadges health={health} />
          </dd>
          {health && health.requests > 0 && (
            <>
              <dt>Requests</dt>
              <dd>
                {int(health.requests)} ({int(health.lastMinute.requests)} in the last minute, {int(health.inFlight)} in flight)
              </dd>
              <dt>Error rate</dt>
              <dd>
                {(health.errorRate * 100).toFixed(1)}% recent{health.consecutiveFailures > 0 ? `, ${health.consecutiveFailures} consecutive failures` : ''}
              </dd>
              {errors.length > 0 && (
                <>
                  <dt>Errors</dt>
                  <dd>{errors.map(([kind, count]) => `${kind.replace('_', ' ')}: ${int(count)}`).join(', ')}</dd>
                </>
              )}
              <dt>Latency</dt>
              <dd>
                {ms(health.latencyMs)} whole calls, {ms(health.ttftMs)} to first token (recent-weighted)
              </dd>
              {health.circuitOpenUntil && (
                <>
                  <dt>Circuit open until</dt>
                  <dd>{time(health.circuitOpenUntil)}</dd>
                </>
              )}
              {health.cooldownUntil && (
                <>
                  <dt>Rate-limited until</dt>
                  <dd>{time(health.cooldownUntil)}</dd>
                </>
              )}
            </>
          )}
        </dl>
      )}
      <p class="hint">What this gateway process has seen since it started or since statistics were last reset.</p>
      <button type="button" onClick={stats.reload} disabled={stats.loading}>
        Refresh health
      </button>
    </Card>
  );
}
