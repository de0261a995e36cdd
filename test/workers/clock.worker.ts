// The real worker with a clock the conformance suite can move: `POST /__test/clock` with an
// offset in ms sets how far ahead of real time the gateway's clock runs (local workerd runs
// one isolate, so one offset holds for every request). Test support only: the deployed entry
// point is adapters/cloudflare-workers/worker.ts, which has no such route.
import { createWorker } from '../../adapters/cloudflare-workers/worker.js';

export { RouterlyCounters } from '../../adapters/cloudflare-workers/counters-object.js';

let offsetMs = 0;
const worker = createWorker({ now: () => Date.now() + offsetMs });

export default {
  async fetch(request: Request, env: never, ctx: { waitUntil(promise: Promise<unknown>): void }): Promise<Response> {
    if (new URL(request.url).pathname === '/__test/clock') {
      offsetMs = Number(await request.text());
      return new Response(null, { status: 204 });
    }
    return worker.fetch(request, env, ctx);
  },
};
