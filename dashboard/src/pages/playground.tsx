import { useEffect, useState } from 'preact/hooks';
import { get, post } from '../api';
import { setQuery, useLocation } from '../router';
import { useCan } from '../session';
import { Card, ErrorNote, Field, Link, Page, SelectField, useApi } from '../ui/components';
import { Conversation } from './playground-conversation';
import './playground.css';

/** What the playground needs of GET /api/projects (src/management/projects.ts, publicProject). */
interface Project {
  id: string;
  name: string;
  models: string[];
  aliases?: Record<string, unknown>;
}

interface CreatedToken {
  id: string;
  name?: string;
  hint: string;
  token: string;
}

/**
 * Project tokens are shown once, at creation: the one used here lives in sessionStorage, per
 * project, so it survives a reload of this tab but never outlives it (never localStorage).
 */
const storageKey = (projectId: string) => `routerly.playground.token.${projectId}`;

function storedToken(projectId: string): string {
  try {
    return sessionStorage.getItem(storageKey(projectId)) ?? '';
  } catch {
    return ''; // storage refused (privacy settings): the token is typed each time
  }
}

function storeToken(projectId: string, token: string): void {
  try {
    if (token) sessionStorage.setItem(storageKey(projectId), token);
    else sessionStorage.removeItem(storageKey(projectId));
  } catch {
    // Storage refused: the token still works for this page's life.
  }
}

/** The names a client may send as `model` for this project: auto, its aliases, its models. */
function modelOptions(project: Project | undefined): { value: string; label: string }[] {
  const options = [{ value: 'auto', label: 'auto (the project’s routing decides)' }];
  if (!project) return options;
  for (const alias of Object.keys(project.aliases ?? {}).sort()) options.push({ value: alias, label: `${alias} (alias)` });
  for (const model of project.models) options.push({ value: model, label: model });
  return options;
}

/** /playground: chat with a project through the real proxy, as its clients do. */
export function PlaygroundPage() {
  const { me, can, canProject } = useCan();
  const { query } = useLocation();
  const projects = useApi((signal) => get<{ projects: Project[] }>('/api/projects', undefined, signal), []);
  const list = projects.data?.projects ?? [];
  const project = list.find((p) => p.id === query.get('project')) ?? list[0];
  const options = modelOptions(project);
  const wanted = query.get('model') ?? 'auto';
  const model = options.some((option) => option.value === wanted) ? wanted : 'auto';

  const [token, setToken] = useState('');
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedToken>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    setToken(project ? storedToken(project.id) : '');
    setCreated(undefined);
    setError(undefined);
  }, [project?.id]);

  const changeToken = (value: string) => {
    setToken(value);
    if (project) storeToken(project.id, value.trim());
  };

  async function createToken() {
    if (!project) return;
    setCreating(true);
    setError(undefined);
    try {
      const answer = await post<CreatedToken>(`/api/projects/${encodeURIComponent(project.id)}/tokens`, { name: `playground (${me.user.email})` });
      changeToken(answer.token);
      setCreated(answer);
    } catch (caught) {
      setError(caught);
    } finally {
      setCreating(false);
    }
  }

  return (
    <Page title="Playground">
      <p class="muted">
        Chat with a project as its clients do: through the proxy at <code>/v1/chat/completions</code>, with a project token, under the project’s routing, budgets and limits.
      </p>
      <ErrorNote error={projects.error} />
      {projects.loading && !projects.data && (
        <p role="status" aria-busy="true">
          Loading projects…
        </p>
      )}
      {projects.data && list.length === 0 && (
        <Card>
          <p class="empty">
            There is no project you can use yet.{' '}
            {can('projects:write') ? <Link to="/projects">Create one on the Projects page.</Link> : 'Ask an admin to add you to one.'}
          </p>
        </Card>
      )}
      {project && (
        <Card title="Setup" class="playground-setup">
          <div class="form-grid">
            <SelectField
              label="Project"
              value={project.id}
              options={list.map((p) => ({ value: p.id, label: p.name }))}
              onValue={(id) => setQuery({ project: id, model: undefined })}
            />
            <SelectField label="Model" value={model} options={options} onValue={(value) => setQuery({ project: project.id, model: value === 'auto' ? undefined : value })} />
            <Field
              label="Project token"
              type="password"
              autoComplete="off"
              spellcheck={false}
              value={token}
              onValue={(value) => {
                setCreated(undefined);
                changeToken(value);
              }}
              hint="Paste one of the project’s tokens. It is kept in this browser tab only."
            />
          </div>
          {canProject(project.id, 'editor') && (
            <div class="row">
              <button type="button" onClick={() => void createToken()} disabled={creating}>
                Create a playground token
              </button>
            </div>
          )}
          <ErrorNote error={error} />
          {created && (
            <p role="status">
              Created the token “{created.name}” ({created.hint}) for {project.name}; it is in the field above for this tab. Revoke it on the{' '}
              <Link to={`/projects/${encodeURIComponent(project.id)}`}>project’s page</Link> when you are done.
            </p>
          )}
        </Card>
      )}
      {project && <Conversation key={project.id} token={token.trim()} model={model} canReadUsage={can('usage:read')} />}
    </Page>
  );
}
