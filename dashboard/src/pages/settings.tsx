import { get } from '../api';
import { useCan } from '../session';
import { Card, ErrorNote, Link, Page, useApi } from '../ui/components';
import { ms } from '../ui/format';
import { BUILT_IN_TIMEOUTS, SettingsForm, type PublicSettings } from './settings-form';

/**
 * /settings (settings:read): the gateway-wide settings; with settings:write, the form that
 * replaces them (PUT /api/settings).
 */
export function SettingsPage() {
  const { can } = useCan();
  const settings = useApi((signal) => get<PublicSettings>('/api/settings', undefined, signal), []);
  const links = (
    <>
      {can('audit:read') && <Link to="/audit">Audit log</Link>}
      <a href="/api/openapi.json" target="_blank" rel="noopener">
        API reference (OpenAPI)
      </a>
    </>
  );

  return (
    <Page title="Settings" actions={links}>
      <ErrorNote error={settings.error} />
      {settings.loading && !settings.data && (
        <p role="status" aria-busy="true">
          Loading…
        </p>
      )}
      {settings.data &&
        (can('settings:write') ? <SettingsForm settings={settings.data} onSaved={settings.reload} /> : <SettingsView settings={settings.data} />)}
    </Page>
  );
}

/** The settings for a reader who may not change them. */
function SettingsView({ settings }: { settings: PublicSettings }) {
  const timeouts = settings.defaultTimeouts ?? {};
  const timeout = (key: keyof typeof BUILT_IN_TIMEOUTS) =>
    timeouts[key] !== undefined ? ms(timeouts[key]) : <span class="muted">{ms(BUILT_IN_TIMEOUTS[key])} (built in)</span>;
  return (
    <Card title="Gateway settings">
      <dl class="facts">
        <dt>Connect timeout</dt>
        <dd>{timeout('connectMs')}</dd>
        <dt>Total timeout</dt>
        <dd>{timeout('totalMs')}</dd>
        <dt>Idle timeout</dt>
        <dd>{timeout('idleMs')}</dd>
        <dt>Private model addresses</dt>
        <dd>{settings.forbidPrivateAddresses ? 'refused' : 'allowed'}</dd>
        <dt>Metrics token</dt>
        <dd>{settings.hasMetricsToken ? 'set' : 'not set (only signed-in users with metrics:read can read /metrics)'}</dd>
      </dl>
      <p class="hint">Your role may read these settings, not change them.</p>
    </Card>
  );
}
