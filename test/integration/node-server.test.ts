import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startNodeServer } from '../../adapters/node/server.js';
import { adminClient, createModel, createProject, waitForUsage } from '../support/gateway-client.js';
import { startMockProvider, type MockProvider } from '../support/mock-provider.js';
import { startedUrl } from '../support/runtime-process.js';

const PROVIDER_KEY = 'sk-upstream-node-SECRET-1234';
const messages = [{ role: 'user' as const, content: 'hello node' }];

let mock: MockProvider;
const homes: string[] = [];
async function newHome(): Promise<string> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'routerly-node-'));
  homes.push(home);
  return home;
}

beforeAll(async () => {
  mock = await startMockProvider({ openaiKey: PROVIDER_KEY });
});
afterAll(async () => {
  await mock.close();
  await Promise.all(homes.map((home) => rm(home, { recursive: true, force: true })));
});

/** Starts a server, creates one OpenAI model and a project on it. */
async function configured(home: string) {
  const server = await startNodeServer({ home, port: 0, logger: false });
  const admin = await adminClient(server.url);
  await createModel(admin, { id: 'gpt', provider: 'openai', baseUrl: mock.openaiBaseUrl, apiKey: PROVIDER_KEY, pricing: { input: 1, output: 1 } });
  const project = await createProject(admin, 'p', ['gpt']);
  return { server, admin, project };
}

describe('Node server: what lands on disk', () => {
  it('keeps the documented layout, 0600 files, and no secret in clear', async () => {
    const home = await newHome();
    const { server, admin, project } = await configured(home);
    await new OpenAI({ apiKey: project.token, baseURL: `${server.url}/v1`, maxRetries: 0 }).chat.completions.create({ model: 'gpt', messages });
    await waitForUsage(admin, project.id, 1);
    await server.close();

    const config = (await readdir(path.join(home, 'config'))).sort();
    expect(config).toEqual(['models.json', 'projects.json', 'roles.json', 'secret', 'settings.json', 'users.json']);
    for (const name of config) expect((await stat(path.join(home, 'config', name))).mode & 0o777, name).toBe(0o600);
    expect((await stat(path.join(home, 'config'))).mode & 0o777).toBe(0o700);

    const everything = (await Promise.all(config.filter((n) => n !== 'secret').map((n) => readFile(path.join(home, 'config', n), 'utf8')))).join('\n');
    expect(everything).not.toContain(PROVIDER_KEY);
    expect(everything).not.toContain(project.token);
    expect(everything).not.toContain('correct horse battery');
    expect(everything).toMatch(/pbkdf2-sha256\$210000\$/);

    const segments = await readdir(path.join(home, 'data', 'usage'));
    expect(segments).toEqual([`${new Date().toISOString().slice(0, 10)}.jsonl`]);
    const lines = (await readFile(path.join(home, 'data', 'usage', segments[0]!), 'utf8')).trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).projectId)).toEqual([project.id]);
  });

  it('comes back after a restart with the generated secret: tokens and sealed keys still work', async () => {
    const home = await newHome();
    const first = await configured(home);
    await first.server.close();
    const secretFile = await readFile(path.join(home, 'config', 'secret'), 'utf8');
    expect(secretFile.trim().length).toBeGreaterThanOrEqual(32);

    const second = await startNodeServer({ home, port: 0, logger: false });
    const answer = await new OpenAI({ apiKey: first.project.token, baseURL: `${second.url}/v1`, maxRetries: 0 }).chat.completions.create({ model: 'gpt', messages });
    expect(answer.choices[0]!.message.content).toBe('echo: hello node');
    expect(mock.requests.at(-1)!.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    await second.close();
    expect(await readFile(path.join(home, 'config', 'secret'), 'utf8')).toBe(secretFile);
  });

  it('refuses to start on a corrupted config file instead of serving an empty one', async () => {
    const home = await newHome();
    const { server } = await configured(home);
    await server.close();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(home, 'config', 'projects.json'), '{ torn');
    await expect(startNodeServer({ home, port: 0, logger: false })).rejects.toThrow(/config\/projects\.json is not valid JSON/);
    await expect(startNodeServer({ home: await newHome(), port: 0, logger: false, secret: 'too-short' })).rejects.toThrow(/at least 32/);
  });
});

describe('Node server: count_tokens for OpenAI models', () => {
  it("counts their text with OpenAI's own tokenizer, which the Node adapter provides", async () => {
    const { server, project } = await configured(await newHome());
    try {
      const answer = await fetch(`${server.url}/v1/messages/count_tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': project.token, 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: 'gpt', messages: [{ role: 'user', content: 'hello world' }] }),
      });
      expect(answer.headers.get('x-routerly-warnings')).toContain('o200k_base');
      // 'hello world' is 2 tokens in o200k_base; 3 more frame the message.
      expect(await answer.json()).toEqual({ input_tokens: 5 });
      expect(mock.requests.filter((r) => r.path.includes('count_tokens'))).toHaveLength(0);
    } finally {
      await server.close(1000);
    }
  });
});

describe('Node server: request bodies without a length', () => {
  it('refuses a chunked body past the limit with 413 while reading it, and accepts one within it', async () => {
    const home = await newHome();
    const server = await startNodeServer({ home, port: 0, logger: false, settings: { maxBodyBytes: 64 * 1024 } });
    const admin = await adminClient(server.url);
    await createModel(admin, { id: 'gpt', provider: 'openai', baseUrl: mock.openaiBaseUrl, apiKey: PROVIDER_KEY });
    const project = await createProject(admin, 'p', ['gpt']);
    const { request } = await import('node:http');
    const send = (pieces: string[]) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const url = new URL(`${server.url}/v1/chat/completions`);
        const req = request(
          { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { authorization: `Bearer ${project.token}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
          (res) => {
            let body = '';
            res.on('data', (chunk) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode!, body }));
          },
        );
        req.on('error', reject);
        for (const piece of pieces) req.write(piece);
        req.end();
      });
    const small = JSON.stringify({ model: 'gpt', messages });
    expect((await send([small.slice(0, 10), small.slice(10)])).status).toBe(200);
    const big = JSON.stringify({ model: 'gpt', messages, padding: 'x'.repeat(200 * 1024) });
    const answer = await send(Array.from({ length: Math.ceil(big.length / 8192) }, (_, i) => big.slice(i * 8192, (i + 1) * 8192)));
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).error.type).toBe('invalid_request_error');
    await server.close();
  });
});

describe('Node server: streaming', () => {
  it('sends each event on before the provider has finished', async () => {
    const { server, project } = await configured(await newHome());
    mock.reset();
    mock.enqueue({ kind: 'slowStream', chunkDelayMs: 150, chunks: 6 });
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${project.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt', messages, stream: true }),
    });
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toMatch(/^data: /);
    // The client holds a chunk while the provider is still writing: nothing was buffered.
    expect(mock.requests[0]!.finished).toBe(false);
    while (!(await reader.read()).done);
    expect(mock.requests[0]!.finished).toBe(true);
    await server.close();
  });
});

describe('Node server: npm start and SIGTERM', () => {
  let child: ChildProcess | undefined;
  afterEach(() => child?.kill('SIGKILL'));

  it('finishes the stream in flight, refuses new connections, flushes usage and exits 0', async () => {
    const home = await newHome();
    child = spawn(process.execPath, ['--import', 'tsx', 'adapters/node/main.ts'], {
      env: { ...process.env, ROUTERLY_HOME: home, ROUTERLY_PORT: '0', PORT: '', ROUTERLY_SHUTDOWN_GRACE_MS: '10000' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let logs = '';
    child.stderr!.on('data', (chunk) => (logs += chunk));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    await expect.poll(() => startedUrl(logs), { timeout: 20_000 }).toBeTruthy();
    const url = startedUrl(logs)!;

    const admin = await adminClient(url);
    await createModel(admin, { id: 'gpt', provider: 'openai', baseUrl: mock.openaiBaseUrl, apiKey: PROVIDER_KEY });
    const project = await createProject(admin, 'p', ['gpt']);
    mock.reset();
    mock.enqueue({ kind: 'slowStream', chunkDelayMs: 100, chunks: 10 });
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${project.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt', messages, stream: true }),
    });
    const reader = response.body!.getReader();
    await reader.read();

    child.kill('SIGTERM');
    await expect.poll(() => logs.includes('SIGTERM')).toBe(true);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value);
    expect(rest.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(await exited).toBe(0);

    const segments = await readdir(path.join(home, 'data', 'usage'));
    const records = (await readFile(path.join(home, 'data', 'usage', segments[0]!), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ stream: true, outcome: 'ok', projectId: project.id });
    expect(logs).not.toContain(PROVIDER_KEY);
    expect(logs).not.toContain(project.token);
  });
});
