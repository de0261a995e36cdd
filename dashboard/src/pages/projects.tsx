import { useState } from 'preact/hooks';
import { get, post } from '../api';
import { navigate } from '../router';
import { useCan, useSession } from '../session';
import { Card, CheckField, Dialog, ErrorNote, Field, Link, Page, Table, useApi } from '../ui/components';
import { budgetUse, shareClass, TokenSecret, type BudgetStatus, type ModelSummary, type Project } from './project-shapes';
import './projects.css';

export { ProjectPage } from './project-page';

/** The projects the signed-in user may see, and a form to create one (projects:write). */
export function ProjectsPage() {
  const { can, me } = useCan();
  const list = useApi((signal) => get<{ projects: Project[] }>('/api/projects', undefined, signal), []);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ project: Project; token: string }>();

  const roleOf = (project: Project) => (me.fullAccess ? 'full access' : (me.memberships.find((m) => m.projectId === project.id)?.role ?? ''));

  return (
    <Page
      title="Projects"
      actions={
        can('projects:write') &&
        !creating && (
          <button type="button" class="primary" onClick={() => setCreating(true)}>
            New project
          </button>
        )
      }
    >
      {creating && <NewProjectForm onCancel={() => setCreating(false)} onCreated={(project, token) => setCreated({ project, token })} />}
      <ErrorNote error={list.error} />
      {list.loading && !list.data && <p aria-busy="true">Loading projects…</p>}
      {list.data && (
        <Table
          caption="Your projects"
          rows={list.data.projects}
          rowKey={(p) => p.id}
          empty={can('projects:write') ? 'No projects yet: create one with "New project".' : 'You are not a member of any project yet.'}
          columns={[
            { label: 'Name', cell: (p) => <Link to={`/projects/${encodeURIComponent(p.id)}`}>{p.name}</Link> },
            { label: 'Models', cell: (p) => p.models.length, numeric: true },
            { label: 'Tokens', cell: (p) => p.tokens.length, numeric: true },
            { label: 'Budget', cell: (p) => <BudgetCell project={p} /> },
            { label: 'Your role', cell: roleOf },
          ]}
        />
      )}
      <Dialog
        title="Project created"
        open={created !== undefined}
        onClose={() => {
          // Closing is acknowledging the token: the project is where one goes next either way.
          if (created) navigate(`/projects/${encodeURIComponent(created.project.id)}`);
          setCreated(undefined);
        }}
      >
        {created && (
          <div class="form">
            <p>
              Project <strong>{created.project.name}</strong> is ready. Its first token, <span class="mono">default</span>, authenticates calls to <span class="mono">/v1</span>.
            </p>
            <TokenSecret token={created.token} />
            <div class="row">
              <button
                type="button"
                class="primary"
                onClick={() => {
                  navigate(`/projects/${encodeURIComponent(created.project.id)}`);
                  setCreated(undefined);
                }}
              >
                Open project
              </button>
            </div>
          </div>
        )}
      </Dialog>
    </Page>
  );
}

/** The tightest project budget, read live; nothing is fetched for a project without budgets. */
function BudgetCell({ project }: { project: Project }) {
  const hasBudgets = (project.budgets?.length ?? 0) > 0;
  const status = useApi(
    (signal) => (hasBudgets ? get<{ budgets: BudgetStatus[] }>(`/api/projects/${encodeURIComponent(project.id)}/budgets`, undefined, signal) : Promise.resolve({ budgets: [] })),
    [project.id, hasBudgets],
  );
  if (!hasBudgets) return <span class="muted">none</span>;
  if (status.error) return <span class="muted">unavailable</span>;
  const tightest = (status.data?.budgets ?? [])
    .filter((b) => b.scope === 'project')
    .map((b) => ({ period: b.period, share: budgetUse(b) ?? 0 }))
    .sort((a, b) => b.share - a.share)[0];
  if (!tightest) return <span class="muted">…</span>;
  return (
    <span class={`badge ${shareClass(tightest.share)}`} title="The most used of the project's budgets">
      {tightest.period}: {(tightest.share * 100).toFixed(0)}% used
    </span>
  );
}

/** Name and pool; the answer carries the project's first token, shown once. */
function NewProjectForm(props: { onCancel: () => void; onCreated: (project: Project, token: string) => void }) {
  const { can } = useCan();
  const session = useSession();
  const mayListModels = can('models:read');
  const models = useApi((signal) => (mayListModels ? get<{ models: ModelSummary[] }>('/api/models', undefined, signal) : Promise.resolve({ models: [] })), [mayListModels]);
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const answer = await post<Project & { token: string; tokenId: string }>('/api/projects', { name, models: chosen });
      const { token, tokenId: _tokenId, ...project } = answer;
      // A creator without full access has just become the project's owner: re-read the session so the page knows.
      await session.refresh();
      props.onCreated(project, token);
      props.onCancel();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title="New project">
      <form class="form" onSubmit={submit}>
        <Field label="Name" required maxLength={200} value={name} onValue={setName} autoComplete="off" />
        <fieldset>
          <legend>Models</legend>
          {!mayListModels && <p class="hint">Your role cannot list models: add them to the pool later, or ask someone who can.</p>}
          <ErrorNote error={models.error} />
          {models.data && models.data.models.length === 0 && mayListModels && <p class="empty">No models are registered yet: the pool can be filled later.</p>}
          <div class="check-grid">
            {models.data?.models.map((model) => (
              <CheckField
                label={model.id}
                checked={chosen.includes(model.id)}
                onChecked={(checked) => setChosen(checked ? [...chosen, model.id] : chosen.filter((id) => id !== model.id))}
              />
            ))}
          </div>
        </fieldset>
        <ErrorNote error={error} />
        <div class="row">
          <button type="submit" class="primary" disabled={busy}>
            Create project
          </button>
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </Card>
  );
}
