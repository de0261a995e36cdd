import { useState } from 'preact/hooks';
import { put } from '../api';
import { Card, CheckField, CopyButton, ErrorNote, Field, NumberField } from '../ui/components';
import { ms } from '../ui/format';
import type { Timeouts } from './model-form-state';
import './settings.css';


/**
 * What GET /api/settings answers (src/management/settings.ts): the settings without the
 * metrics token's hash, and whether one is set. Fields this form does not know are sent back
 * as they came, since a PUT replaces the whole settings.
 */
export interface PublicSettings {
  defaultTimeouts?: Timeouts;
  forbidPrivateAddresses?: boolean;
  hasMetricsToken: boolean;
  [other: string]: unknown;
}

/** DEFAULT_TIMEOUTS in src/config/state.ts: what a model gets when neither it nor these settings say. */
export const BUILT_IN_TIMEOUTS: Required<Timeouts> = { connectMs: 60_000, totalMs: 900_000, idleMs: 300_000 };
/** The Timeouts schema's bound (src/config/schemas.ts). */
const MAX_TIMEOUT_MS = 24 * 3600 * 1000;
/** SettingsInput's bounds on metricsToken. */
const TOKEN_MIN = 16;
const TOKEN_MAX = 512;

/** 32 random bytes as hex: a token no one will guess, made in the browser so it never travels but once. */
function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Only the timeouts that are set: an empty field means "the built-in default". */
function timeoutsBody(timeouts: Timeouts): Timeouts | undefined {
  const set = Object.fromEntries(Object.entries(timeouts).filter(([, value]) => value !== undefined)) as Timeouts;
  return Object.keys(set).length > 0 ? set : undefined;
}

export function SettingsForm(props: { settings: PublicSettings; onSaved: () => void }) {
  const { hasMetricsToken: _shown, defaultTimeouts, forbidPrivateAddresses, ...others } = props.settings;
  const [timeouts, setTimeouts] = useState<Timeouts>(defaultTimeouts ?? {});
  const [forbidPrivate, setForbidPrivate] = useState(forbidPrivateAddresses ?? false);
  const [newToken, setNewToken] = useState('');
  const [removeToken, setRemoveToken] = useState(false);
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<{ token?: string; removed?: boolean }>();
  const [busy, setBusy] = useState(false);

  const timeoutField = (key: keyof Timeouts, label: string, hint: string) => (
    <NumberField
      label={label}
      step="1"
      min={1}
      value={timeouts[key]}
      onValue={(value) => setTimeouts({ ...timeouts, [key]: value })}
      hint={`${hint} Empty: ${ms(BUILT_IN_TIMEOUTS[key])}, built in.`}
    />
  );

  async function save(event: Event) {
    event.preventDefault();
    setError(undefined);
    setSaved(undefined);
    const token = newToken.trim();
    for (const [key, value] of Object.entries(timeouts)) {
      if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > MAX_TIMEOUT_MS)) {
        return setError(new Error(`${key}: a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`));
      }
    }
    if (!removeToken && token && (token.length < TOKEN_MIN || token.length > TOKEN_MAX)) {
      return setError(new Error(`metrics token: ${TOKEN_MIN} to ${TOKEN_MAX} characters`));
    }
    const body: Record<string, unknown> = { ...others, defaultTimeouts: timeoutsBody(timeouts), forbidPrivateAddresses: forbidPrivate };
    // Absent keeps the stored token; a string replaces it; null removes it.
    if (removeToken) body.metricsToken = null;
    else if (token) body.metricsToken = token;
    setBusy(true);
    try {
      await put('/api/settings', body);
      setSaved({ token: removeToken ? undefined : token || undefined, removed: removeToken });
      setNewToken('');
      setRemoveToken(false);
      props.onSaved();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="form" onSubmit={save}>
      <Card title="Default timeouts">
        <p class="hint">For models that set no timeouts of their own. In milliseconds.</p>
        <div class="form-grid">
          {timeoutField('connectMs', 'Connect timeout (ms)', 'Until the provider’s response headers arrive (streamed calls).')}
          {timeoutField('totalMs', 'Total timeout (ms)', 'The whole exchange, body included.')}
          {timeoutField('idleMs', 'Idle timeout (ms)', 'The longest silence between two chunks of a stream.')}
        </div>
      </Card>
      <Card title="Model addresses">
        <CheckField label="Refuse private and loopback base URLs" checked={forbidPrivate} onChecked={setForbidPrivate} />
        <p class="hint">
          When a model is created or its base URL changes, refuse addresses on loopback, private and link-local networks (127.0.0.0/8, 10/8, 192.168/16, ::1…). Leave it off
          for Ollama and other self-hosted models.
        </p>
      </Card>
      <Card title="Metrics token">
        <p>
          {props.settings.hasMetricsToken ? (
            <span class="badge ok">set</span>
          ) : (
            <span class="badge">not set</span>
          )}{' '}
          A Prometheus scraper sends it to <code>/metrics</code> as <code>Authorization: Bearer &lt;token&gt;</code>. Only its hash is stored: it cannot be shown again.
        </p>
        {!removeToken && (
          <>
            <div class="row settings-token">
              <Field label="New metrics token" autoComplete="off" spellcheck={false} minLength={TOKEN_MIN} maxLength={TOKEN_MAX} value={newToken} onValue={setNewToken} />
              <button type="button" onClick={() => setNewToken(randomToken())}>
                Generate a token
              </button>
              {newToken && <CopyButton text={newToken} />}
            </div>
            <p class="hint">{props.settings.hasMetricsToken ? 'Empty keeps the current token.' : `At least ${TOKEN_MIN} characters. Empty: no token.`}</p>
          </>
        )}
        {props.settings.hasMetricsToken && <CheckField label="Remove the metrics token" checked={removeToken} onChecked={setRemoveToken} />}
        {saved?.token && (
          <p role="status">
            The new metrics token is set: <code class="mono settings-secret">{saved.token}</code> <CopyButton text={saved.token} /> Copy it now: it is not shown again.
          </p>
        )}
      </Card>
      <ErrorNote error={error} />
      {saved && <p role="status">Settings saved.{saved.removed && ' The metrics token is removed.'}</p>}
      <div class="row">
        <button type="submit" class="primary" disabled={busy}>
          Save
        </button>
      </div>
    </form>
  );
}
