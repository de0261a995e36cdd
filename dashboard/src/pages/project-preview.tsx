import { useState } from 'preact/hooks';
import { post } from '../api';
import { Card, CheckField, ErrorNote, Field, NumberField, SelectField, Table, TextArea, useId } from '../ui/components';
import { ms } from '../ui/format';
import type { Project } from './project-shapes';

/**
 * Route preview (POST /api/projects/:id/route-preview): how a sample request would be ranked
 * right now, policy by policy, without calling any provider (the judge only when asked).
 */

interface Preview {
  requested: { model: string; as: 'named' | 'alias' | 'auto' | 'unknown' };
  ranked: { model: string; score: number; scores: Record<string, number> }[];
  excluded: { model: string; policy: string; reason: string; retryAfterMs?: number }[];
  order: string[];
  error?: string;
  abstained?: string[];
  failed?: { policy: string; error: string }[];
  overridden?: string[];
  judge?: { model: string; choice?: string; cached: boolean; error?: string };
  warnings?: string[];
}

const APIS = [
  { value: '/v1/chat/completions', label: 'Chat Completions (/v1/chat/completions)' },
  { value: '/v1/messages', label: 'Anthropic Messages (/v1/messages)' },
  { value: '/v1/responses', label: 'Responses (/v1/responses)' },
  { value: '/v1/messages/count_tokens', label: 'Count tokens (/v1/messages/count_tokens)' },
  { value: '/v1/embeddings', label: 'Embeddings (/v1/embeddings)' },
];

interface Sample {
  path: string;
  model: string;
  prompt: string;
  maxTokens: number | undefined;
  stream: boolean;
  tools: boolean;
  json: boolean;
  image: boolean;
  thinking: boolean;
}

/** A 1×1 PNG: enough for the capability policy to see an image in the request. */
const PIXEL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
const PIXEL_URL = `data:image/png;base64,${PIXEL}`;
const TOOL_PARAMETERS = { type: 'object', properties: { query: { type: 'string' } } };

/** The sample as a body of the chosen API, with what it needs expressed the way that API spells it. */
export function previewBody(s: Sample): Record<string, unknown> {
  const text = s.prompt.trim() || 'Hello';
  const common = { model: s.model.trim() || 'auto' };
  if (s.path === '/v1/embeddings') return { ...common, input: text };
  if (s.path === '/v1/responses') {
    return {
      ...common,
      input: s.image ? [{ role: 'user', content: [{ type: 'input_text', text }, { type: 'input_image', image_url: PIXEL_URL }] }] : text,
      ...(s.maxTokens !== undefined ? { max_output_tokens: s.maxTokens } : {}),
      ...(s.stream ? { stream: true } : {}),
      ...(s.tools ? { tools: [{ type: 'function', name: 'lookup', description: 'Looks something up.', parameters: TOOL_PARAMETERS }] } : {}),
      ...(s.json ? { text: { format: { type: 'json_object' } } } : {}),
      ...(s.thinking ? { reasoning: { effort: 'medium' } } : {}),
    };
  }
  if (s.path === '/v1/messages' || s.path === '/v1/messages/count_tokens') {
    const content = s.image ? [{ type: 'text', text }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PIXEL } }] : text;
    const counting = s.path === '/v1/messages/count_tokens';
    return {
      ...common,
      messages: [{ role: 'user', content }],
      ...(counting ? {} : { max_tokens: s.maxTokens ?? 1024 }),
      ...(s.stream && !counting ? { stream: true } : {}),
      ...(s.tools ? { tools: [{ name: 'lookup', description: 'Looks something up.', input_schema: TOOL_PARAMETERS }] } : {}),
      ...(s.json ? { output_format: { type: 'json_schema', schema: { type: 'object' } } } : {}),
      ...(s.thinking ? { thinking: { type: 'enabled', budget_tokens: 1024 } } : {}),
    };
  }
  return {
    ...common,
    messages: [{ role: 'user', content: s.image ? [{ type: 'text', text }, { type: 'image_url', image_url: { url: PIXEL_URL } }] : text }],
    ...(s.maxTokens !== undefined ? { max_tokens: s.maxTokens } : {}),
    ...(s.stream ? { stream: true } : {}),
    ...(s.tools ? { tools: [{ type: 'function', function: { name: 'lookup', description: 'Looks something up.', parameters: TOOL_PARAMETERS } }] } : {}),
    ...(s.json ? { response_format: { type: 'json_object' } } : {}),
    ...(s.thinking ? { reasoning_effort: 'medium' } : {}),
  };
}

export function RoutePreview(props: { project: Project; mayEdit: boolean }) {
  const { project } = props;
  const [sample, setSample] = useState<Sample>({ path: APIS[0]!.value, model: 'auto', prompt: '', maxTokens: undefined, stream: false, tools: false, json: false, image: false, thinking: false });
  const [includeLlm, setIncludeLlm] = useState(false);
  const [result, setResult] = useState<Preview>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const set = (change: Partial<Sample>) => setSample({ ...sample, ...change });
  const listId = useId('models');
  const hasJudge = (project.routing?.policies ?? []).some((p) => p.type === 'llm' && p.enabled !== false) || Object.values(project.aliases ?? {}).some((a) => a.routing?.policies?.some((p) => p.type === 'llm' && p.enabled !== false));
  const embeddings = sample.path === '/v1/embeddings';

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body = previewBody(sample);
      setResult(await post<Preview>(`/api/projects/${encodeURIComponent(project.id)}/route-preview`, { body, path: sample.path, ...(includeLlm && hasJudge ? { includeLlm: true } : {}) }));
    } catch (caught) {
      setResult(undefined);
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title="Route preview">
      <p class="hint">How a request would be routed right now, by the saved routing: no provider is called{props.mayEdit && hasJudge ? ' unless you ask the judge' : ''}.</p>
      <form class="form" onSubmit={submit}>
        <div class="form-grid">
          <SelectField label="API" value={sample.path} onValue={(path) => set({ path })} options={APIS} />
          <Field label="Requested model" list={listId} value={sample.model} onValue={(model) => set({ model })} autoComplete="off" hint="auto, an alias, a pool model, or any other name." />
          <datalist id={listId}>
            {['auto', ...Object.keys(project.aliases ?? {}), ...project.models].map((name) => (
              <option value={name} />
            ))}
          </datalist>
          {!embeddings && <NumberField label="Max tokens" min={1} step="1" value={sample.maxTokens} onValue={(maxTokens) => set({ maxTokens })} hint="The output cap the client asks for." />}
        </div>
        <TextArea label="Sample prompt" rows={3} value={sample.prompt} onValue={(prompt) => set({ prompt })} hint="Its size counts for context windows and budgets; the judge reads it." />
        {!embeddings && (
          <fieldset>
            <legend>The request uses</legend>
            <div class="check-grid">
              <CheckField label="Stream" checked={sample.stream} onChecked={(stream) => set({ stream })} />
              <CheckField label="Tools" checked={sample.tools} onChecked={(tools) => set({ tools })} />
              <CheckField label="JSON output" checked={sample.json} onChecked={(json) => set({ json })} />
              <CheckField label="An image" checked={sample.image} onChecked={(image) => set({ image })} />
              <CheckField label="Thinking" checked={sample.thinking} onChecked={(thinking) => set({ thinking })} />
            </div>
          </fieldset>
        )}
        {props.mayEdit && hasJudge && <CheckField label="Ask the llm judge (a real call, billed to this project)" checked={includeLlm} onChecked={setIncludeLlm} />}
        <div class="row">
          <button type="submit" class="primary" disabled={busy}>
            Preview route
          </button>
        </div>
      </form>
      <ErrorNote error={error} />
      <div aria-live="polite">{result && <PreviewResult result={result} />}</div>
    </Card>
  );
}

const READ_AS: Record<Preview['requested']['as'], string> = {
  named: 'a pool model: tried first, the rest of the pool after it',
  alias: "an alias: routed among the alias's models",
  auto: 'auto: routed across the whole pool',
  unknown: 'a name the project does not know: routed like auto',
};

function PreviewResult({ result }: { result: Preview }) {
  const policies = [...new Set(result.ranked.flatMap((r) => Object.keys(r.scores)))];
  const score = (value: number | undefined) => (value === undefined ? '—' : value.toFixed(3));
  return (
    <div class="preview-result">
      <h3>Result</h3>
      <p>
        <span class="mono">{result.requested.model}</span> is read as {READ_AS[result.requested.as]}.
      </p>
      {result.error ? (
        <p class="error" role="alert">
          No model can take this request: {result.error}
        </p>
      ) : (
        <p role="status">
          Attempt order:{' '}
          {result.order.map((model, i) => (
            <>
              {i > 0 && ' → '}
              <span class="mono">{model}</span>
            </>
          ))}
        </p>
      )}
      {result.judge && (
        <p>
          Judge <span class="mono">{result.judge.model}</span>:{' '}
          {result.judge.error ? `failed (${result.judge.error})` : result.judge.choice ? `picked ${result.judge.choice}` : 'named no candidate'}
          {result.judge.cached && ' (a cached choice)'}
        </p>
      )}
      <Table
        caption="Ranked candidates, with each scoring policy's score (0–1)"
        rows={result.ranked}
        empty="No candidate is left to rank."
        columns={[
          { label: '#', cell: (r) => result.ranked.indexOf(r) + 1, numeric: true },
          { label: 'Model', cell: (r) => <span class="mono">{r.model}</span> },
          { label: 'Score', cell: (r) => score(r.score), numeric: true },
          ...policies.map((policy) => ({ label: policy, cell: (r: Preview['ranked'][number]) => score(r.scores[policy]), numeric: true })),
        ]}
      />
      {policies.length === 0 && result.ranked.length > 1 && <p class="hint">No policy scored: the candidates keep pool order.</p>}
      {result.excluded.length > 0 && (
        <Table
          caption="Excluded"
          rows={result.excluded}
          columns={[
            { label: 'Model', cell: (e) => <span class="mono">{e.model}</span> },
            { label: 'Policy', cell: (e) => e.policy },
            { label: 'Why', cell: (e) => e.reason },
            { label: 'Again in', cell: (e) => (e.retryAfterMs === undefined ? '' : ms(e.retryAfterMs)), numeric: true },
          ]}
        />
      )}
      <ul class="preview-notes">
        {result.abstained && <li>Could not tell the candidates apart, so did not count: {result.abstained.join(', ')}.</li>}
        {result.failed?.map((f) => (
          <li class="error">
            Policy {f.policy} failed and was skipped: {f.error}
          </li>
        ))}
        {result.overridden && <li>Tried despite an open circuit, as nothing else was left: {result.overridden.join(', ')}.</li>}
        {result.warnings?.map((w) => (
          <li class="muted">Warning: {w}</li>
        ))}
      </ul>
    </div>
  );
}
