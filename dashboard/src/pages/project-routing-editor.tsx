import { CheckField, Field, NumberField, Table, useId } from '../ui/components';
import { effectiveWeight, POLICY_HELP, PolicyOptions, policyFacts, type PolicyRow } from './project-policy';
import { IMPLICIT_POLICIES, POLICY_TYPES, type Policy, type Routing } from './project-shapes';

/**
 * A project's (or an alias's) routing as a form (src/config/routing.ts): every policy type as a
 * row to switch on or off, weigh, order and configure, then fallback, retries and the deadline.
 */

export interface RoutingDraft {
  rows: PolicyRow[];
  fallbackEnabled: boolean;
  fromNamedModel: boolean;
  /** Statuses as typed, comma-separated: checked when the routing is built. */
  onStatus: string;
  maxAttempts: number | undefined;
  retries: number | undefined;
  backoffMs: number | undefined;
  deadlineMs: number | undefined;
}

/**
 * The draft of `routing`: the listed policies first, in their order, then every other type as
 * the gateway treats it unlisted (built-in filters on with weight 0, the rest off).
 */
export function toDraft(routing: Routing | undefined): RoutingDraft {
  const listed = routing?.policies ?? [];
  const rows: PolicyRow[] = listed.map((policy) => ({ policy: { ...policy }, enabled: policy.enabled !== false, listed: true }));
  for (const type of POLICY_TYPES) {
    if (!listed.some((p) => p.type === type)) rows.push({ policy: { type }, enabled: IMPLICIT_POLICIES.has(type), listed: false });
  }
  return {
    rows,
    fallbackEnabled: routing?.fallback?.enabled ?? true,
    fromNamedModel: routing?.fallback?.fromNamedModel ?? true,
    onStatus: (routing?.fallback?.onStatus ?? []).join(', '),
    maxAttempts: routing?.fallback?.maxAttempts,
    retries: routing?.retries?.max,
    backoffMs: routing?.retries?.backoffMs,
    deadlineMs: routing?.deadlineMs,
  };
}

/** The routing a draft stands for; throws an Error that names the field when one cannot be sent. */
export function fromDraft(draft: RoutingDraft): Routing {
  const policies: Policy[] = [];
  for (const row of draft.rows) {
    if (!row.listed) continue;
    const { enabled: _enabled, ...policy } = row.policy;
    if (policy.type === 'llm' && !policy.model) {
      // A switched-off judge without a model is not worth keeping; a switched-on one cannot run.
      if (!row.enabled) continue;
      throw new Error('llm policy: choose its judge model');
    }
    policies.push(row.enabled ? policy : { ...policy, enabled: false });
  }
  const routing: Routing = {};
  if (policies.length) routing.policies = policies;

  const statuses = draft.onStatus
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((text) => {
      const status = Number(text);
      if (!Number.isInteger(status) || status < 100 || status > 599) throw new Error(`fallback statuses: "${text}" is not an HTTP status (100–599)`);
      return status;
    });
  const fallback: NonNullable<Routing['fallback']> = {};
  if (!draft.fallbackEnabled) fallback.enabled = false;
  if (!draft.fromNamedModel) fallback.fromNamedModel = false;
  if (statuses.length) fallback.onStatus = [...new Set(statuses)];
  if (draft.maxAttempts !== undefined) fallback.maxAttempts = draft.maxAttempts;
  if (Object.keys(fallback).length) routing.fallback = fallback;

  if (draft.retries !== undefined || draft.backoffMs !== undefined) {
    routing.retries = { max: draft.retries ?? 0, ...(draft.backoffMs !== undefined ? { backoffMs: draft.backoffMs } : {}) };
  }
  if (draft.deadlineMs !== undefined) routing.deadlineMs = draft.deadlineMs;
  return routing;
}

/**
 * A row the user touched becomes listed (written to the project). A built-in filter listed
 * this way keeps the weight 0 it ran with, so switching it off and on again changes nothing.
 */
function listedRow(row: PolicyRow): PolicyRow {
  if (row.listed) return row;
  const keepFilterOnly = IMPLICIT_POLICIES.has(row.policy.type) && row.policy.weight === undefined;
  return { ...row, listed: true, policy: keepFilterOnly ? { ...row.policy, weight: 0 } : row.policy };
}

export function RoutingEditor(props: {
  draft: RoutingDraft;
  onChange: (draft: RoutingDraft) => void;
  readOnly: boolean;
  /** Models the judge may be: every registered one the caller can see. */
  judgeModels: string[];
  /** The models being routed among (the pool, or an alias's), for fairness shares. */
  poolModels: string[];
}) {
  const { draft, readOnly } = props;
  const set = (change: Partial<RoutingDraft>) => props.onChange({ ...draft, ...change });
  const setRow = (index: number, change: Partial<PolicyRow>) => set({ rows: draft.rows.map((row, i) => (i === index ? listedRow({ ...row, ...change }) : row)) });
  const move = (index: number, by: -1 | 1) => {
    const rows = [...draft.rows];
    const other = index + by;
    if (other < 0 || other >= rows.length) return;
    [rows[index], rows[other]] = [listedRow(rows[other]!), listedRow(rows[index]!)];
    set({ rows });
  };

  if (readOnly) return <RoutingSummary draft={draft} />;
  return (
    <div class="routing-editor">
      <h3>Policies</h3>
      <p class="hint">
        Filters exclude models that cannot take a request; scorers rank the rest by the weighted mean of their scores (weight 0: filter only). Ties keep pool order. Capability, context,
        rate-limit, health and budget-remaining filter even when not listed.
      </p>
      <ol class="policy-list">
        {draft.rows.map((row, index) => (
          <PolicyRowView
            key={row.policy.type}
            row={row}
            first={index === 0}
            last={index === draft.rows.length - 1}
            onRow={(change) => setRow(index, change)}
            onMove={(by) => move(index, by)}
            judgeModels={props.judgeModels}
            poolModels={props.poolModels}
          />
        ))}
      </ol>
      <div class="grid">
        <fieldset>
          <legend>Fallback</legend>
          <CheckField label="Fall back to the next model when a call fails" checked={draft.fallbackEnabled} onChecked={(fallbackEnabled) => set({ fallbackEnabled })} />
          <CheckField label="Fall back also when the client named a pool model" checked={draft.fromNamedModel} onChecked={(fromNamedModel) => set({ fromNamedModel })} />
          <Field
            label="Statuses that fall back"
            value={draft.onStatus}
            onValue={(onStatus) => set({ onStatus })}
            placeholder="401, 403, 408, 409, 429, 5xx"
            hint="Comma-separated. Empty: 401, 403, 408, 409, 429 and every 5xx."
          />
          <NumberField label="Most models tried" min={1} step="1" value={draft.maxAttempts} onValue={(maxAttempts) => set({ maxAttempts })} hint="Empty: every candidate." />
        </fieldset>
        <fieldset>
          <legend>Retries and deadline</legend>
          <NumberField label="Retries on the same model" min={0} step="1" value={draft.retries} onValue={(retries) => set({ retries })} hint="0 to 5, before moving on; default 0." />
          <NumberField label="First backoff, ms" min={0} step="1" value={draft.backoffMs} onValue={(backoffMs) => set({ backoffMs })} hint="Doubles each retry, ±50% jitter; default 250." />
          <NumberField label="Deadline for the whole call, ms" min={1} step="1" value={draft.deadlineMs} onValue={(deadlineMs) => set({ deadlineMs })} hint="Across every attempt and backoff. Empty: none." />
        </fieldset>
      </div>
    </div>
  );
}

function PolicyRowView(props: {
  row: PolicyRow;
  first: boolean;
  last: boolean;
  onRow: (change: Partial<PolicyRow>) => void;
  onMove: (by: -1 | 1) => void;
  judgeModels: string[];
  poolModels: string[];
}) {
  const { row } = props;
  const type = row.policy.type;
  const id = useId('policy');
  const implicit = IMPLICIT_POLICIES.has(type);
  return (
    <li class={row.enabled ? 'policy-row' : 'policy-row off'}>
      <fieldset>
        <legend class="policy-legend">
          <input id={id} type="checkbox" checked={row.enabled} onChange={(event) => props.onRow({ enabled: event.currentTarget.checked })} />
          <label for={id}>{type}</label>
        </legend>
        <div class="policy-head">
          <p class="hint">
            {POLICY_HELP[type]}
            {!row.listed && implicit && ' Built in: on as a filter unless switched off.'}
          </p>
          <div class="row policy-move">
            <button type="button" aria-label={`Move ${type} up`} disabled={props.first} onClick={() => props.onMove(-1)}>
              Up
            </button>
            <button type="button" aria-label={`Move ${type} down`} disabled={props.last} onClick={() => props.onMove(1)}>
              Down
            </button>
          </div>
        </div>
        {row.enabled && (
          <div class="form-grid">
            <NumberField
              label="Weight"
              min={0}
              value={row.policy.weight}
              onValue={(weight) => props.onRow({ policy: { ...row.policy, weight } })}
              hint={`0 to 100; 0 only filters. Now ${effectiveWeight(row)}.`}
            />
          </div>
        )}
        {row.enabled && <PolicyOptions row={row} onChange={(policy) => props.onRow({ policy })} judgeModels={props.judgeModels} poolModels={props.poolModels} />}
      </fieldset>
    </li>
  );
}

/** Routing as read by a viewer: the policies that run, in order, and the fallback rules. */
function RoutingSummary({ draft }: { draft: RoutingDraft }) {
  const running = draft.rows.filter((row) => row.enabled);
  const fallback = draft.fallbackEnabled
    ? [
        draft.fromNamedModel ? 'also from a model the client named' : 'not from a model the client named',
        draft.onStatus ? `on statuses ${draft.onStatus}` : 'on 401, 403, 408, 409, 429 and 5xx',
        draft.maxAttempts !== undefined ? `at most ${draft.maxAttempts} models` : 'through every candidate',
      ].join(', ')
    : 'off: one candidate is tried';
  return (
    <>
      <Table
        caption="Policies that run"
        rows={running}
        empty="No policy runs: calls go to the pool in order."
        columns={[
          { label: 'Policy', cell: (row) => <span class="mono">{row.policy.type}</span> },
          { label: 'Weight', cell: (row) => effectiveWeight(row), numeric: true },
          { label: 'Options', cell: (row) => policyFacts(row.policy) || <span class="muted">defaults</span> },
          { label: 'What it does', cell: (row) => <span class="hint">{POLICY_HELP[row.policy.type]}</span> },
        ]}
      />
      <dl class="facts">
        <dt>Fallback</dt>
        <dd>{fallback}</dd>
        <dt>Retries</dt>
        <dd>
          {draft.retries ?? 0} on the same model{draft.backoffMs !== undefined ? `, first backoff ${draft.backoffMs} ms` : ''}
        </dd>
        <dt>Deadline</dt>
        <dd>{draft.deadlineMs !== undefined ? `${draft.deadlineMs} ms for the whole call` : 'none'}</dd>
      </dl>
    </>
  );
}
