import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ErrorNote } from '../ui/components';

/**
 * What the users and roles sections share: a heading with its one "create" button, the dialog
 * of the action in progress with the notice it leaves, and a form's write with its error.
 */

/** The section's heading; its button only for a user who may write. */
export function SectionHead(props: { title: string; action: string; writable: boolean; onAction: () => void }) {
  return (
    <div class="row users-head">
      <h2>{props.title}</h2>
      {props.writable && (
        <button type="button" class="primary" onClick={props.onAction}>
          {props.action}
        </button>
      )}
    </div>
  );
}

/** The action whose dialog is open (undefined: none), and the notice the last one left. */
export function useSectionAction<Action>() {
  const [action, setAction] = useState<Action>();
  const [notice, setNotice] = useState('');
  const close = () => setAction(undefined);
  // A fresh notice for each action, so that the same words said twice are still announced.
  const open = (next: Action) => {
    setNotice('');
    setAction(next);
  };
  /** An action is done: its dialog closes and says so. */
  const finish = (message: string) => {
    setNotice(message);
    setAction(undefined);
  };
  return { action, notice, setNotice, open, close, finish };
}

/** Runs a form's write, keeping the API's message (a 409 for the last admin says why) in view. */
export function useSubmit(): [unknown, boolean, (write: () => Promise<void>) => (event: Event) => Promise<void>] {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = (write: () => Promise<void>) => async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      await write();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return [error, busy, submit];
}

/** A form's foot: the write's error, and Save, off while the write runs or while `disabled`. */
export function SubmitFooter(props: { error: unknown; busy: boolean; disabled?: boolean }) {
  return (
    <>
      <ErrorNote error={props.error} />
      <div class="row">
        <button type="submit" class="primary" disabled={props.busy || props.disabled === true}>
          Save
        </button>
      </div>
    </>
  );
}

/** A delete to confirm: what it means, then Delete (the write) or Cancel. */
export function DeleteForm(props: { remove: () => Promise<void>; onCancel: () => void; onDone: () => void; children: ComponentChildren }) {
  const [error, busy, submit] = useSubmit();
  return (
    <form
      class="form"
      onSubmit={submit(async () => {
        await props.remove();
        props.onDone();
      })}
    >
      <p>{props.children}</p>
      <ErrorNote error={error} />
      <div class="row">
        <button type="submit" class="danger" disabled={busy}>
          Delete
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
