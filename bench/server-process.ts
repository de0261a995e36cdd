// Entry point of the benchmark's server processes: `mock`, `bare <upstreamUrl>` or `gateway <home> [durable]`.
// Each server runs in a process of its own so that it has an event loop to itself, as it would
// in production, instead of sharing one with the load generator and the other servers.
// Protocol (IPC): the child sends {type:'ready', url} or {type:'failed', message}; the parent
// sends {type:'stop'}, or {type:'memory'}, answered with {type:'memory', usage} after a full GC.
// A child whose parent disappears exits by itself.

import { Session } from 'node:inspector/promises';
import { startMockProvider } from '../test/support/mock-provider.js';
import { startBareProxy } from './bare-proxy.js';
import { BENCH_UPSTREAM_KEY, type ChildMessage, type ParentMessage } from './processes.js';

interface Running {
  url: string;
  close(): Promise<void>;
}

async function start(kind: string, argument: string | undefined, option: string | undefined): Promise<Running> {
  switch (kind) {
    case 'mock':
      // Not recording: the benchmark sends hundreds of thousands of requests.
      return startMockProvider({ openaiKey: BENCH_UPSTREAM_KEY, anthropicKey: BENCH_UPSTREAM_KEY, recordRequests: false });
    case 'bare':
      return startBareProxy(argument!);
    case 'gateway': {
      // Loaded only here, so that the other processes do not pay for the gateway's modules.
      const { startNodeServer } = await import('../adapters/node/server.js');
      // `durable`: what ROUTERLY_DURABLE_USAGE=true sets for npm start; otherwise the default, batched.
      if (option !== undefined && option !== 'durable') throw new Error(`unknown gateway option "${option}"`);
      const settings = option === 'durable' ? { durableUsage: true } : undefined;
      const server = await startNodeServer({ home: argument!, host: '127.0.0.1', port: 0, logger: false, settings });
      return { url: server.url, close: () => server.close(1_000) };
    }
    default:
      throw new Error(`unknown server kind "${kind}"`);
  }
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

/**
 * Bytes allocated between `allocation-start` and `allocation-stop`: V8's sampling heap profiler
 * (every 512 bytes on average) with the objects the GC has already collected kept in the
 * profile, so the total is what was allocated, garbage included. Unlike time, it does not
 * depend on how busy the machine is.
 */
let allocationSession: Session | undefined;
async function allocation(message: 'allocation-start' | 'allocation-stop'): Promise<ChildMessage> {
  if (message === 'allocation-start') {
    allocationSession = new Session();
    allocationSession.connect();
    await allocationSession.post('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
    return { type: 'allocating' };
  }
  const session = allocationSession!;
  allocationSession = undefined;
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: ProfileNode } };
  session.disconnect();
  let bytes = 0;
  const pending = [profile.head];
  for (let node = pending.pop(); node; node = pending.pop()) {
    bytes += node.selfSize;
    pending.push(...node.children);
  }
  return { type: 'allocated', bytes };
}

interface ProfileNode {
  selfSize: number;
  children: ProfileNode[];
}

try {
  const running = await start(process.argv[2] ?? '', process.argv[3], process.argv[4]);
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stop') void running.close().finally(() => process.exit(0));
    if (message.type === 'allocation-start' || message.type === 'allocation-stop') void allocation(message.type).then(send);
    if (message.type === 'memory') {
      // Started with --expose-gc (processes.ts): collect first, so the reading is what is retained.
      (globalThis as { gc?: () => void }).gc?.();
      send({ type: 'memory', usage: process.memoryUsage() });
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', url: running.url });
} catch (error) {
  send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
}
