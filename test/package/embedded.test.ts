/**
 * The built package embedded in other apps, as a user would: the packed tarball is installed into
 * an empty folder with the apps' own dependencies, the example apps in ./consumer (the README's
 * examples) are type-checked against the installed declarations and compiled by tsc, then run:
 * a Hono app mounting the gateway under /llm (memory store), a plain node:http server (file store)
 * and a Bun.serve server (file store). The official OpenAI and Anthropic clients call each.
 */
import { copyFile, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { adminClient } from '../support/gateway-client.js';
import { startMockProvider, type MockProvider } from '../support/mock-provider.js';
import { installPackedPackage, removeTempFolders, REPO_ROOT, tempFolder } from '../support/pack.js';
import { exerciseGateway } from './exercise.js';
import { cleanEnv, runCommand, startServer, type Finished, type RunningServer } from './processes.js';

const CONSUMER_SOURCES = path.join(import.meta.dirname, 'consumer');
const TSC = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const BUN = path.join(REPO_ROOT, 'node_modules', '.bin', 'bun');
const SECRET = 'an embedding secret of at least 32 characters';
const READY = /listening on (http:\/\/\S+)/;

/** The version this repository uses of a package, so the consumer installs what the tests know. */
async function versionOf(name: string): Promise<string> {
  return (JSON.parse(await readFile(path.join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

let app: string;
let mock: MockProvider;
const typeChecks: Record<string, Finished> = {};
const running: RunningServer[] = [];

beforeAll(async () => {
  const bunVersion = await versionOf('bun');
  const extra = [
    `hono@${await versionOf('hono')}`,
    `@hono/node-server@${await versionOf('@hono/node-server')}`,
    `@types/node@${await versionOf('@types/node')}`,
    `@types/bun@${bunVersion}`,
  ];
  [app, mock] = await Promise.all([installPackedPackage('routerly-embed-', extra), startMockProvider({})]);
  for (const file of await readdir(CONSUMER_SOURCES)) await copyFile(path.join(CONSUMER_SOURCES, file), path.join(app, file));
  // tsc emits the Node apps' JavaScript even when it reports errors, so each check has a test of its own.
  for (const project of ['tsconfig.json', 'tsconfig.bun.json', 'tsconfig.declarations.json']) {
    typeChecks[project] = await runCommand(process.execPath, [TSC, '-p', project], { cwd: app });
  }
}, 240_000);

afterAll(async () => {
  await Promise.all(running.map((server) => server.stop()));
  await mock?.close();
  await removeTempFolders();
});

async function start(command: string, args: string[], env: Record<string, string> = {}): Promise<RunningServer> {
  const server = await startServer(command, args, { cwd: app, env: cleanEnv({ PORT: '0', ROUTERLY_SECRET: SECRET, ...env }), ready: READY });
  running.push(server);
  return server;
}

describe('types', () => {
  const diagnostics = (result: Finished) => `${result.stdout}${result.stderr}`.trim();
  it("type-check the Node apps against the installed package's declarations", () => {
    expect(diagnostics(typeChecks['tsconfig.json']!)).toBe('');
    expect(typeChecks['tsconfig.json']!.code).toBe(0);
  });
  it('type-check the Bun app with @types/bun', () => {
    expect(diagnostics(typeChecks['tsconfig.bun.json']!)).toBe('');
    expect(typeChecks['tsconfig.bun.json']!.code).toBe(0);
  });
  it('check every entry point\'s declarations with skipLibCheck off, @types/node and no DOM lib', () => {
    expect(diagnostics(typeChecks['tsconfig.declarations.json']!)).toBe('');
    expect(typeChecks['tsconfig.declarations.json']!.code).toBe(0);
  });
});

it("the example apps are the README's examples, verbatim", async () => {
  const readme = await readFile(path.join(REPO_ROOT, 'README.md'), 'utf8');
  for (const app of ['hono-app.mts', 'node-http-app.mts', 'bun-app.mts']) {
    // The file without its opening comment, which the README says in prose.
    const code = (await readFile(path.join(CONSUMER_SOURCES, app), 'utf8')).replace(/^(\/\/.*\n)+/, '');
    expect(readme, `README.md should show test/package/consumer/${app} in a code block`).toContain(`\`\`\`ts\n${code}\`\`\``);
  }
});

it('serves under /llm in a Hono app, beside the app\'s own routes, from memory', async () => {
  const server = await start(process.execPath, ['out/hono-app.mjs']);
  expect(await (await fetch(`${server.url}/`)).text()).toBe('the rest of my app');
  // Only /llm reaches the gateway: the same path at the root is the host app's 404.
  const outside = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', body: '{}' });
  expect(outside.status).toBe(404);
  expect(await outside.text()).toBe('404 Not Found');
  await exerciseGateway(`${server.url}/llm`, mock);
  expect(await server.stop()).toBe(0);
}, 60_000);

it('serves from a plain node:http server, streaming, and keeps its data in the file store', async () => {
  const home = await tempFolder('routerly-embed-home-');
  let server = await start(process.execPath, ['out/node-http-app.mjs'], { ROUTERLY_HOME: home });
  const { projectId, token } = await exerciseGateway(server.url, mock);
  // SIGTERM: the app drains and flushes the usage it buffered, then exits 0.
  expect(await server.stop()).toBe(0);
  expect(await readdir(home)).not.toEqual([]);

  // The same folder on a new process: the admin, the project and the four calls are all there.
  server = await start(process.execPath, ['out/node-http-app.mjs'], { ROUTERLY_HOME: home });
  const admin = await adminClient(server.url);
  expect((await admin.call('GET', `/api/usage?projectId=${projectId}`)).body.records).toHaveLength(4);

  // A client that hangs up reaches the provider's call: mid-stream (the answer's body is cancelled),
  // and before any answer (only the Request's abort signal can tell the gateway then).
  const openai = new OpenAI({ apiKey: token, baseURL: `${server.url}/v1`, maxRetries: 0 });
  const lastCallAborted = () =>
    vi.waitFor(() => expect(mock.requests.at(-1)).toMatchObject({ path: '/v1/chat/completions', aborted: true }), { timeout: 5000 });
  mock.enqueue({ kind: 'slowStream', chunkDelayMs: 200, chunks: 20 }, { model: 'gpt' });
  const stream = await openai.chat.completions.create({ model: 'gpt', stream: true, messages: [{ role: 'user', content: 'a long answer nobody waits for' }] });
  for await (const chunk of stream) if (chunk.choices[0]?.delta.content) break; // leaving the loop aborts the request
  await lastCallAborted();
  mock.enqueue({ kind: 'hang' }, { model: 'gpt' });
  const waited = openai.chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: 'no answer comes' }] }, { signal: AbortSignal.timeout(500) });
  await expect(waited).rejects.toThrow(/abort/i);
  await lastCallAborted();
  expect(await server.stop()).toBe(0);
}, 60_000);

it('serves from Bun.serve with the file store', async () => {
  const home = await tempFolder('routerly-embed-bun-');
  const server = await start(BUN, ['bun-app.mts'], { ROUTERLY_HOME: home });
  const { admin, projectId } = await exerciseGateway(server.url, mock);
  expect((await admin.call('GET', `/api/usage?projectId=${projectId}`)).body.records).toHaveLength(4);
  expect(await server.stop()).toBe(0);
  expect(await readdir(home)).not.toEqual([]);
}, 60_000);
