// The start and stop of a server process as an operator sees them, for the Bun and Deno
// entries (the Node one has its own, older tests: test/integration/node-*.test.ts): a stop
// signal drains a stream in flight and writes its usage, a stream past the grace is cut and
// still recorded, a configuration mistake is one line and exit 1, the client's address reaches
// the gateway.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, createModel, createProject } from './gateway-client.js';
import { startMockProvider, type MockProvider } from './mock-provider.js';
import { startServerProcess, type ServerProcess } from './runtime-process.js';

const PROVIDER_KEY = 'sk-upstream-runtime-lifecycle-1234';
const messages = [{ role: 'user', content: 'hello' }];

async function usageRecords(home: string): Promise<Array<Record<string, unknown>>> {
  const folder = path.join(home, 'data', 'usage');
  const records: Array<Record<string, unknown>> = [];
  for (const segment of await readdir(folder).catch(() => [])) {
    if (!segment.endsWith('.jsonl')) continue;
    const text = await readFile(path.join(folder, segment), 'utf8');
    for (const line of text.split('\n')) if (line.trim() !== '') records.push(JSON.parse(line) as Record<string, unknown>);
  }
  return records;
}

export function describeServerLifecycle(runtime: string, command: string, args: string[]): void {
  describe(`${runtime} server process`, () => {
    let mock: MockProvider;
    const started: ServerProcess[] = [];
    const start = async (env: Record<string, string> = {}) => {
      const server = await startServerProcess(command, args, env);
      started.push(server);
      return server;
    };
    beforeAll(async () => {
      mock = await startMockProvider({ openaiKey: PROVIDER_KEY });
    });
    afterEach(async () => {
      await Promise.all(started.splice(0).map((server) => server.close(2_000)));
    });
    afterAll(async () => {
      await mock.close();
    });

    /** A configured gateway and a streamed call in flight, its first chunk read. */
    async function streamInFlight(server: ServerProcess, chunks: number, chunkDelayMs: number) {
      const admin = await adminClient(server.url);
      await createModel(admin, { id: 'gpt', provider: 'openai', baseUrl: mock.openaiBaseUrl, apiKey: PROVIDER_KEY });
      const project = await createProject(admin, 'p', ['gpt']);
      mock.reset();
      mock.enqueue({ kind: 'slowStream', chunkDelayMs, chunks });
      const response = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${project.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt', messages, stream: true }),
      });
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      await reader.read();
      const rest = async () => {
        let text = '';
        try {
          for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += new TextDecoder().decode(chunk.value);
        } catch {
          // Cut: what arrived is the answer.
        }
        return text;
      };
      return { admin, project, rest };
    }

    it('on SIGTERM finishes the stream in flight, refuses new connections, writes its usage and exits 0', async () => {
      const server = await start({ ROUTERLY_SHUTDOWN_GRACE_MS: '10000' });
      const { project, rest } = await streamInFlight(server, 10, 100);
      server.child.kill('SIGTERM');
      await expect.poll(() => server.stderr()).toContain('SIGTERM: finishing requests in flight');
      await expect(fetch(`${server.url}/health`)).rejects.toThrow();
      expect((await rest()).trimEnd().endsWith('data: [DONE]')).toBe(true);
      expect(await server.exited).toEqual({ code: 0, signal: null });
      const records = await usageRecords(server.home);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ stream: true, outcome: 'ok', projectId: project.id });
      expect(server.stderr()).not.toContain(PROVIDER_KEY);
      expect(server.stderr()).not.toContain(project.token);
    });

    it('cuts a stream still running when the grace is over, records it, and exits 0', async () => {
      const server = await start({ ROUTERLY_SHUTDOWN_GRACE_MS: '500' });
      const { rest } = await streamInFlight(server, 100, 100);
      const stoppedAt = Date.now();
      server.child.kill('SIGINT');
      const text = await rest();
      expect(text).not.toContain('[DONE]');
      expect(await server.exited).toEqual({ code: 0, signal: null });
      // The grace, then the cut and the flush: well before the 10 s the stream would take.
      expect(Date.now() - stoppedAt).toBeLessThan(5_000);
      const records = await usageRecords(server.home);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ stream: true, outcome: 'client_aborted' });
    });

    it('hands the gateway the client address (the audit log records it)', async () => {
      const server = await start();
      const admin = await adminClient(server.url);
      const audit = await admin.call('GET', '/api/audit');
      expect(audit.status).toBe(200);
      const setup = (audit.body.entries as Array<{ action?: string; address: string | null }>)[0];
      expect(setup?.address).toMatch(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
    });

    it.each([
      [{ ROUTERLY_PORT: 'abc' }, /^Routerly could not start: ROUTERLY_PORT must be a port number from 0 to 65535, got "abc"$/],
      [{ ROUTERLY_HOST: '192.0.2.1' }, /^Routerly could not start: ROUTERLY_HOST "192\.0\.2\.1" is not an address of this machine$/],
      [{ ROUTERLY_LOG_LEVEL: 'loud' }, /^Routerly could not start: ROUTERLY_LOG_LEVEL must be one of /],
    ])('refuses %o with one line and exit code 1', async (env, line) => {
      const failed = startServerProcess(command, args, env);
      await expect(failed).rejects.toThrow(/exited \(1\) before its start banner/);
      const message = ((await failed.catch((error: Error) => error)) as Error).message;
      const stderr = message.slice(message.indexOf('banner: ') + 'banner: '.length);
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(stderr.trimEnd()).toMatch(line);
    });

    it('refuses a port in use with one line naming it', async () => {
      const first = await start();
      const port = new URL(first.url).port;
      const failed = await startServerProcess(command, args, { ROUTERLY_PORT: port }).catch((error: Error) => error);
      expect((failed as Error).message).toMatch(new RegExp(`Routerly could not start: ROUTERLY_PORT ${port}: 127\\.0\\.0\\.1:${port} is already in use by another process\\n?$`));
    });
  });
}
