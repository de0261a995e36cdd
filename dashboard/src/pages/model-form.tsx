import { Field, SelectField, TextArea } from '../ui/components';
import { PRESET_IDS, PRESETS, PROVIDER_IDS, PROVIDERS, providerInfo, type PresetId, type ProviderId } from '../ui/provider-registry';
import type { FormState, PublicModel } from './model-form-state';

export type Update = (patch: Partial<FormState>) => void;

/** Whether the form sends the model's calls somewhere else than the stored model does (models.ts movedFields, roughly). */
function movesCalls(saved: PublicModel, form: FormState): boolean {
  const headers = (entries: [string, string][]) => JSON.stringify(entries.map(([n, v]) => [n.trim().toLowerCase(), v]).sort());
  return (
    saved.provider !== form.provider ||
    (saved.preset ?? '') !== (form.provider === 'custom' ? form.preset : '') ||
    (saved.baseUrl ?? '') !== form.baseUrl.trim() ||
    headers(Object.entries(saved.headers ?? {})) !== headers(form.headers.filter((row) => row.name.trim()).map((row) => [row.name, row.value]))
  );
}

/**
 * Who serves the model and how it is reached: id, provider, preset, base URL, key, upstream
 * model, description. What applies follows the provider: a preset only for custom models, a
 * required base URL only where the provider (or preset) has no default.
 */
export function ConnectionFields(props: {
  form: FormState;
  update: Update;
  saved: PublicModel | undefined;
  onFindInCatalog: () => void;
  onRemoveKey: () => void;
  removingKey: boolean;
}) {
  const { form, update, saved } = props;
  const info = providerInfo(form.provider, form.preset);
  const baseUrlHint = info.defaultBaseUrl ? `Leave empty for the default, ${info.defaultBaseUrl}.` : 'Required: this provider has no default base URL.';
  const keyState = !saved ? undefined : saved.hasApiKey ? 'A key is stored. Leave this empty to keep it; type a new one to replace it.' : 'No key is stored.';
  const moved = saved?.hasApiKey === true && form.apiKey === '' && movesCalls(saved, form);

  return (
    <fieldset>
      <legend>Model</legend>
      <div class="form-grid">
        {!saved && (
          <Field
            label="ID"
            required
            maxLength={128}
            autoComplete="off"
            spellcheck={false}
            value={form.id}
            onValue={(id) => update({ id })}
            hint="The name clients and projects use. Letters, digits and . _ : @ / -, starting with a letter or digit."
          />
        )}
        <SelectField
          label="Provider"
          value={form.provider}
          options={PROVIDER_IDS.map((id) => ({ value: id, label: PROVIDERS[id].label }))}
          // A preset belongs to custom models only (the API refuses it elsewhere).
          onValue={(provider) => update({ provider: provider as ProviderId, ...(provider === 'custom' ? {} : { preset: '' }) })}
        />
        {form.provider === 'custom' && (
          <SelectField
            label="Preset"
            value={form.preset}
            options={[{ value: '', label: 'None: any OpenAI-compatible server' }, ...PRESET_IDS.map((id) => ({ value: id, label: PRESETS[id].label }))]}
            onValue={(preset) => update({ preset: preset as PresetId | '' })}
            hint="A known service: its base URL and key header come with it."
          />
        )}
        <Field
          label="Base URL"
          type="url"
          inputMode="url"
          autoComplete="off"
          spellcheck={false}
          required={!info.defaultBaseUrl}
          placeholder={info.defaultBaseUrl ?? 'https://…'}
          value={form.baseUrl}
          onValue={(baseUrl) => update({ baseUrl })}
          hint={[baseUrlHint, info.baseUrlHint].filter(Boolean).join(' ')}
        />
        <div class="field-group">
          <Field
            label="API key"
            type="password"
            autoComplete="off"
            spellcheck={false}
            value={form.apiKey}
            onValue={(apiKey) => update({ apiKey })}
            hint={[keyState, info.keyHint, moved ? 'You changed where its calls go: type the key again, or the save is refused (admins excepted).' : undefined].filter(Boolean).join(' ')}
          />
          {saved?.hasApiKey && (
            <button type="button" class="danger" onClick={props.onRemoveKey} disabled={props.removingKey}>
              Remove key
            </button>
          )}
        </div>
        <div class="field-group">
          <Field
            label="Upstream model"
            autoComplete="off"
            spellcheck={false}
            maxLength={256}
            placeholder={form.id || undefined}
            value={form.upstreamModel}
            onValue={(upstreamModel) => update({ upstreamModel })}
            hint="The name the provider knows the model by. Empty: the ID."
          />
          <button type="button" onClick={props.onFindInCatalog}>
            Find in catalog
          </button>
        </div>
      </div>
      <TextArea
        label="Description"
        rows={2}
        value={form.description}
        onValue={(description) => update({ description })}
        hint="What the model is good at, in a sentence or two: the llm routing policy shows it to its judge."
      />
    </fieldset>
  );
}
