import { useState } from 'preact/hooks';
import { CheckField, Dialog, ErrorNote, Field } from '../ui/components';
import { fromDraft, RoutingEditor, toDraft, type RoutingDraft } from './project-routing-editor';
import type { Alias } from './project-shapes';

/** What src/config/routing.ts allows as an alias name (a model id), `auto` being the gateway's own. */
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._:@/-]*$/;

export interface AliasEdit {
  /** The alias's name before the edit; undefined for a new alias. */
  original: string | undefined;
  name: string;
  alias: Alias;
}

/** One alias in a dialog: its name, its models, and optionally routing of its own; saved at once. */
export function AliasDialog(props: {
  edit: AliasEdit | undefined;
  /** Models an alias may name: every registered one the caller can see. */
  choices: string[];
  pool: string[];
  taken: string[];
  onSave: (edit: AliasEdit) => Promise<void>;
  onClose: () => void;
}) {
  return (
    <Dialog title={props.edit?.original ? `Alias ${props.edit.original}` : 'New alias'} open={props.edit !== undefined} onClose={props.onClose}>
      {props.edit && <AliasForm {...props} edit={props.edit} />}
    </Dialog>
  );
}

function AliasForm(props: { edit: AliasEdit; choices: string[]; pool: string[]; taken: string[]; onSave: (edit: AliasEdit) => Promise<void>; onClose: () => void }) {
  const [name, setName] = useState(props.edit.name);
  const [models, setModels] = useState(props.edit.alias.models);
  const [ownRouting, setOwnRouting] = useState(props.edit.alias.routing !== undefined);
  const [routing, setRouting] = useState<RoutingDraft>(() => toDraft(props.edit.alias.routing));
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const choices = [...new Set([...props.choices, ...models])];

  async function save(event: Event) {
    event.preventDefault();
    const trimmed = name.trim();
    try {
      if (!IDENTIFIER.test(trimmed) || trimmed.length > 128) throw new Error('Alias name: letters, digits and . _ : @ / - only, starting with a letter or digit');
      if (trimmed === 'auto') throw new Error('Alias name: "auto" is reserved');
      if (props.pool.includes(trimmed)) throw new Error(`Alias name: "${trimmed}" is a pool model, which the alias would hide`);
      if (trimmed !== props.edit.original && props.taken.includes(trimmed)) throw new Error(`Alias name: "${trimmed}" is already an alias`);
      if (models.length === 0) throw new Error('Choose at least one model for the alias');
      const alias: Alias = { models, ...(ownRouting ? { routing: fromDraft(routing) } : {}) };
      setBusy(true);
      await props.onSave({ original: props.edit.original, name: trimmed, alias });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="form" onSubmit={save}>
      <Field label="Alias name" required value={name} onValue={setName} autoComplete="off" hint="What clients send as model, e.g. fast or smart." />
      <fieldset>
        <legend>Models of the alias</legend>
        <p class="hint">Any registered model, in the pool or not. Ties keep the order they were picked in.</p>
        <div class="check-grid">
          {choices.map((id) => (
            <CheckField label={id} checked={models.includes(id)} onChecked={(checked) => setModels(checked ? [...models, id] : models.filter((m) => m !== id))} />
          ))}
        </div>
      </fieldset>
      <CheckField label="Routing of its own (else the project's)" checked={ownRouting} onChecked={setOwnRouting} />
      {ownRouting && <RoutingEditor draft={routing} onChange={setRouting} readOnly={false} judgeModels={props.choices} poolModels={models} />}
      <ErrorNote error={error} />
      <div class="row">
        <button type="submit" class="primary" disabled={busy}>
          Save alias
        </button>
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
