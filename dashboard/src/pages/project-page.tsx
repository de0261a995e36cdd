import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { del, get, put } from '../api';
import { navigate, setQuery, useLocation } from '../router';
import { useCan, useSession } from '../session';
import { Dialog, ErrorNote, Link, Page, useApi } from '../ui/components';
import { time } from '../ui/format';
import { BudgetsTab } from './project-budgets';
import { MembersTab } from './project-members';
import { ModelsTab } from './project-models';
import { RoutingTab } from './project-routing';
import type { ModelSummary, Project, TabProps } from './project-shapes';
import { TokensTab } from './project-tokens';
import './projects.css';

const TABS = [
  { id: 'models', label: 'Models' },
  { id: 'routing', label: 'Routing' },
  { id: 'budgets', label: 'Budgets & limits' },
  { id: 'tokens', label: 'Tokens' },
  { id: 'members', label: 'Members', owner: true },
] as const;
type TabId = (typeof TABS)[number]['id'];

/** One project, in tabs; each shows only what the caller's role on it allows. */
export function ProjectPage({ id }: { id: string }) {
  const { can, canProject } = useCan();
  const session = useSession();
  const { query } = useLocation();
  const path = `/api/projects/${encodeURIComponent(id)}`;
  const loaded = useApi((signal) => get<Project>(path, undefined, signal), [id]);
  const mayListModels = can('models:read');
  const models = useApi((signal) => (mayListModels ? get<{ models: ModelSummary[] }>('/api/models', undefined, signal).then((a) => a.models) : Promise.resolve(undefined)), [mayListModels]);
  // Saves answer with the whole project: it replaces what was loaded without another read.
  const [saved, setSaved] = useState<Project>();
  useEffect(() => setSaved(undefined), [loaded.data]);
  const project = saved ?? loaded.data;
  const [deleting, setDeleting] = useState(false);

  const mayEdit = canProject(id, 'editor');
  const mayOwn = canProject(id, 'owner');
  const tabs = TABS.filter((tab) => !('owner' in tab) || mayOwn);
  const asked = query.get('tab');
  const tab: TabId = tabs.find((t) => t.id === asked)?.id ?? 'models';

  if (!project) {
    return (
      <Page title="Project">
        <ErrorNote error={loaded.error} />
        {loaded.loading && <p aria-busy="true">Loading the project…</p>}
        <p>
          <Link to="/projects">All projects</Link>
        </p>
      </Page>
    );
  }

  const save = async (changes: Partial<Project>) => {
    const answer = await put<Project>(path, changes);
    setSaved(answer);
    // One's own membership may have changed (members tab): the session decides what is shown.
    if (changes.members) await session.refresh();
    return answer;
  };
  const props: TabProps = { project, save, reload: loaded.reload, mayEdit, mayOwn, models: models.data };

  return (
    <Page
      title={project.name}
      actions={
        mayOwn && (
          <button type="button" class="danger" onClick={() => setDeleting(true)}>
            Delete project
          </button>
        )
      }
    >
      <p class="muted project-meta">
        <Link to="/projects">All projects</Link> · <span class="mono">{project.id}</span> · created {time(project.createdAt)} · updated {time(project.updatedAt)}
        {!mayEdit && <span class="badge">read-only</span>}
      </p>
      <ErrorNote error={saved ? undefined : loaded.error} />
      <Tabs tabs={tabs} selected={tab} onSelect={(next) => setQuery({ tab: next === 'models' ? undefined : next })}>
        {tab === 'models' && <ModelsTab {...props} />}
        {tab === 'routing' && <RoutingTab {...props} />}
        {tab === 'budgets' && <BudgetsTab {...props} />}
        {tab === 'tokens' && <TokensTab {...props} />}
        {tab === 'members' && <MembersTab {...props} />}
      </Tabs>
      <DeleteDialog open={deleting} project={project} onClose={() => setDeleting(false)} />
    </Page>
  );
}

/**
 * A tab bar on the ARIA tabs pattern: the selected tab is the one in the tab order, arrow keys
 * move between tabs, and only the selected panel is rendered (each panel owns its own form).
 */
function Tabs(props: { tabs: readonly { id: TabId; label: string }[]; selected: TabId; onSelect: (id: TabId) => void; children: ComponentChildren }) {
  const bar = useRef<HTMLDivElement>(null);
  const focusTab = (index: number) => {
    const next = props.tabs[(index + props.tabs.length) % props.tabs.length]!;
    props.onSelect(next.id);
    // The bar re-renders with the new selection first; then its button takes focus.
    requestAnimationFrame(() => bar.current?.querySelector<HTMLButtonElement>(`#tab-${next.id}`)?.focus());
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const index = props.tabs.findIndex((t) => t.id === props.selected);
    if (event.key === 'ArrowRight') focusTab(index + 1);
    else if (event.key === 'ArrowLeft') focusTab(index - 1);
    else if (event.key === 'Home') focusTab(0);
    else if (event.key === 'End') focusTab(props.tabs.length - 1);
    else return;
    event.preventDefault();
  };
  return (
    <>
      <div class="tabs" role="tablist" aria-label="Project sections" ref={bar} onKeyDown={onKeyDown}>
        {props.tabs.map((t) => (
          <button
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={t.id === props.selected}
            aria-controls={`panel-${t.id}`}
            tabIndex={t.id === props.selected ? 0 : -1}
            onClick={() => props.onSelect(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div class="tab-panel" role="tabpanel" id={`panel-${props.selected}`} aria-labelledby={`tab-${props.selected}`}>
        {props.children}
      </div>
    </>
  );
}

function DeleteDialog(props: { open: boolean; project: Project; onClose: () => void }) {
  const session = useSession();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  async function confirm() {
    setBusy(true);
    setError(undefined);
    try {
      await del(`/api/projects/${encodeURIComponent(props.project.id)}`);
      await session.refresh();
      navigate('/projects', { replace: true });
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }
  return (
    <Dialog title={`Delete project ${props.project.name}?`} open={props.open} onClose={props.onClose}>
      <div class="form">
        <p>
          Its {props.project.tokens.length} token{props.project.tokens.length === 1 ? '' : 's'} stop working at once, and its settings, budgets and members are gone. Usage already
          recorded stays in the logs. This cannot be undone.
        </p>
        <ErrorNote error={error} />
        <div class="row">
          <button type="button" class="danger" disabled={busy} onClick={() => void confirm()}>
            Delete project
          </button>
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </div>
    </Dialog>
  );
}
