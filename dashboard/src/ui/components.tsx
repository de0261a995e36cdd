import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { href, navigate } from '../router';

let nextId = 0;
/** A stable id for a label's `for`. */
export function useId(prefix = 'f'): string {
  const ref = useRef<string>();
  if (!ref.current) ref.current = `${prefix}-${++nextId}`;
  return ref.current;
}

/** An in-app link: a real <a href> (open in a new tab works) that navigates without a reload. */
export function Link(props: { to: string; children: ComponentChildren; class?: string; 'aria-current'?: 'page' | undefined }) {
  return (
    <a
      href={href(props.to)}
      class={props.class}
      aria-current={props['aria-current']}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(props.to);
      }}
    >
      {props.children}
    </a>
  );
}

type InputProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'label' | 'onInput' | 'value'> & {
  label: string;
  value: string | number | undefined;
  onValue: (value: string) => void;
  hint?: string;
};

/** A labelled input. Every field in the dashboard has a <label>. */
export function Field({ label, value, onValue, hint, ...rest }: InputProps) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} value={value ?? ''} onInput={(event) => onValue(event.currentTarget.value)} aria-describedby={hint ? id + '-hint' : undefined} {...rest} />
      {hint && (
        <small id={id + '-hint'} class="hint">
          {hint}
        </small>
      )}
    </div>
  );
}

/** A number field whose empty value is undefined. */
export function NumberField(props: { label: string; value: number | undefined; onValue: (value: number | undefined) => void; hint?: string; step?: string; min?: number; required?: boolean }) {
  return (
    <Field
      label={props.label}
      type="number"
      inputMode="decimal"
      step={props.step ?? 'any'}
      min={props.min}
      required={props.required}
      hint={props.hint}
      value={props.value === undefined ? '' : String(props.value)}
      onValue={(text) => props.onValue(text.trim() === '' ? undefined : Number(text))}
    />
  );
}

export function SelectField(props: { label: string; value: string; onValue: (value: string) => void; options: (string | { value: string; label: string })[]; hint?: string; disabled?: boolean }) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select id={id} value={props.value} disabled={props.disabled} onChange={(event) => props.onValue(event.currentTarget.value)}>
        {props.options.map((option) =>
          typeof option === 'string' ? (
            <option value={option}>{option}</option>
          ) : (
            <option value={option.value}>{option.label}</option>
          ),
        )}
      </select>
      {props.hint && <small class="hint">{props.hint}</small>}
    </div>
  );
}

export function CheckField(props: { label: string; checked: boolean; onChecked: (checked: boolean) => void; disabled?: boolean }) {
  const id = useId();
  return (
    <div class="field check">
      <input id={id} type="checkbox" checked={props.checked} disabled={props.disabled} onChange={(event) => props.onChecked(event.currentTarget.checked)} />
      <label for={id}>{props.label}</label>
    </div>
  );
}

export function TextArea(props: { label: string; value: string; onValue: (value: string) => void; rows?: number; hint?: string; required?: boolean }) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <textarea id={id} rows={props.rows ?? 4} required={props.required} value={props.value} onInput={(event) => props.onValue(event.currentTarget.value)} />
      {props.hint && <small class="hint">{props.hint}</small>}
    </div>
  );
}

/** An error shown where it happened, with the API's own message. */
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof ApiError || error instanceof Error ? error.message : String(error);
  return (
    <p class="error" role="alert">
      {message}
    </p>
  );
}

/** Data loaded from the API, re-loaded when `deps` change or on `reload()`. */
export function useApi<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): { data: T | undefined; error: unknown; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setState((previous) => ({ ...previous, loading: true }));
    load(controller.signal).then(
      (data) => !controller.signal.aborted && setState({ data, error: undefined, loading: false }),
      (error: unknown) => !controller.signal.aborted && setState((previous) => ({ data: previous.data, error, loading: false })),
    );
    return () => controller.abort();
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((value) => value + 1) };
}

/** A page's frame: its heading (the one <h1>), actions beside it, then its content. */
export function Page(props: { title: string; actions?: ComponentChildren; children: ComponentChildren }) {
  useEffect(() => {
    document.title = `${props.title} · Routerly`;
  }, [props.title]);
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-header">
        <h1 id="page-title">{props.title}</h1>
        {props.actions && <div class="actions">{props.actions}</div>}
      </header>
      {props.children}
    </section>
  );
}

export function Card(props: { title?: string; children: ComponentChildren; class?: string }) {
  return (
    <section class={'card ' + (props.class ?? '')}>
      {props.title && <h2>{props.title}</h2>}
      {props.children}
    </section>
  );
}

/** A figure with its label, for the overview's tiles. */
export function Stat(props: { label: string; value: string; sub?: string }) {
  return (
    <div class="stat">
      <div class="stat-label">{props.label}</div>
      <div class="stat-value">{props.value}</div>
      {props.sub && <div class="stat-sub">{props.sub}</div>}
    </div>
  );
}

/**
 * A modal dialog on the native <dialog>: focus moves into it, Escape closes it, and the page
 * behind cannot be reached by keyboard while it is open.
 */
export function Dialog(props: { title: string; open: boolean; onClose: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  const id = useId('dlg');
  return (
    <dialog ref={ref} aria-labelledby={id} onClose={props.onClose} onCancel={props.onClose}>
      <header class="dialog-header">
        <h2 id={id}>{props.title}</h2>
        <button type="button" class="ghost" aria-label="Close" onClick={props.onClose}>
          ×
        </button>
      </header>
      {props.open && props.children}
    </dialog>
  );
}

/** A button that copies `text` and says so. */
export function CopyButton(props: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(props.text);
        } catch {
          // Clipboard refused (http on another host): select-and-copy by hand still works.
          const area = document.createElement('textarea');
          area.value = props.text;
          document.body.append(area);
          area.select();
          document.execCommand('copy');
          area.remove();
        }
        setCopied(true);
        setTimeout(() => setCopied(false), 1500);
      }}
    >
      {copied ? 'Copied' : (props.label ?? 'Copy')}
    </button>
  );
}

/** A plain table from rows; `empty` when there are none. */
export function Table<Row>(props: { columns: { label: string; cell: (row: Row) => ComponentChildren; numeric?: boolean }[]; rows: Row[] | undefined; empty?: string; caption?: string; rowKey?: (row: Row) => string }) {
  if (props.rows && props.rows.length === 0) return <p class="empty">{props.empty ?? 'Nothing yet.'}</p>;
  return (
    <div class="table-wrap">
      <table>
        {props.caption && <caption>{props.caption}</caption>}
        <thead>
          <tr>
            {props.columns.map((column) => (
              <th scope="col" class={column.numeric ? 'num' : undefined}>
                {column.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {(props.rows ?? []).map((row) => (
            <tr key={props.rowKey?.(row)}>
              {props.columns.map((column) => (
                <td class={column.numeric ? 'num' : undefined}>{column.cell(row)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
