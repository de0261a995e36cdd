/** A small client for the management API, shared by the integration tests, the workerd test and the bench. */
export interface AdminClient {
  url: string;
  token: string;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }>;
}

export async function requestJson(url: string, method: string, body?: unknown, token?: string) {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

/** Runs first-time setup (or logs in, if it was done) and returns an authenticated client. */
export async function adminClient(url: string, email = 'admin@example.com', password = 'correct horse battery'): Promise<AdminClient> {
  let answer = await requestJson(`${url}/api/setup`, 'POST', { email, password });
  if (answer.status === 409) answer = await requestJson(`${url}/api/auth/login`, 'POST', { email, password });
  if (answer.status !== 201 && answer.status !== 200) throw new Error(`setup failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  const token = answer.body.token as string;
  return { url, token, call: (method, path, body) => requestJson(`${url}${path}`, method, body, token) };
}

/** Creates a model and fails loudly if the gateway refuses it. */
export async function createModel(admin: AdminClient, model: Record<string, unknown>) {
  const answer = await admin.call('POST', '/api/models', model);
  if (answer.status !== 201) throw new Error(`model ${String(model.id)}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** `extra`: any other project fields (routing, aliases, unknownModel, rejectUnsupportedParams). */
export async function createProject(admin: AdminClient, name: string, models: string[], extra: Record<string, unknown> = {}) {
  const answer = await admin.call('POST', '/api/projects', { name, models, ...extra });
  if (answer.status !== 201) throw new Error(`project ${name}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body as { id: string; name: string; models: string[]; token: string; tokenId: string };
}

/** Usage is written after the response; poll until `count` records are there. */
export async function waitForUsage(admin: AdminClient, projectId: string, count: number, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await admin.call('GET', `/api/usage?projectId=${projectId}`);
    if (answer.body.records.length >= count || Date.now() > deadline) return answer.body as { records: any[]; totals: any };
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A project whose calls only ever go to the model they name: for tests of one provider's
 * behaviour (its errors, its stream), which fallback to another model would hide.
 */
export const NAMED_MODEL_ONLY = { routing: { fallback: { fromNamedModel: false } } } as const;

/** Forgets the gateway's live model statistics, so that one test's 429s and failures do not steer the next. */
export async function resetModelStats(admin: AdminClient): Promise<void> {
  const answer = await admin.call('DELETE', '/api/models/stats');
  if (answer.status !== 204) throw new Error(`stats reset: ${answer.status} ${JSON.stringify(answer.body)}`);
}
