// One request must not freeze the gateway (issue 8, item 1): count_tokens for an OpenAI model
// runs gpt-tokenizer on the event loop, whose BPE merge is quadratic in a run without spaces
// (160k random letters held /health for 12 s, a 20 MB run of one letter for over ten
// minutes, and SIGTERM could not stop it). The real server runs in a child process, so a
// gateway that blocks fails this test on a timeout instead of freezing the test runner.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, createModel, createProject } from '../support/gateway-client.js';
import { startedUrl } from '../support/runtime-process.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The worst /health latency allowed while counting. The aim is ~50 ms; the rest is room for a busy CI machine. */
const HEALTH_BOUND_MS = 250;

interface Gateway {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let home: string;
let gateway: Gateway;
let token: string;

async function startGateway(): Promise<Gateway> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('ROUTERLY_') && name !== 'PORT'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'adapters/node/main.ts'], {
    cwd: ROOT,
    env: { ...base, ROUTERLY_HOME: home, ROUTERLY_PORT: '0', ROUTERLY_SECRET: 'event-loop-test-secret-0123456789abcdef', ROUTERLY_SHUTDOWN_GRACE_MS: '3000' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await within(
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const url = startedUrl(stderr);
        if (url) resolve(url);
      };
      child.stderr!.on('data', check);
      void exited.then(() => reject(new Error(`the gateway exited before listening: ${stderr}`)));
    }),
    20_000,
    'the gateway listening',
  );
  return { child, url, stderr: () => stderr, exited };
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * GET /health every 10 ms until stopped: the worst latency, and what went wrong. A call the
 * gateway does not answer within 10 s, or whose connection breaks, counts as a failure.
 */
function pollHealth(url: string) {
  const latencies: number[] = [];
  const failures: string[] = [];
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const started = performance.now();
      try {
        const answer = await fetch(`${url}/health`, { signal: AbortSignal.timeout(10_000) });
        await answer.arrayBuffer();
        if (answer.status !== 200) failures.push(`status ${answer.status}`);
      } catch (error) {
        failures.push(String((error as Error).cause ?? error));
      }
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return {
    async stop(): Promise<{ worst: number; calls: number; failures: string[] }> {
      stopped = true;
      await done;
      return { worst: Math.max(...latencies), calls: latencies.length, failures };
    },
  };
}

async function countTokens(body: string, timeoutMs = 30_000) {
  const answer = await fetch(`${gateway.url}/v1/messages/count_tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': token, 'anthropic-version': '2023-06-01' },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: answer.status, warnings: answer.headers.get('x-routerly-warnings') ?? '', body: (await answer.json()) as { input_tokens: number } };
}

/** One count_tokens call while /health is polled; fails if the worst poll took HEALTH_BOUND_MS or more. */
async function countWhilePolling(body: string) {
  const health = pollHealth(gateway.url);
  const counted = await new Promise((resolve) => setTimeout(resolve, 30))
    .then(() => countTokens(body))
    .then(
      (answer) => ({ answer }),
      (error: unknown) => ({ error }),
    );
  const { worst, calls, failures } = await health.stop();
  console.info(`event loop: worst /health ${worst.toFixed(1)} ms over ${calls} calls, counting ${(body.length / 1e6).toFixed(2)} MB`);
  if ('error' in counted) throw counted.error;
  expect(counted.answer.status).toBe(200);
  expect(counted.answer.warnings).toContain('text by the o200k_base tokenizer)');
  expect(calls).toBeGreaterThanOrEqual(2);
  expect(worst).toBeLessThan(HEALTH_BOUND_MS);
  expect(failures).toEqual([]);
  return counted.answer;
}

const countBody = (content: string | Array<{ role: string; content: string }>) =>
  JSON.stringify({ model: 'gpt', messages: typeof content === 'string' ? [{ role: 'user', content }] : content });

/** Lowercase letters from a fixed seed (mulberry32): the same text on every run. */
function randomLetters(length: number, seed: number): string {
  let state = seed >>> 0;
  const out = new Array<string>(length);
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = String.fromCharCode(97 + (((t ^ (t >>> 14)) >>> 0) % 26));
  }
  return out.join('');
}

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'routerly-event-loop-'));
  gateway = await startGateway();
  const admin = await adminClient(gateway.url);
  // count_tokens never calls the provider: the default base URL is never reached.
  await createModel(admin, { id: 'gpt', provider: 'openai', apiKey: 'sk-never-used' });
  token = (await createProject(admin, 'p', ['gpt'])).token;
}, 60_000);

afterAll(async () => {
  if (gateway && gateway.child.exitCode === null && gateway.child.signalCode === null) gateway.child.kill('SIGKILL');
  await rm(home, { recursive: true, force: true });
});

describe('count_tokens on hostile text, for an OpenAI model', () => {
  it('keeps /health answering while runs without spaces are counted, and counts them', async () => {
    // Loading o200k_base's ranks is a one-off cost, paid before measuring.
    const warm = await countTokens(countBody('hello world'));
    expect(warm.body).toEqual({ input_tokens: 5 });

    // Bodies are built before polling: the test's own work would delay its polls.
    const random = randomLetters(160_000, 1);
    const run = 'a'.repeat(2 * 1024 * 1024);
    const many = Array.from({ length: 2000 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: randomLetters(250, i + 2) }));
    const bodies = [countBody(random), countBody(run), countBody(many)];

    // One after another, each checked at once: a blocking gateway fails on the first. (Bodies
    // parsed at the same time would also add the handler's own JSON work on them, linear and
    // outside count_tokens, to the same turns of the loop.)
    const randomCount = await countWhilePolling(bodies[0]!);
    // Random letters are about 0.52 tokens a letter in o200k_base.
    expect(randomCount.body.input_tokens).toBeGreaterThan(0.45 * random.length);
    expect(randomCount.body.input_tokens).toBeLessThan(0.6 * random.length);

    const runCount = await countWhilePolling(bodies[1]!);
    // 8 letters a token: the exact count of that run whole (the cuts between its pieces move nothing).
    expect(runCount.body.input_tokens).toBe(run.length / 8 + 3);

    const manyCount = await countWhilePolling(bodies[2]!);
    expect(manyCount.body.input_tokens).toBeGreaterThan(2000 * (3 + 0.45 * 250));
    expect(manyCount.body.input_tokens).toBeLessThan(2000 * (3 + 0.6 * 250));
  }, 60_000);

  it('hears SIGTERM while counting, and drains', async () => {
    // A million random letters in one run: seconds of counting once sliced; unsliced, minutes.
    const counting = countTokens(countBody(randomLetters(1 << 20, 99))).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const signalled = performance.now();
    gateway.child.kill('SIGTERM');
    let waiting = true;
    await within(
      new Promise<void>((resolve) => {
        const check = () => {
          if (gateway.stderr().includes('SIGTERM: finishing requests in flight')) resolve();
          else if (waiting) setTimeout(check, 5);
        };
        check();
      }),
      HEALTH_BOUND_MS,
      'the SIGTERM handler running',
    ).finally(() => (waiting = false));
    console.info(`event loop: SIGTERM heard after ${(performance.now() - signalled).toFixed(1)} ms`);
    // The count in flight either finishes within the grace period or is cut at its end.
    expect(await within(gateway.exited, 10_000, 'the gateway exiting')).toEqual({ code: 0, signal: null });
    await counting;
  }, 60_000);
});
