// Micro-benchmark of the whole gateway's CPU per call, in process: gateway.fetch of the Node
// server (the file store, the project's day budget, its routing, the usage log and rollups), with
// no socket and no provider. Reported, with no target of its own.
//
// Why: the load rows' figures move with the machine (three processes share two cores, and the same
// row measured 2× apart within minutes), so a change of a few µs a call is lost in them. Here the
// gateway's own work is timed alone: the body read from the request context as Node's adapter
// hands it over (adapters/node/listen.ts), authentication, validation, ranking, admission and
// reservation, the plan, the exchange with an upstream sender that answers at once with a fixed
// Chat Completions answer (a JSON body, or a stream of 15 events in 4 reads as the gateway reads the
// bench's mock at one connection), and the accounting after the answer (setImmediate, as on Node).
// What it leaves out is what the load rows measure: node:http, the upstream client and the sockets.
//
//   npx tsx bench/gateway-micro.ts      (also run by npm run bench, in a process of its own)
//   BENCH_GATEWAY_MICRO_ROUNDS=15       rounds of 1,000 calls per mode
//
// Each round's CPU time (process.cpuUsage(): every thread, GC included) divided by its calls is
// one sample; the median and the lowest quarter over the rounds are reported.

import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ByteChunks, UpstreamAnswer, UpstreamSend } from '../src/index.js';
import { adminClient, createModel, createProject } from '../test/support/gateway-client.js';
import { percentile } from './report.js';
import { shipped } from './shipped.js';

export interface GatewayMicroMode {
  mode: 'non-stream' | 'stream';
  rounds: number;
  callsPerRound: number;
  medianUs: number;
  p25Us: number;
}

const CALLS_PER_ROUND = 1_000;
const WARMUP_CALLS = 10_000;
const encoder = new TextEncoder();

/** The answer of the bench's mock, as a provider sends it (its ids and times fixed). */
const ANSWER = encoder.encode(
  JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: 1764650000,
    model: 'bench-model',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello benchmark, nice to meet you in a few words.', refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 17, completion_tokens: 11, total_tokens: 28, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } },
  }),
);

/** The same answer streamed with include_usage: 15 events, in the 4 reads the gateway sees of them at one connection. */
const STREAM_READS = (() => {
  const base = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1764650000, model: 'bench-model' };
  const event = (chunk: object) => `data: ${JSON.stringify({ ...base, ...chunk })}\n\n`;
  const words = 'Hello benchmark, nice to meet you in a few words today.'.split(' ');
  const events = [
    event({ choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }], usage: null }),
    ...words.map((word, i) => event({ choices: [{ index: 0, delta: { content: i === 0 ? word : ` ${word}` }, logprobs: null, finish_reason: null }], usage: null })),
    event({ choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }], usage: null }),
    event({ choices: [], usage: { prompt_tokens: 17, completion_tokens: 11, total_tokens: 28 } }),
    'data: [DONE]\n\n',
  ];
  return [events.slice(0, 1), events.slice(1, 5), events.slice(5, 10), events.slice(10)].map((read) => encoder.encode(read.join('')));
})();

/** An upstream sender that answers at once: the provider's part of a call costs nothing here. */
const instantUpstream: UpstreamSend = (_request, control) => {
  const streamed = control.stream === true;
  const headers: Record<string, string> = streamed ? { 'content-type': 'text/event-stream' } : { 'content-type': 'application/json', 'content-length': String(ANSWER.byteLength) };
  const answer: UpstreamAnswer = {
    status: 200,
    header: (name) => headers[name] ?? null,
    bytes: () => Promise.resolve(ANSWER),
    chunks(): ByteChunks {
      let next = 0;
      return {
        read: () => Promise.resolve(next < STREAM_READS.length ? { done: false, value: STREAM_READS[next++]! } : { done: true, value: undefined }),
        cancel: () => Promise.resolve(),
      };
    },
    cancel() {},
  };
  return Promise.resolve(answer);
};

/** Runs in a process of its own (runGatewayMicro): listenNode's @hono/node-server replaces the global Response. */
async function measure(rounds: number): Promise<GatewayMicroMode[]> {
  const [{ createFileGateway }, { listenNode }, { RawHeaders }, { honoStreamBody }] = await Promise.all([
    shipped<typeof import('../adapters/shared/file-gateway.js')>('adapters/shared/file-gateway.js'),
    shipped<typeof import('../adapters/node/listen.js')>('adapters/node/listen.js'),
    shipped<typeof import('../adapters/node/raw-headers.js')>('adapters/node/raw-headers.js'),
    shipped<typeof import('../adapters/node/stream-body.js')>('adapters/node/stream-body.js'),
  ]);
  const home = await mkdtemp(join(tmpdir(), 'routerly-gateway-micro-'));
  const { gateway, settle } = await createFileGateway({ home, upstream: instantUpstream, fetch: globalThis.fetch });
  // Served over HTTP only to be configured as the load rows' gateway is, through its API.
  const listener = await listenNode({ hostname: '127.0.0.1', port: 0, handler: (request, context) => gateway.fetch(request, context) });
  try {
    const admin = await adminClient(listener.url, 'bench@example.com', 'bench password 1234');
    await createModel(admin, { id: 'bench-model', provider: 'openai', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-bench', pricing: { input: 0.15, output: 0.6 } });
    const project = await createProject(admin, 'bench', ['bench-model'], { budgets: [{ period: 'day', limitUsd: 1_000_000, limitTokens: 1_000_000_000_000 }] });
    const results: GatewayMicroMode[] = [];
    for (const mode of ['non-stream', 'stream'] as const) {
      const streamed = mode === 'stream';
      const body = encoder.encode(
        JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content: 'Say hello to the benchmark, in a few words.' }], ...(streamed ? { stream: true, stream_options: { include_usage: true } } : {}) }),
      );
      const raw = ['Host', '127.0.0.1', 'Authorization', `Bearer ${project.token}`, 'Content-Type', 'application/json', 'Content-Length', String(body.byteLength)];
      // One request object for every call: the gateway reads its body and headers from the context, as on Node.
      const request = new Request(`${listener.url}/v1/chat/completions`, { method: 'POST' });
      const client = { gone: false, onGone: () => () => {} };
      const call = async (): Promise<void> => {
        const response = await gateway.fetch(request, {
          clientAddress: '127.0.0.1',
          client,
          streamBody: honoStreamBody,
          afterResponse: (task) => setImmediate(task),
          readBody: () => Promise.resolve(body),
          headers: new RawHeaders(raw),
        });
        if (response.status !== 200) throw new Error(`gateway-micro: ${mode} call answered ${response.status}`);
        if (streamed) await drain(response);
        // The accounting runs in an immediate after the answer, as listenNode schedules it.
        await new Promise((resolve) => setImmediate(resolve));
      };
      for (let i = 0; i < WARMUP_CALLS; i++) await call();
      const samples: number[] = [];
      for (let round = 0; round < rounds; round++) {
        const before = process.cpuUsage();
        for (let i = 0; i < CALLS_PER_ROUND; i++) await call();
        const used = process.cpuUsage(before);
        samples.push((used.user + used.system) / CALLS_PER_ROUND);
      }
      samples.sort((a, b) => a - b);
      results.push({ mode, rounds, callsPerRound: CALLS_PER_ROUND, medianUs: percentile(samples, 50), p25Us: percentile(samples, 25) });
    }
    return results;
  } finally {
    await listener.close(1_000);
    await settle();
    await rm(home, { recursive: true, force: true });
  }
}

/**
 * A streamed answer read as @hono/node-server reads it: the body its Response keeps (a stream,
 * or the relay's chunks shaped as one: adapters/node/stream-body.ts) read to its end, without
 * building the WHATWG Response that `response.body` would.
 */
async function drain(response: Response): Promise<void> {
  const cache = Object.getOwnPropertySymbols(response).find((symbol) => symbol.description === 'cache');
  const body = (cache ? (response as unknown as Record<symbol, [number, ReadableStream<Uint8Array>]>)[cache]![1] : response.body)!;
  const reader = body.getReader();
  while (!(await reader.read()).done);
}

/** Runs the micro-benchmark in a child process (on the same loader as this one) and returns its figures. */
export function runGatewayMicro(rounds = gatewayMicroRounds()): Promise<GatewayMicroMode[]> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--json', String(rounds)], { execArgv: process.execArgv, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('[')) reject(new Error(`gateway-micro exited with ${code}: ${out}`));
      else resolve(JSON.parse(line) as GatewayMicroMode[]);
    });
  });
}

export function printGatewayMicro(results: readonly GatewayMicroMode[]): void {
  const first = results[0];
  console.log(`${first?.rounds ?? 0} rounds of ${first?.callsPerRound ?? 0} calls per mode, after ${WARMUP_CALLS} unmeasured; the gateway row's project (a day budget), an upstream that answers at once`);
  for (const r of results) console.log(`  ${r.mode.padEnd(10)}  median ${r.medianUs.toFixed(1)} µs, lowest quarter ${r.p25Us.toFixed(1)} µs CPU per call (reported)`);
}

export function gatewayMicroRounds(): number {
  const rounds = Number(process.env.BENCH_GATEWAY_MICRO_ROUNDS ?? 15);
  return Number.isInteger(rounds) && rounds > 0 ? rounds : 15;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv[2] === '--json') {
    console.log(JSON.stringify(await measure(Number(process.argv[3]))));
  } else {
    printGatewayMicro(await measure(gatewayMicroRounds()));
  }
  process.exit(0);
}
