import { get } from '../api';
import { Card, ErrorNote, useApi } from '../ui/components';
import { BudgetMeters, BudgetsEditor, cleanBudgets, cleanLimits, envelopeSummary, LimitsEditor } from './project-envelope';
import { SaveFooter, tokenLabel, useDraft, useSaving, type BudgetStatus, type Project, type TabProps } from './project-shapes';

const envelopeOf = (p: Project) => ({ budgets: p.budgets ?? [], limits: p.limits ?? {} });

/** The project's budgets and rate limits (editors save them), and where its budgets stand now. */
export function BudgetsTab({ project, save, mayEdit }: TabProps) {
  const [draft, setDraft] = useDraft(project, envelopeOf);
  const saving = useSaving();
  const status = useApi(
    (signal) => get<{ budgets: BudgetStatus[] }>(`/api/projects/${encodeURIComponent(project.id)}/budgets`, undefined, signal),
    // Re-read once a save changed the budgets (the project's or a token's).
    [project.id, project.updatedAt],
  );

  async function submit(event: Event) {
    event.preventDefault();
    // Empty lists remove the budgets and limits rather than storing empty ones.
    await saving.run(() => save({ budgets: cleanBudgets(draft.budgets), limits: cleanLimits(draft.limits) }));
  }

  const statuses = status.data?.budgets ?? [];
  const projectStatuses = statuses.filter((s) => s.scope === 'project');
  const tokenIds = [...new Set(statuses.filter((s) => s.scope === 'token').map((s) => s.id))];

  return (
    <>
      <Card title="Budgets and limits">
        {mayEdit ? (
          <form class="form" onSubmit={submit}>
            <BudgetsEditor budgets={draft.budgets} onChange={(budgets) => setDraft({ ...draft, budgets })} />
            <LimitsEditor limits={draft.limits} onChange={(limits) => setDraft({ ...draft, limits })} />
            <p class="hint">These apply to the whole project; each token may have its own on top (Tokens tab).</p>
            <SaveFooter saving={saving} maySave />
          </form>
        ) : (
          <dl class="facts">
            <dt>Budgets</dt>
            <dd>{envelopeSummary(project.budgets, undefined) || 'none'}</dd>
            <dt>Rate limits</dt>
            <dd>{envelopeSummary(undefined, project.limits) || 'none'}</dd>
          </dl>
        )}
      </Card>
      <Card title="Spent so far">
        <p class="hint">What each budget has spent in its current period, calls in flight included.</p>
        <ErrorNote error={status.error} />
        {status.loading && !status.data && <p aria-busy="true">Loading…</p>}
        {status.data && statuses.length === 0 && <p class="empty">No budgets: nothing is capped.</p>}
        {projectStatuses.length > 0 && (
          <>
            <h3>Project</h3>
            <BudgetMeters statuses={projectStatuses} />
          </>
        )}
        {tokenIds.map((id) => {
          const token = project.tokens.find((t) => t.id === id);
          return (
            <>
              <h3>
                Token {token ? tokenLabel(token) : id}
              </h3>
              <BudgetMeters statuses={statuses.filter((s) => s.scope === 'token' && s.id === id)} />
            </>
          );
        })}
        {status.data && (
          <button type="button" class="ghost" onClick={status.reload}>
            Refresh
          </button>
        )}
      </Card>
    </>
  );
}
