/**
 * Every command group of the built `routerly` bin against a real gateway and the mock provider,
 * in its human and its --json form, then the whole path a new user takes: a model from the
 * catalog, a project, a token, a call with the OpenAI SDK, and that call in `routerly usage`.
 * Error paths end in one stderr line and the documented exit code.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startNodeServer, type NodeServer } from '../../adapters/node/server.js';
import { requestJson } from '../support/gateway-client.js';
import { startMockProvider, type MockProvider } from '../support/mock-provider.js';
import { cliUser, type CliResult, type CliUser } from './run-cli.js';

const EMAIL = 'admin@example.com';
const PASSWORD = 'correct horse battery';
const PROVIDER_KEY = 'sk-upstream-cli-SECRET-4321';

let mock: MockProvider;
// Each test runs the CLI a dozen times or more, a process each: slow when the machine is busy.
vi.setConfig({ testTimeout: 120_000 });

let gatewayHome: string;
let server: NodeServer;
let user: CliUser;

/** Runs the CLI and fails with its stderr when it did not exit 0. */
async function ok(args: string[], options?: Parameters<CliUser['run']>[1]): Promise<CliResult> {
  const result = await user.run(args, options);
  if (result.code !== 0) throw new Error(`routerly ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result;
}
const json = async (args: string[], options?: Parameters<CliUser['run']>[1]) => JSON.parse((await ok([...args, '--json'], options)).stdout);

/** A failure: its exit code, and stderr, which must be exactly one `routerly: ` line. */
async function fails(args: string[], options?: Parameters<CliUser['run']>[1]): Promise<{ code: number | null; message: string; stdout: string }> {
  const result = await user.run(args, options);
  expect(result.stderr, `routerly ${args.join(' ')}`).toMatch(/^routerly: [^\n]+\n$/);
  return { code: result.code, message: result.stderr.slice('routerly: '.length, -1), stdout: result.stdout };
}

beforeAll(async () => {
  mock = await startMockProvider({ openaiKey: PROVIDER_KEY });
  gatewayHome = await mkdtemp(path.join(os.tmpdir(), 'routerly-cli-gw-'));
  server = await startNodeServer({ home: gatewayHome, port: 0, logger: false });
  user = await cliUser();
  await ok(['setup', server.url, '--email', EMAIL, '--password', PASSWORD]);
});
beforeEach(() => mock.reset());
afterAll(async () => {
  await server?.close(1000);
  await mock?.close();
  await user?.cleanup();
  await rm(gatewayHome, { recursive: true, force: true });
});

describe('the whole path: catalog model, project, token, a real call, its usage', () => {
  it('works end to end, printing each secret once and never the provider key', async () => {
    // The catalog's own entry, asked of the API directly: what the CLI must have filled in.
    const admin = (await requestJson(`${server.url}/api/auth/login`, 'POST', { email: EMAIL, password: PASSWORD })).body.token as string;
    const catalog = await requestJson(`${server.url}/api/catalog?provider=openai&q=gpt-4o-mini&limit=500`, 'GET', undefined, admin);
    const entry = catalog.body.models.find((m: { upstreamModel: string }) => m.upstreamModel === 'gpt-4o-mini');
    expect(entry.pricing.input).toBeGreaterThan(0);

    const added = await ok(['model', 'add', 'gpt-4o-mini', '--provider', 'openai', '--from-catalog', '--base-url', mock.openaiBaseUrl, '--api-key-stdin'], {
      input: `${PROVIDER_KEY}\n`,
    });
    expect(added.stdout).toContain('added model gpt-4o-mini');
    expect(added.stdout).toMatch(/^key: +set \(never shown\)$/m);
    expect(added.stdout).not.toContain(PROVIDER_KEY);
    const model = await json(['model', 'show', 'gpt-4o-mini']);
    expect(model).toMatchObject({ id: 'gpt-4o-mini', provider: 'openai', pricing: entry.pricing, contextWindow: entry.contextWindow, maxOutputTokens: entry.maxOutputTokens, hasApiKey: true });
    expect(model.upstreamModel).toBeUndefined();
    // The key reached the provider: the mock refuses any other.
    const tested = await ok(['model', 'test', 'gpt-4o-mini']);
    expect(tested.stdout).toMatch(/^model gpt-4o-mini answered in \d+ ms, \d+ input and \d+ output tokens, \$[\d.e-]+: "echo: Reply with the word ok\."\n$/);

    const project = await json(['project', 'create', 'team-a', '--models', 'gpt-4o-mini']);
    expect(project).toMatchObject({ name: 'team-a', models: ['gpt-4o-mini'], token: expect.stringMatching(/^sk-rt-/) });
    const created = await ok(['token', 'create', 'team-a', '--name', 'ci']);
    const secret = created.stdout.trim().split('\n').at(-1)!;
    expect(secret).toMatch(/^sk-rt-/);
    expect(created.stdout).toContain('shown only this once');

    const openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: secret, maxRetries: 0 });
    const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello from the cli test' }] });
    expect(completion.choices[0]!.message.content).toBe('echo: hello from the cli test');

    // The call is recorded just after its answer: ask until it shows.
    let summary: any;
    for (let i = 0; i < 50; i += 1) {
      summary = await json(['usage', '--project', 'team-a', '--group-by', 'token']);
      if (summary.totals.requests >= 1) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const tokenId = (await json(['token', 'list', 'team-a'])).find((t: { name?: string }) => t.name === 'ci').id;
    expect(summary.totals).toMatchObject({ requests: 1, errors: 0, inputTokens: completion.usage!.prompt_tokens, outputTokens: completion.usage!.completion_tokens });
    expect(summary.groups.map((g: { key: string }) => g.key)).toEqual([tokenId]);
    const table = await ok(['usage', '--project', 'team-a', '--group-by', 'model']);
    expect(table.stdout).toMatch(/^MODEL +CALLS +ERRORS/);
    expect(table.stdout).toMatch(/^gpt-4o-mini +1 +0 /m);
    expect(table.stdout).toMatch(/^total +1 +0 /m);
  });
});

describe('model', () => {
  it('add by flags, list, show, update (one price keeps the other), remove, in both forms', async () => {
    const created = await json(['model', 'add', 'local', '--provider', 'ollama', '--upstream-model', 'llama3.2', '--input-price', '0.5', '--output-price', '1.5', '--rpm', '60']);
    expect(created).toMatchObject({ id: 'local', provider: 'ollama', upstreamModel: 'llama3.2', pricing: { input: 0.5, output: 1.5 }, limits: { rpm: 60 }, hasApiKey: false });
    const list = await ok(['model', 'list']);
    expect(list.stdout).toMatch(/^ID +PROVIDER +UPSTREAM +INPUT \$\/M +OUTPUT \$\/M +CONTEXT +KEY$/m);
    expect(list.stdout).toMatch(/^local +ollama +llama3\.2 +0\.5 +1\.5 +- +none$/m);
    expect((await json(['model', 'list'])).models.map((m: { id: string }) => m.id)).toContain('local');
    const updated = await json(['model', 'update', 'local', '--output-price', '2', '--api-key-env', 'LOCAL_KEY'], { env: { LOCAL_KEY: 'k-local' } });
    expect(updated).toMatchObject({ pricing: { input: 0.5, output: 2 }, hasApiKey: true, limits: { rpm: 60 } });
    expect((await ok(['model', 'update', 'local', '--remove-api-key'])).stdout).toMatch(/^key: +none$/m);
    expect((await ok(['model', 'show', 'local'])).stdout).toMatch(/^pricing: +input \$0\.5, output \$2 per million tokens$/m);
    expect((await ok(['model', 'remove', 'local'])).stdout).toBe('removed model local\n');
    expect((await fails(['model', 'show', 'local'])).code).toBe(4);
  });

  it('catalog search in both forms; an ambiguous catalog name asks for --provider', async () => {
    expect((await ok(['model', 'catalog', 'gpt-4o-mini', '--provider', 'openai'])).stdout).toMatch(/^openai +gpt-4o-mini +GPT-4o mini +0\.15 /m);
    const answer = await json(['model', 'catalog', 'claude', '--provider', 'anthropic', '--limit', '3']);
    expect(answer.models).toHaveLength(3);
    const ambiguous = await fails(['model', 'add', 'x', '--from-catalog', 'gpt-4o-mini']);
    expect(ambiguous).toMatchObject({ code: 2, message: expect.stringContaining('pass --provider') });
    const unknown = await fails(['model', 'add', 'x', '--provider', 'openai', '--from-catalog', 'no-such-model-anywhere']);
    expect(unknown.code).toBe(4);
  });

  it("test of a failing model exits 1 with the provider's message; --json prints the answer and exits 1", async () => {
    await ok(['model', 'add', 'broken', '--provider', 'openai', '--base-url', mock.openaiBaseUrl, '--api-key', 'sk-wrong-key']);
    const human = await fails(['model', 'test', 'broken']);
    expect(human.code).toBe(1);
    expect(human.message).toMatch(/^model broken failed its test \(provider status 401\) after \d+ ms: /);
    const machine = await user.run(['model', 'test', 'broken', '--json']);
    expect(machine.code).toBe(1);
    expect(JSON.parse(machine.stdout)).toMatchObject({ ok: false, status: 401 });
    await ok(['model', 'remove', 'broken']);
  });

  it('an id with a slash and an @ works for show, update, test and remove', async () => {
    await ok(['model', 'add', 'team/gpt@eu', '--provider', 'openai', '--upstream-model', 'gpt-4o-mini', '--base-url', mock.openaiBaseUrl, '--api-key', PROVIDER_KEY]);
    expect((await json(['model', 'show', 'team/gpt@eu'])).id).toBe('team/gpt@eu');
    expect((await json(['model', 'update', 'team/gpt@eu', '--context-window', '1000'])).contextWindow).toBe(1000);
    expect((await json(['model', 'test', 'team/gpt@eu'])).ok).toBe(true);
    await ok(['model', 'remove', 'team/gpt@eu']);
    expect((await fails(['model', 'show', 'team/gpt@eu'])).code).toBe(4);
  });

  it('unknown model: exit 4 with the API message', async () => {
    expect(await fails(['model', 'show', 'nope'])).toEqual({ code: 4, message: 'no model "nope"', stdout: '' });
    expect((await fails(['model', 'test', 'nope'])).code).toBe(4);
    expect((await fails(['model', 'remove', 'nope'])).code).toBe(4);
  });
});

describe('project, token, routing, budget', () => {
  beforeAll(async () => {
    await ok(['model', 'add', 'm1', '--provider', 'openai', '--base-url', mock.openaiBaseUrl, '--api-key', PROVIDER_KEY, '--input-price', '1', '--output-price', '2']);
    await ok(['model', 'add', 'm2', '--provider', 'openai', '--base-url', mock.openaiBaseUrl, '--api-key', PROVIDER_KEY, '--input-price', '3', '--output-price', '4']);
  });

  it('project create, list, show, update, member, remove', async () => {
    const created = await ok(['project', 'create', 'proj-b', '--models', 'm1', '--rpm', '100']);
    expect(created.stdout).toMatch(/^created project proj-b \(prj_[\w-]+\) with models m1\ntoken tok_[\w-]+ \(shown only this once, store it now\):\nsk-rt-\S+\n$/);
    expect((await ok(['project', 'list'])).stdout).toMatch(/^prj_\S+ +proj-b +m1 +1 +-$/m);
    const listed = await json(['project', 'list']);
    const id = listed.projects.find((p: { name: string }) => p.name === 'proj-b').id;
    const updated = await json(['project', 'update', 'proj-b', '--add-model', 'm2', '--tpm', '5000', '--unknown-model', 'reject']);
    expect(updated).toMatchObject({ id, models: ['m1', 'm2'], limits: { rpm: 100, tpm: 5000 }, unknownModel: 'reject' });
    const shown = await ok(['project', 'show', id]);
    expect(shown.stdout).toMatch(/^models: +m1, m2$/m);
    expect(shown.stdout).toMatch(/^limits: +rpm 100, tpm 5000$/m);
    expect(shown.stdout).toMatch(/^TOKEN +NAME +ENDS WITH/m);
    await ok(['user', 'create', '--email', 'viewer@example.com', '--role', 'viewer', '--password', 'viewer password 1']);
    expect((await ok(['project', 'member', 'set', 'proj-b', 'viewer@example.com', '--role', 'editor'])).stdout).toBe('viewer@example.com is now editor of project proj-b\n');
    expect((await json(['project', 'show', 'proj-b'])).members).toEqual([{ userId: expect.stringMatching(/^usr_/), role: 'editor' }]);
    await ok(['project', 'member', 'remove', 'proj-b', 'viewer@example.com']);
    expect((await ok(['project', 'update', 'proj-b', '--no-limits', '--json'])).stdout).not.toContain('"limits"');
    expect((await ok(['project', 'remove', 'proj-b'])).stdout).toBe(`removed project proj-b (${id})\n`);
    expect((await fails(['project', 'show', 'proj-b'])).code).toBe(4);
    expect((await fails(['project', 'show', id])).code).toBe(4);
    await ok(['user', 'remove', 'viewer@example.com']);
  });

  it('token create (--json holds the secret), list, update, revoke: a revoked token is refused at once', async () => {
    await ok(['project', 'create', 'proj-t', '--models', 'm1']);
    const token = await json(['token', 'create', 'proj-t', '--name', 'svc', '--concurrency', '2']);
    expect(token).toMatchObject({ id: expect.stringMatching(/^tok_/), name: 'svc', limits: { concurrency: 2 }, token: expect.stringMatching(/^sk-rt-/) });
    const list = await ok(['token', 'list', 'proj-t']);
    expect(list.stdout).toMatch(new RegExp(`^${token.id} +svc +${token.hint} `, 'm'));
    expect(list.stdout).not.toContain(token.token);
    expect((await json(['token', 'update', 'proj-t', 'svc', '--name', 'svc2'])).name).toBe('svc2');
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: token.token, maxRetries: 0 });
    await client.chat.completions.create({ model: 'm1', messages: [{ role: 'user', content: 'hi' }] });
    expect((await ok(['token', 'revoke', 'proj-t', 'svc2'])).stdout).toBe(`revoked token ${token.id} (svc2) of project proj-t\n`);
    await expect(client.chat.completions.create({ model: 'm1', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 401 });
    expect((await fails(['token', 'revoke', 'proj-t', token.id])).code).toBe(4);
  });

  it('routing set, show (both forms, --json round-trips through --file), preview', async () => {
    await ok(['project', 'update', 'proj-t', '--models', 'm1,m2']);
    const set = await ok(['routing', 'set', 'proj-t', '--policies', 'cheapest,health:2', '--retries', '1', '--max-attempts', '2']);
    expect(set.stdout).toMatch(/^policies: +cheapest, health:2$/m);
    const routing = await json(['routing', 'show', 'proj-t']);
    expect(routing).toEqual({ policies: [{ type: 'cheapest' }, { type: 'health', weight: 2 }], retries: { max: 1 }, fallback: { maxAttempts: 2 } });
    expect((await ok(['routing', 'show', 'proj-t'])).stdout).toMatch(/^retries: +1 on the same model$/m);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'routerly-cli-routing-'));
    try {
      const { writeFile } = await import('node:fs/promises');
      await writeFile(path.join(dir, 'r.json'), JSON.stringify({ ...routing, deadlineMs: 9000 }));
      expect(await json(['routing', 'set', 'proj-t', '--file', path.join(dir, 'r.json')])).toEqual({ ...routing, deadlineMs: 9000 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const preview = await json(['routing', 'preview', 'proj-t', '--model', 'auto']);
    expect(preview.order).toEqual(['m1', 'm2']);
    const human = await ok(['routing', 'preview', 'proj-t']);
    expect(human.stdout).toMatch(/^"auto" \(\w+\) would try, in order: m1, m2$/m);
    expect(human.stdout).toMatch(/^MODEL +SCORE +BY POLICY$/m);
    expect(await json(['routing', 'set', 'proj-t', '--reset'])).toEqual({});
    // Aliases: a name clients send, routed among models of its own.
    expect(await json(['routing', 'alias', 'set', 'proj-t', 'fast', '--models', 'm2'])).toEqual({ fast: { models: ['m2'] } });
    expect((await ok(['routing', 'show', 'proj-t'])).stdout).toMatch(/^aliases: +fast -> m2$/m);
    expect((await json(['routing', 'preview', 'proj-t', '--model', 'fast'])).order).toEqual(['m2']);
    expect((await fails(['routing', 'alias', 'set', 'proj-t', 'm1', '--models', 'm2'])).message).toContain('would hide the pool model');
    expect((await ok(['routing', 'alias', 'remove', 'proj-t', 'fast'])).stdout).toBe('removed alias fast of project proj-t\n');
    expect((await fails(['routing', 'alias', 'remove', 'proj-t', 'fast'])).code).toBe(4);
  });

  it('budget set on the project and on a token, show in both forms, remove', async () => {
    const set = await ok(['budget', 'set', 'proj-t', '--period', 'month', '--usd', '25']);
    expect(set.stdout).toBe('budgets of project proj-t: month: $25\n');
    const tokenId = (await json(['token', 'list', 'proj-t']))[0].id;
    await ok(['budget', 'set', 'proj-t', '--period', 'day', '--tokens', '1000', '--token', tokenId]);
    const status = await json(['budget', 'show', 'proj-t']);
    expect(status.budgets).toEqual([
      expect.objectContaining({ scope: 'project', period: 'month', limitUsd: 25, spentUsd: expect.any(Number) }),
      expect.objectContaining({ scope: 'token', id: tokenId, period: 'day', limitTokens: 1000 }),
    ]);
    const table = await ok(['budget', 'show', 'proj-t']);
    expect(table.stdout).toMatch(/^SCOPE +PERIOD +SPENT +LIMIT +TOKENS +TOKEN LIMIT +RESETS$/m);
    expect(table.stdout).toMatch(/^project +month +\$[\d.]+ +\$25\.00 +- +- +\d{4}-/m);
    expect((await json(['budget', 'remove', 'proj-t', '--period', 'month'])).budgets).toBeUndefined();
    expect((await fails(['budget', 'remove', 'proj-t', '--period', 'month'])).code).toBe(2);
  });
});

describe('user and role', () => {
  it('role create, list, show, update, remove; user create, list, show, update, remove', async () => {
    expect(await json(['role', 'create', 'auditor', '--permissions', 'audit:read,usage:read', '--description', 'reads logs'])).toMatchObject({
      id: 'auditor',
      permissions: ['audit:read', 'usage:read'],
      builtIn: false,
    });
    expect((await ok(['role', 'list'])).stdout).toMatch(/^auditor +no +audit:read, usage:read +reads logs$/m);
    expect((await ok(['role', 'show', 'admin'])).stdout).toMatch(/^built in: +yes$/m);
    expect((await json(['role', 'update', 'auditor', '--permissions', 'audit:read'])).permissions).toEqual(['audit:read']);

    const created = await json(['user', 'create', '--email', 'Ann@Example.com', '--role', 'auditor'], { input: 'ann password 123\n' });
    expect(created).toMatchObject({ email: 'ann@example.com', role: 'auditor', disabled: false });
    expect((await ok(['user', 'list'])).stdout).toMatch(/^usr_\S+ +ann@example\.com +auditor +no /m);
    expect((await json(['user', 'list'])).users).toHaveLength(2);
    expect((await ok(['user', 'show', 'ann@example.com'])).stdout).toMatch(new RegExp(`^id: +${created.id}$`, 'm'));
    expect((await json(['user', 'update', created.id, '--disable'])).disabled).toBe(true);
    // The role is in use: the API's refusal, in one line.
    expect(await fails(['role', 'remove', 'auditor'])).toMatchObject({ code: 1, message: expect.stringContaining('is held by users') });
    expect((await ok(['user', 'remove', 'ann@example.com'])).stdout).toBe('removed user ann@example.com\n');
    expect((await ok(['role', 'remove', 'auditor'])).stdout).toBe('removed role auditor\n');
    expect((await fails(['role', 'show', 'auditor'])).code).toBe(4);
    expect((await fails(['user', 'show', 'ann@example.com'])).code).toBe(4);
  });
});

describe('logs, trace, audit, model stats, settings', () => {
  it('logs and trace show the call the whole path made; audit shows the writes; stats the model', async () => {
    const page = await json(['logs', '--project', 'team-a']);
    const call = page.calls.find((c: { model: string }) => c.model === 'gpt-4o-mini');
    expect(call).toMatchObject({ status: 200, outcome: 'ok', attempts: 1 });
    const logs = await ok(['logs', '--limit', '5']);
    expect(logs.stdout).toMatch(/^TIME +PROJECT +MODEL +STATUS +OUTCOME/);
    expect(logs.stdout).toContain(call.requestId);
    const trace = await json(['trace', call.requestId]);
    expect(trace.records.at(-1)).toMatchObject({ model: 'gpt-4o-mini', outcome: 'ok', routing: { requested: 'gpt-4o-mini' } });
    expect((await ok(['trace', call.requestId])).stdout).toMatch(/^ *1 +\S+ +gpt-4o-mini +openai +200 +ok /m);
    expect((await fails(['trace', 'req_nope'])).code).toBe(4);
    const audit = await json(['audit']);
    expect(audit.entries.some((e: { method: string; route: string; status: number }) => e.method === 'POST' && e.route === '/api/projects' && e.status === 201)).toBe(true);
    expect((await ok(['audit', '--limit', '1000'])).stdout).toMatch(/^\S+ +admin@example\.com +\S+ +POST \/api\/projects +prj_\S+ +models, name +201$/m);
    expect((await json(['model', 'stats'])).models.map((m: { model: string }) => m.model)).toContain('gpt-4o-mini');
    expect((await ok(['model', 'stats'])).stdout).toMatch(/^gpt-4o-mini +closed +\d+ /m);
  });

  it('settings set merges into the current settings; the metrics token is read from stdin and works', async () => {
    const before = await json(['settings', 'show']);
    expect(before.hasMetricsToken).toBe(false);
    await ok(['settings', 'set', '--connect-timeout-ms', '5000']);
    const set = await json(['settings', 'set', '--total-timeout-ms', '60000', '--metrics-token-stdin'], { input: 'metrics-token-0123456789\n' });
    expect(set).toMatchObject({ defaultTimeouts: { connectMs: 5000, totalMs: 60000 }, hasMetricsToken: true });
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456789' } })).status).toBe(200);
    const shown = await ok(['settings', 'show']);
    expect(shown.stdout).toMatch(/^default connect timeout: +5000 ms$/m);
    expect(shown.stdout).toMatch(/^metrics token: +set \(never shown\)$/m);
    expect(shown.stdout).not.toContain('metrics-token-0123456789');
    await ok(['settings', 'set', '--remove-metrics-token']);
    expect((await json(['settings', 'show'])).hasMetricsToken).toBe(false);
  });
});

describe('usage errors, help and unreachable gateways', () => {
  it('bad flags and arguments are exit 2, checked before any request', async () => {
    // A session pointing at a closed port: a request would fail with exit 1, so exit 2 proves none was sent.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const dead = await cliUser();
    try {
      const { mkdir, writeFile } = await import('node:fs/promises');
      await mkdir(path.dirname(dead.sessionFile), { recursive: true });
      await writeFile(dead.sessionFile, JSON.stringify({ url: `http://127.0.0.1:${port}`, token: 'x.y.z', email: EMAIL, savedAt: '' }), { mode: 0o600 });
      const cases = [
        ['model', 'list', '--bogus'],
        ['model', 'add', 'x', '--provider', 'nope'],
        ['model', 'add', 'x', '--provider', 'openai', '--input-price', 'cheap'],
        ['model', 'add', 'x', '--provider', 'openai', '--input-price', '1'],
        ['model', 'add', 'bad id!', '--provider', 'openai'],
        ['model', 'add', 'x'],
        ['model', 'add', 'x', '--provider', 'openai', '--api-key-env', 'ROUTERLY_TEST_UNSET'],
        ['model', 'update', 'x'],
        ['model', 'update', 'x', '--remove-api-key', '--api-key', 'k'],
        ['project', 'update', 'p'],
        ['project', 'update', 'p', '--models', 'a', '--add-model', 'b'],
        ['token', 'update', 'p', 't'],
        ['project', 'create', 'p', '--rpm', '-1'],
        ['project', 'create', 'p', '--rpm', '10', '--no-limits'],
        ['token', 'create', 'p', '--tpm', '1.5'],
        ['routing', 'set', 'p', '--policies', 'fastest'],
        ['routing', 'set', 'p'],
        ['routing', 'alias', 'set', 'p', 'auto', '--models', 'm1'],
        ['budget', 'set', 'p', '--period', 'year', '--usd', '1'],
        ['budget', 'set', 'p', '--period', 'day'],
        ['usage', '--from', 'yesterday'],
        ['usage', '--group-by', 'hour'],
        ['usage', '--from', '2026-12-02', '--to', '2026-12-01'],
        ['role', 'create', 'r', '--permissions', 'everything'],
        ['logs', '--limit', '0'],
        ['audit', '--from', 'monday'],
        ['settings', 'set'],
        ['settings', 'set', '--forbid-private-addresses', '--allow-private-addresses'],
        ['start', '--port', '70000'],
        ['nonsense'],
      ];
      // Four at a time: each is a process of its own.
      for (let at = 0; at < cases.length; at += 4) {
        const batch = cases.slice(at, at + 4);
        const results = await Promise.all(batch.map((args) => dead.run(args)));
        results.forEach((result, i) => {
          expect([batch[i], result.code]).toEqual([batch[i], 2]);
          expect(result.stderr, batch[i]!.join(' ')).toMatch(/^routerly: [^\n]+\n$/);
        });
      }
      // A request that does go out: the unreachable gateway, exit 1.
      const down = await dead.run(['model', 'list']);
      expect([down.code, down.stderr]).toEqual([1, `routerly: cannot reach the gateway at http://127.0.0.1:${port}: connection refused (is it running?)\n`]);
    } finally {
      await dead.cleanup();
    }
  });

  it('--help works on every level, exit 0; a group alone shows its help, exit 2', async () => {
    for (const args of [['--help'], ['model', '--help'], ['routing', 'set', '--help'], ['project', 'member', 'set', '--help'], ['help', 'token']]) {
      const result = await user.run(args);
      expect([args, result.code]).toEqual([args, 0]);
      expect(result.stdout).toMatch(/^Usage: routerly/);
    }
    const top = await ok(['--help']);
    expect(top.stdout).toContain('Exit codes:');
    expect(top.stdout).toMatch(/^ {2}4 {2}not found/m);
    expect((await ok(['routing', 'set', '--help'])).stdout).toContain('--policies <list>');
    const group = await user.run(['budget']);
    expect(group.code).toBe(2);
    expect(group.stderr).toMatch(/^Usage: routerly budget/);
    expect((await ok(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});
