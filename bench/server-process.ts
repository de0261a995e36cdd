// Entry point of the benchmark's server processes: `mock`, `bare <upstreamUrl>`, `gateway <home> [durable]`
// or `gateway-redis <redisUrl> <secret> <prefix>` (a node sharing a Redis with others, redis-nodes.ts).
// Each server runs in a process of its own so that it has an event loop to itself, as it would
// in production, instead of sharing one with the load generator and the other servers.
// Protocol (IPC): the child sends {type:'ready', url} or {type:'failed', message}; the parent
// sends {type:'stop'}, or {type:'memory'}, answered with {type:'memory', usage} after a full GC.
// A child whose parent disappears exits by itself.
// The gateways run the modules as shipped (shipped.ts): compiled into dist/.

import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { startMockProvider } from '../test/support/mock-provider.js';
import { startBareProxy } from './bare-proxy.js';
import { BENCH_UPSTREAM_KEY, type ChildMessage, type ParentMessage } from './processes.js';
import { shipped } from './shipped.js';

interface Running {
  url: string;
  close(): Promise<void>;
}

async function start(kind: string, [argument, option, ...rest]: string[]): Promise<Running> {
  switch (kind) {
    case 'mock':
      // Not recording: the benchmark sends hundreds of thousands of requests.
      return startMockProvider({ openaiKey: BENCH_UPSTREAM_KEY, anthropicKey: BENCH_UPSTREAM_KEY, recordRequests: false });
    case 'bare':
      return startBareProxy(argument!);
    case 'gateway': {
      // Loaded only here, so that the other processes do not pay for the gateway's modules.
      const { startNodeServer } = await shipped<typeof import('../adapters/node/server.js')>('adapters/node/server.js');
      // `durable`: what ROUTERLY_DURABLE_USAGE=true sets for npm start; otherwise the default, batched.
      if (option !== undefined && option !== 'durable') throw new Error(`unknown gateway option "${option}"`);
      const settings = option === 'durable' ? { durableUsage: true } : undefined;
      const server = await startNodeServer({ home: argument!, host: '127.0.0.1', port: 0, logger: false, settings });
      return { url: server.url, close: () => server.close(1_000) };
    }
    case 'gateway-redis':
      return startRedisNode(argument!, option!, rest[0]!);
    default:
      throw new Error(`unknown server kind "${kind}"`);
  }
}

/**
 * A node on a shared Redis, built as `npm start` builds one (adapters/shared/lifecycle.ts): its
 * variables read by serverConfigFromEnv (so its settings are a real node's: config re-read every
 * second behind pub/sub), the gateway from createRedisGateway, Node's outbound, served by
 * listenNode. As in the `gateway` row (startNodeServer), no line per call: only warnings and
 * errors are logged, to stderr.
 */
async function startRedisNode(redisUrl: string, secret: string, prefix: string): Promise<Running> {
  const [{ serverConfigFromEnv }, { createRedisGateway, newNodeId }, { nodeOutbound }, { listenNode }, { createConsoleLog }] = await Promise.all([
    shipped<typeof import('../adapters/shared/settings.js')>('adapters/shared/settings.js'),
    shipped<typeof import('../adapters/shared/redis-gateway.js')>('adapters/shared/redis-gateway.js'),
    shipped<typeof import('../adapters/node/server.js')>('adapters/node/server.js'),
    shipped<typeof import('../adapters/node/listen.js')>('adapters/node/listen.js'),
    shipped<typeof import('../adapters/shared/console-log.js')>('adapters/shared/console-log.js'),
  ]);
  const env = { ROUTERLY_REDIS_URL: redisUrl, ROUTERLY_SECRET: secret, ROUTERLY_REDIS_PREFIX: prefix, ROUTERLY_HOST: '127.0.0.1', ROUTERLY_PORT: '0' };
  // No home is used on Redis; one must still be nameable.
  const config = serverConfigFromEnv(env, { homeDir: tmpdir() });
  const logger = createConsoleLog({ level: 'warn', format: 'json', write: (line) => process.stderr.write(line) }).logger;
  const node = await createRedisGateway({ settings: config.settings, logger, ...nodeOutbound(), redis: config.redis!, secret: config.secretFromEnv!, instanceId: newNodeId(process.env.HOSTNAME) });
  const { gateway } = node;
  const listener = await listenNode({
    hostname: config.host,
    port: config.port,
    handler: (request, context) => gateway.fetch(request, context),
  });
  return {
    url: listener.url,
    async close() {
      await listener.close(1_000);
      await node.settle();
    },
  };
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

/**
 * The process's memory once what it no longer holds is given back: a full GC, a pause, and a
 * second one (the processes start with --expose-gc: processes.ts), the parent reading the RSS
 * right after. Traced in the usage summary's gateway, a second GC took the RSS another 30 to 32
 * MiB down, and readings after one GC between passes of the same queries ran from 144 to 205 MiB
 * with the JS heap flat: more than the growth the soak and the usage summary are held to.
 */
async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  gc?.();
  return process.memoryUsage();
}
const SETTLE_MS = 500;

interface ProfileNode {
  selfSize: number;
  children: ProfileNode[];
}

try {
  const running = await start(process.argv[2] ?? '', process.argv.slice(3));
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stop') void running.close().finally(() => process.exit(0));
    if (message.type === 'allocation-start' || message.type === 'allocation-stop') void allocation(message.type).then(send);
    if (message.type === 'memory') void settledMemory().then((usage) => send({ type: 'memory', usage }));
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', url: running.url });
} catch (error) {
  send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
}
