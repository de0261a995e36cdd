import { useState } from 'preact/hooks';
import { del, post, put } from '../api';
import { Card, Dialog, ErrorNote, Field, Table } from '../ui/components';
import { time } from '../ui/format';
import { BudgetsEditor, cleanBudgets, cleanLimits, envelopeSummary, LimitsEditor } from './project-envelope';
import { SaveStatus, tokenLabel, TokenSecret, useSaving, type Budget, type RateLimits, type TabProps, type Token } from './project-shapes';

interface TokenDraft {
  name: string;
  budgets: Budget[];
  limits: RateLimits;
}
const EMPTY: TokenDraft = { name: '', budgets: [], limits: {} };

/**
 * The project's API tokens: editors create them (the secret shown once), rename them, give
 * them budgets and limits of their own, and revoke them. Viewers see the list.
 */
export function TokensTab({ project, reload, mayEdit }: TabProps) {
  const base = `/api/projects/${encodeURIComponent(project.id)}/tokens`;
  const [editing, setEditing] = useState<Token>();
  const [secret, setSecret] = useState<{ name: string; token: string }>();
  const [revoking, setRevoking] = useState<Token>();
  const [revokeError, setRevokeError] = useState<unknown>();
  const [notice, setNotice] = useState('');

  async function revoke(token: Token) {
    setRevokeError(undefined);
    try {
      await del(`${base}/${encodeURIComponent(token.id)}`);
      setRevoking(undefined);
      if (editing?.id === token.id) setEditing(undefined);
      setNotice(`Token ${tokenLabel(token)} revoked: calls with it are refused from now on.`);
      reload();
    } catch (caught) {
      setRevokeError(caught);
    }
  }

  return (
    <>
      <Card title="Tokens">
        <p class="hint">Clients send a token as their API key (Authorization: Bearer, or x-api-key). The gateway keeps only a hash: a lost token is revoked and replaced.</p>
        <Table
          rows={project.tokens}
          rowKey={(t) => t.id}
          empty="No tokens: nothing can call this project."
          columns={[
            { label: 'Name', cell: (t) => t.name ?? <span class="muted">unnamed</span> },
            { label: 'Token', cell: (t) => <span class="mono">{t.hint}</span> },
            { label: 'Created', cell: (t) => time(t.createdAt) },
            { label: 'Budgets and limits', cell: (t) => envelopeSummary(t.budgets, t.limits) || <span class="muted">the project's only</span> },
            ...(mayEdit
              ? [
                  {
                    label: 'Actions',
                    cell: (t: Token) => (
                      <div class="row">
                        <button type="button" aria-label={`Edit token ${tokenLabel(t)}`} onClick={() => setEditing(t)}>
                          Edit
                        </button>
                        <button type="button" class="danger" aria-label={`Revoke token ${tokenLabel(t)}`} onClick={() => setRevoking(t)}>
                          Revoke
                        </button>
                      </div>
                    ),
                  },
                ]
              : []),
          ]}
        />
        <p role="status" class="save-status">
          {notice}
        </p>
      </Card>
      {/* One token form at a time, so its fields' labels are never doubled on the page. */}
      {mayEdit && editing && (
        <TokenForm
          key={editing.id}
          title={`Edit token ${tokenLabel(editing)}`}
          initial={{ name: editing.name ?? '', budgets: editing.budgets ?? [], limits: editing.limits ?? {} }}
          submitLabel="Save"
          onCancel={() => setEditing(undefined)}
          onSubmit={async (draft) => {
            const name = draft.name.trim();
            await put(`${base}/${encodeURIComponent(editing.id)}`, { ...(name ? { name } : {}), budgets: cleanBudgets(draft.budgets), limits: cleanLimits(draft.limits) });
            setEditing(undefined);
            setNotice(`Token ${name || tokenLabel(editing)} saved.`);
            reload();
          }}
        />
      )}
      {mayEdit && !editing && (
        <TokenForm
          key="new"
          title="New token"
          initial={EMPTY}
          submitLabel="Create token"
          onSubmit={async (draft) => {
            const name = draft.name.trim();
            const budgets = cleanBudgets(draft.budgets);
            const limits = cleanLimits(draft.limits);
            const created = await post<Token & { token: string }>(base, {
              ...(name ? { name } : {}),
              ...(budgets.length ? { budgets } : {}),
              ...(Object.keys(limits).length ? { limits } : {}),
            });
            setSecret({ name: tokenLabel(created), token: created.token });
            setNotice('');
            reload();
          }}
        />
      )}
      <Dialog title={`Token ${secret?.name ?? ''} created`} open={secret !== undefined} onClose={() => setSecret(undefined)}>
        {secret && (
          <div class="form">
            <TokenSecret token={secret.token} />
            <div class="row">
              <button type="button" class="primary" onClick={() => setSecret(undefined)}>
                Done
              </button>
            </div>
          </div>
        )}
      </Dialog>
      <Dialog title={`Revoke token ${revoking ? tokenLabel(revoking) : ''}?`} open={revoking !== undefined} onClose={() => setRevoking(undefined)}>
        {revoking && (
          <div class="form">
            <p>
              Calls with <span class="mono">{revoking.hint}</span> are refused at once. Usage it recorded stays. This cannot be undone.
            </p>
            <ErrorNote error={revokeError} />
            <div class="row">
              <button type="button" class="danger" onClick={() => void revoke(revoking)}>
                Revoke
              </button>
              <button type="button" onClick={() => setRevoking(undefined)}>
                Cancel
              </button>
            </div>
          </div>
        )}
      </Dialog>
    </>
  );
}

/** A token's name, budgets and limits; the envelope folded away until wanted. */
function TokenForm(props: { title: string; initial: TokenDraft; submitLabel: string; onSubmit: (draft: TokenDraft) => Promise<void>; onCancel?: () => void }) {
  const [draft, setDraft] = useState(props.initial);
  const saving = useSaving();
  const hasEnvelope = props.initial.budgets.length > 0 || Object.keys(props.initial.limits).length > 0;

  async function submit(event: Event) {
    event.preventDefault();
    const ok = await saving.run(() => props.onSubmit(draft), '');
    if (ok) setDraft(props.initial);
  }

  return (
    <Card title={props.title}>
      <form class="form" onSubmit={submit}>
        <Field label="Name" maxLength={200} value={draft.name} onValue={(name) => setDraft({ ...draft, name })} autoComplete="off" hint="Who or what uses it, e.g. the app's name. Optional." />
        <details open={hasEnvelope}>
          <summary>Budgets and limits of this token (optional)</summary>
          <div class="form details-body">
            <BudgetsEditor budgets={draft.budgets} onChange={(budgets) => setDraft({ ...draft, budgets })} />
            <LimitsEditor limits={draft.limits} onChange={(limits) => setDraft({ ...draft, limits })} />
            <p class="hint">On top of the project's: a call must fit both.</p>
          </div>
        </details>
        <SaveStatus saving={saving} />
        <div class="row">
          <button type="submit" class="primary" disabled={saving.busy}>
            {props.submitLabel}
          </button>
          {props.onCancel && (
            <button type="button" onClick={props.onCancel}>
              Cancel
            </button>
          )}
        </div>
      </form>
    </Card>
  );
}
