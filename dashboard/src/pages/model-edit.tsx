import { useState } from 'preact/hooks';
import { ApiError, del, get, post, put } from '../api';
import { navigate } from '../router';
import { useCan } from '../session';
import { Dialog, ErrorNote, Link, Page, useApi } from '../ui/components';
import { CatalogDialog } from './model-catalog';
import { ConnectionFields } from './model-form';
import { CapabilityFields, HeaderFields, PricingFields, TimeoutFields } from './model-form-extra';
import {
  emptyForm,
  fieldsPutCannotClear,
  formFromModel,
  inputFromForm,
  modelApiPath,
  modelPagePath,
  proposeId,
  updateFromForm,
  type CatalogModel,
  type FormState,
  type PublicModel,
  type TestResult,
} from './model-form-state';
import { ModelHealthCard } from './model-health';
import { TestOutcome } from './model-test';
import { ModelFacts } from './model-view';
import './models.css';

/** The model just added: its page mounts anew after the navigation, and says so once. */
let justAdded: string | undefined;

/**
 * /models/new and /models/:id. With models:write, a form that knows each provider; without it,
 * the model as read-only facts.
 */
export function ModelEditPage({ id }: { id?: string }) {
  const { can } = useCan();
  const writable = can('models:write');
  const model = useApi((signal) => (id === undefined ? Promise.resolve(undefined) : get<PublicModel>(modelApiPath(id), undefined, signal)), [id]);

  // While another model's page is still showing its data, wait for this one's.
  if (id !== undefined && model.data?.id !== id) {
    return (
      <Page title={id}>
        {model.error ? <ErrorNote error={model.error} /> : <p aria-busy="true">Loading…</p>}
        <p>
          <Link to="/models">Back to models</Link>
        </p>
      </Page>
    );
  }
  if (!writable) {
    return (
      <Page title={model.data!.id}>
        <ModelFacts model={model.data!} />
        <ModelHealthCard id={model.data!.id} />
      </Page>
    );
  }
  // /models/new reuses this component after a model's page: its data may still be that model's.
  const stored = id === undefined ? undefined : model.data;
  return <ModelForm key={stored?.id ?? 'new'} stored={stored} />;
}

/** Details of a 400 from the API: `{path, message}` per problem (management/validate.ts). */
function validationProblems(error: unknown): { path: string; message: string }[] {
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return [];
  return (error.details as unknown[]).filter((d): d is { path: string; message: string } => typeof d === 'object' && d !== null && 'message' in d);
}

const PATH_LABELS: Record<string, string> = {
  id: 'ID',
  provider: 'Provider',
  preset: 'Preset',
  baseUrl: 'Base URL',
  apiKey: 'API key',
  upstreamModel: 'Upstream model',
  'pricing.input': 'Input price',
  'pricing.output': 'Output price',
  'pricing.cachedInput': 'Cache read price',
  'pricing.cacheWrite': 'Cache write price',
  contextWindow: 'Context window',
  maxOutputTokens: 'Max output tokens',
  'timeouts.connectMs': 'Connect timeout',
  'timeouts.totalMs': 'Total timeout',
  'timeouts.idleMs': 'Idle timeout',
  'limits.rpm': 'Requests per minute',
  'limits.tpm': 'Tokens per minute',
  description: 'Description',
};
const labelOf = (path: string) => PATH_LABELS[path] ?? (path.startsWith('headers') ? 'Extra headers' : path.startsWith('capabilities') ? 'Capabilities' : path || 'Model');

function ModelForm(props: { stored: PublicModel | undefined }) {
  // The model as the API last answered it: what the form compares with and starts from.
  const [saved, setSaved] = useState(props.stored);
  const [form, setForm] = useState<FormState>(() => (saved ? formFromModel(saved) : emptyForm()));
  const update = (patch: Partial<FormState>) => setForm((current) => ({ ...current, ...patch }));
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>();
  const [notice, setNotice] = useState<string | undefined>(() => {
    const added = saved !== undefined && justAdded === saved.id;
    justAdded = undefined;
    return added ? 'Model added.' : undefined;
  });
  const [catalogOpen, setCatalogOpen] = useState(false);
  const [idProposed, setIdProposed] = useState(false);
  const [testing, setTesting] = useState<{ running: boolean; result?: TestResult; error?: unknown }>({ running: false });
  const [removingKey, setRemovingKey] = useState(false);
  const [deleteOpen, setDeleteOpen] = useState(false);
  const [deleteError, setDeleteError] = useState<unknown>();
  // Ids already taken, so that the id proposed from a catalog entry is free.
  const existing = useApi((signal) => (saved ? Promise.resolve(undefined) : get<{ models: PublicModel[] }>('/api/models', undefined, signal)), []);

  const dirty = saved !== undefined && (form.apiKey !== '' || JSON.stringify(updateFromForm(saved, form)) !== JSON.stringify(updateFromForm(saved, formFromModel(saved))));

  async function save(event: Event) {
    event.preventDefault();
    setNotice(undefined);
    setSaveError(undefined);
    if (saved) {
      const stuck = fieldsPutCannotClear(saved, form);
      if (stuck.length > 0) {
        setSaveError(new Error(`${stuck.join(', ')}: a saved value cannot be emptied (the API keeps a field that is left out). Put a value back, or delete the model and add it again.`));
        return;
      }
    }
    setSaving(true);
    try {
      if (saved) {
        const updated = await put<PublicModel>(modelApiPath(saved.id), updateFromForm(saved, form));
        setSaved(updated);
        setForm(formFromModel(updated));
        setNotice('Saved.');
      } else {
        const created = await post<PublicModel>('/api/models', inputFromForm(form));
        justAdded = created.id;
        navigate(modelPagePath(created.id), { replace: true });
      }
    } catch (error) {
      setSaveError(error);
    } finally {
      setSaving(false);
    }
  }

  async function test() {
    setTesting({ running: true });
    try {
      // A stored model the form has not changed is tested as stored; otherwise the form's values are.
      const result =
        saved && !dirty
          ? await post<TestResult>(modelApiPath(saved.id) + '/test')
          : await post<TestResult>('/api/models/test', { ...inputFromForm(form), id: form.id.trim() || 'unsaved-model' });
      setTesting({ running: false, result });
    } catch (error) {
      setTesting({ running: false, error });
    }
  }

  async function removeKey() {
    if (!saved) return;
    setRemovingKey(true);
    setNotice(undefined);
    setSaveError(undefined);
    try {
      // Only the key changes: the form keeps any edits not yet saved.
      setSaved(await put<PublicModel>(modelApiPath(saved.id), { apiKey: null }));
      setNotice('Key removed.');
    } catch (error) {
      setSaveError(error);
    } finally {
      setRemovingKey(false);
    }
  }

  async function remove() {
    if (!saved) return;
    setDeleteError(undefined);
    try {
      await del(modelApiPath(saved.id));
      navigate('/models');
    } catch (error) {
      // 409 while a project's pool, alias or judge uses the model: the API says which.
      setDeleteError(error);
    }
  }

  function choose(entry: CatalogModel) {
    const taken = new Set((existing.data?.models ?? []).map((m) => m.id));
    const proposeNewId = !saved && (form.id.trim() === '' || idProposed);
    update({
      provider: entry.provider,
      ...(entry.provider === 'custom' ? { preset: entry.preset ?? form.preset } : { preset: '' }),
      upstreamModel: entry.upstreamModel,
      ...(entry.pricing ? { pricing: { ...entry.pricing } } : {}),
      ...(entry.contextWindow ? { contextWindow: entry.contextWindow } : {}),
      ...(entry.maxOutputTokens ? { maxOutputTokens: entry.maxOutputTokens } : {}),
      ...(entry.capabilities ? { capabilities: { ...form.capabilities, ...entry.capabilities } } : {}),
      ...(proposeNewId ? { id: proposeId(entry.upstreamModel, taken) } : {}),
    });
    if (proposeNewId) setIdProposed(true);
    setCatalogOpen(false);
    setNotice(`Filled from the catalog: ${entry.name}. Check the values, then save.`);
  }

  const problems = validationProblems(saveError);
  return (
    <Page
      title={saved ? saved.id : 'New model'}
      actions={
        <Link to="/models" class="back-link">
          Back to models
        </Link>
      }
    >
      <form class="form model-form" onSubmit={save}>
        <ConnectionFields
          form={form}
          update={(patch) => {
            if ('id' in patch) setIdProposed(false);
            update(patch);
          }}
          saved={saved}
          onFindInCatalog={() => setCatalogOpen(true)}
          onRemoveKey={() => void removeKey()}
          removingKey={removingKey}
        />
        <PricingFields form={form} update={update} />
        <CapabilityFields form={form} update={update} />
        <TimeoutFields form={form} update={update} />
        <HeaderFields form={form} update={update} />
        {problems.length > 1 ? (
          <div class="error" role="alert">
            <p>The model was not saved:</p>
            <ul>
              {problems.map((problem) => (
                <li>
                  <strong>{labelOf(problem.path)}</strong>: {problem.message}
                </li>
              ))}
            </ul>
          </div>
        ) : (
          <ErrorNote error={saveError} />
        )}
        {notice && <p role="status">{notice}</p>}
        <div class="row form-actions">
          <button type="submit" class="primary" disabled={saving}>
            {saving ? 'Saving…' : 'Save'}
          </button>
          <button type="button" onClick={() => void test()} disabled={testing.running}>
            Test
          </button>
          {saved && (
            <button type="button" class="danger" onClick={() => setDeleteOpen(true)}>
              Delete
            </button>
          )}
          {saved && dirty && <span class="muted">Unsaved changes. Test uses the form's values.</span>}
        </div>
        <TestOutcome running={testing.running} result={testing.result} error={testing.error} />
      </form>
      {saved && <ModelHealthCard id={saved.id} />}
      <CatalogDialog open={catalogOpen} onClose={() => setCatalogOpen(false)} provider={form.provider} preset={form.preset} initialQuery={form.upstreamModel} onChoose={choose} />
      {saved && (
        <Dialog
          title={`Delete ${saved.id}?`}
          open={deleteOpen}
          onClose={() => {
            setDeleteOpen(false);
            setDeleteError(undefined);
          }}
        >
          <div class="form">
            <p>The model and its stored key are removed. A project that still uses it must drop it first.</p>
            <ErrorNote error={deleteError} />
            <div class="row">
              <button type="button" class="danger" onClick={() => void remove()}>
                Delete model
              </button>
              <button type="button" onClick={() => setDeleteOpen(false)}>
                Cancel
              </button>
            </div>
          </div>
        </Dialog>
      )}
    </Page>
  );
}
