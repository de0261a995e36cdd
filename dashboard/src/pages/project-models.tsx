import { useState } from 'preact/hooks';
import { Card, CheckField, Dialog, ErrorNote, Field, SelectField, Table } from '../ui/components';
import { AliasDialog, type AliasEdit } from './project-aliases';
import { SaveFooter, useDraft, useSaving, type Alias, type Project, type TabProps } from './project-shapes';

interface SettingsDraft {
  name: string;
  unknownModel: 'route' | 'reject';
  rejectUnsupportedParams: boolean;
  models: string[];
}

const settingsOf = (p: Project): SettingsDraft => ({
  name: p.name,
  unknownModel: p.unknownModel ?? 'route',
  rejectUnsupportedParams: p.rejectUnsupportedParams ?? false,
  models: p.models,
});

/**
 * The project's name and request handling (editors), its model pool (owners) and its aliases
 * (editors). Viewers see all of it with nothing to press.
 */
export function ModelsTab({ project, save, mayEdit, mayOwn, models }: TabProps) {
  const [draft, setDraft] = useDraft(project, settingsOf);
  const saving = useSaving();
  const set = (change: Partial<SettingsDraft>) => setDraft({ ...draft, ...change });
  const registered = models?.map((m) => m.id);
  const providerOf = (id: string) => models?.find((m) => m.id === id)?.provider;

  async function submit(event: Event) {
    event.preventDefault();
    await saving.run(() =>
      save({
        name: draft.name,
        unknownModel: draft.unknownModel,
        rejectUnsupportedParams: draft.rejectUnsupportedParams,
        // The pool is the owner's to change; an editor's save leaves it out.
        ...(mayOwn ? { models: draft.models } : {}),
      }),
    );
  }

  return (
    <>
      <form class="form" onSubmit={submit}>
        <Card title="Project">
          {mayEdit ? (
            <div class="form">
              <Field label="Project name" required maxLength={200} value={draft.name} onValue={(name) => set({ name })} autoComplete="off" />
              <SelectField
                label="A model name the project does not know"
                value={draft.unknownModel}
                onValue={(value) => set({ unknownModel: value === 'reject' ? 'reject' : 'route' })}
                options={[
                  { value: 'route', label: 'Route it like auto, with a warning' },
                  { value: 'reject', label: 'Reject it (404)' },
                ]}
                hint="For apps that hard-code a model name: routing it keeps them working."
              />
              <CheckField
                label="Reject parameters the serving provider cannot honour (else drop them with a warning)"
                checked={draft.rejectUnsupportedParams}
                onChecked={(rejectUnsupportedParams) => set({ rejectUnsupportedParams })}
              />
            </div>
          ) : (
            <dl class="facts">
              <dt>Unknown model names</dt>
              <dd>{project.unknownModel === 'reject' ? 'rejected (404)' : 'routed like auto, with a warning'}</dd>
              <dt>Unsupported parameters</dt>
              <dd>{project.rejectUnsupportedParams ? 'rejected (400)' : 'dropped, with a warning'}</dd>
            </dl>
          )}
        </Card>
        <Card title="Model pool">
          <p class="hint">The models auto routes across, and the names clients may call directly.{!mayOwn && ' Only an owner of the project changes the pool.'}</p>
          {mayOwn && registered ? (
            <PoolChoices chosen={draft.models} registered={registered} providerOf={providerOf} onChange={(models) => set({ models })} />
          ) : (
            <PoolList pool={draft.models} providerOf={providerOf} onRemove={mayOwn ? (id) => set({ models: draft.models.filter((m) => m !== id) }) : undefined} />
          )}
          {mayOwn && !registered && <p class="hint">Your role cannot list the registered models: you can remove models here, not add them.</p>}
        </Card>
        <SaveFooter saving={saving} maySave={mayEdit} />
      </form>
      <AliasesCard project={project} save={save} mayEdit={mayEdit} choices={registered ?? [...project.models]} />
    </>
  );
}

function PoolChoices(props: { chosen: string[]; registered: string[]; providerOf: (id: string) => string | undefined; onChange: (models: string[]) => void }) {
  // A pool model missing from the registry cannot happen through the API, but would still show.
  const ids = [...new Set([...props.registered, ...props.chosen])];
  if (ids.length === 0) return <p class="empty">No models are registered yet: add one under Models first.</p>;
  return (
    <fieldset>
      <legend>Models in the pool</legend>
      <div class="check-grid">
        {ids.map((id) => (
          <CheckField label={id} checked={props.chosen.includes(id)} onChecked={(checked) => props.onChange(checked ? [...props.chosen, id] : props.chosen.filter((m) => m !== id))} />
        ))}
      </div>
    </fieldset>
  );
}

function PoolList(props: { pool: string[]; providerOf: (id: string) => string | undefined; onRemove: ((id: string) => void) | undefined }) {
  return (
    <Table
      rows={props.pool}
      empty="The pool is empty: calls have no model to go to."
      columns={[
        { label: 'Model', cell: (id) => <span class="mono">{id}</span> },
        { label: 'Provider', cell: (id) => props.providerOf(id) ?? '' },
        ...(props.onRemove
          ? [
              {
                label: 'Actions',
                cell: (id: string) => (
                  <button type="button" aria-label={`Remove ${id} from the pool`} onClick={() => props.onRemove!(id)}>
                    Remove
                  </button>
                ),
              },
            ]
          : []),
      ]}
    />
  );
}

/** Aliases: names clients send as `model`, each routed among its own models. Each change is saved at once. */
function AliasesCard(props: { project: Project; save: TabProps['save']; mayEdit: boolean; choices: string[] }) {
  const { project } = props;
  const aliases = project.aliases ?? {};
  const names = Object.keys(aliases);
  const [editing, setEditing] = useState<AliasEdit>();
  const [removing, setRemoving] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState('');

  async function saveAlias(edit: AliasEdit) {
    // Rebuilt in the same order, a renamed alias keeping its place.
    const next: Record<string, Alias> = {};
    for (const name of names) {
      if (name === edit.original) next[edit.name] = edit.alias;
      else next[name] = aliases[name]!;
    }
    if (edit.original === undefined) next[edit.name] = edit.alias;
    await props.save({ aliases: next });
    setEditing(undefined);
    setDone(`Alias ${edit.name} saved.`);
  }

  async function remove(name: string) {
    setError(undefined);
    try {
      const next = { ...aliases };
      delete next[name];
      await props.save({ aliases: next });
      setRemoving(undefined);
      setDone(`Alias ${name} removed.`);
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <Card title="Aliases">
      <p class="hint">Names a client may send as model, each routed among its own models (with the project's routing, or its own).</p>
      <Table
        rows={names}
        empty="No aliases."
        columns={[
          { label: 'Alias', cell: (name) => <span class="mono">{name}</span> },
          { label: 'Models', cell: (name) => aliases[name]!.models.join(', ') },
          { label: 'Routing', cell: (name) => (aliases[name]!.routing ? 'its own' : "the project's") },
          ...(props.mayEdit
            ? [
                {
                  label: 'Actions',
                  cell: (name: string) => (
                    <div class="row">
                      <button type="button" aria-label={`Edit alias ${name}`} onClick={() => setEditing({ original: name, name, alias: aliases[name]! })}>
                        Edit
                      </button>
                      <button type="button" class="danger" aria-label={`Remove alias ${name}`} onClick={() => setRemoving(name)}>
                        Remove
                      </button>
                    </div>
                  ),
                },
              ]
            : []),
        ]}
      />
      <p role="status" class="save-status">
        {done}
      </p>
      {props.mayEdit && (
        <div class="row">
          <button type="button" onClick={() => setEditing({ original: undefined, name: '', alias: { models: [] } })}>
            Add alias
          </button>
        </div>
      )}
      <AliasDialog edit={editing} choices={props.choices} pool={project.models} taken={names} onSave={saveAlias} onClose={() => setEditing(undefined)} />
      <Dialog title={`Remove alias ${removing ?? ''}?`} open={removing !== undefined} onClose={() => setRemoving(undefined)}>
        <div class="form">
          <p>Clients that send it as model will then be routed like any unknown name, or refused if the project rejects those.</p>
          <ErrorNote error={error} />
          <div class="row">
            <button type="button" class="danger" onClick={() => void remove(removing!)}>
              Remove alias
            </button>
            <button type="button" onClick={() => setRemoving(undefined)}>
              Cancel
            </button>
          </div>
        </div>
      </Dialog>
    </Card>
  );
}
