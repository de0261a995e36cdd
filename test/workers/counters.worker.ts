// A test entry point for workerd: the real RouterlyCounters Durable Object (bound by
// wrangler.toml, as in production) and the real durableObjectCounters driver, with each of the
// driver's operations exposed over HTTP so that the Node-side test (counters.test.ts) can run
// the counters conformance suite against them: POST /counters/<object name>/<operation>.
import { durableObjectCounters, type DurableObjectNamespaceLike } from '../../adapters/cloudflare-workers/counters-object.js';
import type { CounterEntry } from '../../src/counters/port.js';
import { decode, encode, type WireAnswer } from './counters-wire.js';

export { RouterlyCounters } from '../../adapters/cloudflare-workers/counters-object.js';

interface Env {
  ROUTERLY_COUNTERS: DurableObjectNamespaceLike;
}

interface Arguments {
  entries: CounterEntry[];
  keys: string[];
  now: number;
}

async function run(env: Env, objectName: string, operation: string, args: Arguments): Promise<unknown> {
  const counters = durableObjectCounters(env.ROUTERLY_COUNTERS, objectName);
  switch (operation) {
    case 'reserve':
      return counters.reserve(args.entries, args.now);
    case 'add':
      return counters.add(args.entries, args.now);
    case 'read':
      return counters.read(args.keys, args.now);
    case 'initialize':
      return counters.initialize(args.entries, args.now);
    case 'durable':
      return counters.durable;
    case 'size': {
      // Not part of the port: the rows the object holds, asked of it directly.
      const stub = env.ROUTERLY_COUNTERS.get(env.ROUTERLY_COUNTERS.idFromName(objectName));
      const response = await stub.fetch('https://counters/size', { method: 'POST', body: '{}' });
      return ((await response.json()) as { result: number }).result;
    }
    default:
      throw new Error(`no operation "${operation}"`);
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/health') return new Response('ok');
    const match = /^\/counters\/([^/]+)\/([a-z]+)$/.exec(url.pathname);
    if (!match || request.method !== 'POST') return new Response('not found', { status: 404 });
    let answer: WireAnswer<unknown>;
    try {
      answer = { result: await run(env, decodeURIComponent(match[1]!), match[2]!, decode<Arguments>(await request.text())) };
    } catch (error) {
      const { name, message } = error instanceof Error ? error : new Error(String(error));
      answer = { error: { name, message } };
    }
    return new Response(encode(answer), { headers: { 'content-type': 'application/json' } });
  },
};
