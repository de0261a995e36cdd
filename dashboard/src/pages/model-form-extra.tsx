import { useEffect, useRef } from 'preact/hooks';
import { Field, NumberField, useId } from '../ui/components';
import { CAPABILITY_FLAGS, type CapabilityFlag, type FormState } from './model-form-state';
import type { Update } from './model-form';

/** Each capability's label, and what leaving it unset means (src/routing/policies/capability.ts, the provider codecs). */
export const CAPABILITY_TEXT: Record<CapabilityFlag, { label: string; unset: string }> = {
  vision: { label: 'Vision (image input)', unset: 'assumed yes' },
  tools: { label: 'Tools (function calling)', unset: 'assumed yes' },
  json: { label: 'JSON output', unset: 'assumed yes' },
  thinking: { label: 'Thinking (reasoning)', unset: 'guessed from the model name' },
  adaptiveThinking: { label: 'Adaptive thinking (Anthropic, Claude 4.7 and later)', unset: 'no' },
};

/** Prices (USD per million tokens, as Pricing), the context window, the output cap and the provider quota. */
export function PricingFields({ form, update }: { form: FormState; update: Update }) {
  const price = (name: keyof FormState['pricing']) => (value: number | undefined) => update({ pricing: { ...form.pricing, [name]: value } });
  const priced = Object.values(form.pricing).some((value) => value !== undefined);
  return (
    <fieldset>
      <legend>Pricing and limits</legend>
      <div class="form-grid">
        <NumberField label="Input price (USD per 1M tokens)" min={0} required={priced} value={form.pricing.input} onValue={price('input')} />
        <NumberField label="Output price (USD per 1M tokens)" min={0} required={priced} value={form.pricing.output} onValue={price('output')} />
        <NumberField label="Cache read price (USD per 1M tokens)" min={0} value={form.pricing.cachedInput} onValue={price('cachedInput')} hint="Cached input tokens. Empty: they cost the input price." />
        <NumberField label="Cache write price (USD per 1M tokens)" min={0} value={form.pricing.cacheWrite} onValue={price('cacheWrite')} hint="Empty: cache writes cost the input price." />
        <NumberField label="Context window (tokens)" min={1} step="1" value={form.contextWindow} onValue={(contextWindow) => update({ contextWindow })} />
        <NumberField
          label="Max output tokens"
          min={1}
          step="1"
          value={form.maxOutputTokens}
          onValue={(maxOutputTokens) => update({ maxOutputTokens })}
          hint="Budgets reserve this much output for a call that sets no cap of its own."
        />
        <NumberField label="Requests per minute (rpm)" min={1} step="1" value={form.limits.rpm} onValue={(rpm) => update({ limits: { ...form.limits, rpm } })} hint="The provider’s quota for this key." />
        <NumberField label="Tokens per minute (tpm)" min={1} step="1" value={form.limits.tpm} onValue={(tpm) => update({ limits: { ...form.limits, tpm } })} hint="The provider’s quota for this key." />
      </div>
      <p class="hint">Without prices, the model's calls cost $0 in usage and budgets. Input and output prices go together.</p>
    </fieldset>
  );
}

/**
 * A capability as a checkbox that can also be unset (shown as the mixed state): unset differs
 * from "no" (routing keeps an unset model for such calls) and sometimes from "yes" (thinking).
 */
function CapabilityCheck(props: { flag: CapabilityFlag; value: boolean | undefined; onValue: (value: boolean | undefined) => void }) {
  const id = useId();
  const ref = useRef<HTMLInputElement>(null);
  const text = CAPABILITY_TEXT[props.flag];
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = props.value === undefined;
  }, [props.value]);
  return (
    <div class="field check capability">
      <input ref={ref} id={id} type="checkbox" checked={props.value === true} aria-describedby={id + '-state'} onChange={(event) => props.onValue(event.currentTarget.checked)} />
      <label for={id}>{text.label}</label>
      <span class="capability-state">
        <small id={id + '-state'} class="muted">
          {props.value === undefined ? `not set: ${text.unset}` : props.value ? 'yes' : 'no'}
        </small>
        {props.value !== undefined && (
          // The flag's name is hidden text, not aria-label: an aria-label would label the button like the checkbox.
          <button type="button" class="ghost small" onClick={() => props.onValue(undefined)}>
            Unset<span class="visually-hidden"> {text.label}</span>
          </button>
        )}
      </span>
    </div>
  );
}

export function CapabilityFields({ form, update }: { form: FormState; update: Update }) {
  return (
    <fieldset>
      <legend>Capabilities</legend>
      <p class="hint">Routing keeps a model marked "no" away from calls that need it. Not set means routing does not rule the model out.</p>
      <div class="capabilities">
        {CAPABILITY_FLAGS.map((flag) => (
          <CapabilityCheck flag={flag} value={form.capabilities[flag]} onValue={(value) => update({ capabilities: { ...form.capabilities, [flag]: value } })} />
        ))}
      </div>
    </fieldset>
  );
}

export function TimeoutFields({ form, update }: { form: FormState; update: Update }) {
  const set = (name: keyof FormState['timeouts']) => (value: number | undefined) => update({ timeouts: { ...form.timeouts, [name]: value } });
  return (
    <fieldset>
      <legend>Timeouts</legend>
      <div class="form-grid">
        <NumberField label="Connect timeout (ms)" min={1} step="1" value={form.timeouts.connectMs} onValue={set('connectMs')} hint="Until response headers arrive (streamed calls)." />
        <NumberField label="Total timeout (ms)" min={1} step="1" value={form.timeouts.totalMs} onValue={set('totalMs')} hint="The whole exchange, body included." />
        <NumberField label="Idle timeout (ms)" min={1} step="1" value={form.timeouts.idleMs} onValue={set('idleMs')} hint="The longest silence between two chunks of a stream." />
      </div>
      <p class="hint">Empty: the gateway's defaults.</p>
    </fieldset>
  );
}

/** Extra headers sent upstream, as name/value rows. */
export function HeaderFields({ form, update }: { form: FormState; update: Update }) {
  const rows = form.headers;
  const setRow = (index: number, patch: Partial<FormState['headers'][number]>) => update({ headers: rows.map((row, i) => (i === index ? { ...row, ...patch } : row)) });
  return (
    <fieldset>
      <legend>Extra headers</legend>
      <p class="hint">Sent with every call to the provider: for gateways or proxies in front of it.</p>
      {rows.map((row, index) => (
        <div class="row header-row">
          <Field label={`Header ${index + 1} name`} autoComplete="off" spellcheck={false} value={row.name} onValue={(name) => setRow(index, { name })} />
          <Field label={`Header ${index + 1} value`} autoComplete="off" spellcheck={false} value={row.value} onValue={(value) => setRow(index, { value })} />
          <button type="button" class="ghost" aria-label={`Remove header ${index + 1}`} onClick={() => update({ headers: rows.filter((_, i) => i !== index) })}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" onClick={() => update({ headers: [...rows, { name: '', value: '' }] })}>
        Add header
      </button>
    </fieldset>
  );
}
