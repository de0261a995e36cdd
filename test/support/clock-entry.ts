// Test support only: the real server start (adapters/shared/lifecycle.ts) with a clock the
// conformance suite can move, as test/workers/clock.worker.ts does for workerd. `POST /__test/clock`
// with an offset in ms sets how far ahead of real time the gateway's clock runs. The production
// entries (adapters/bun/main.ts, adapters/deno/main.ts) have no such route.
import { runServer, type ServerHost } from '../../adapters/shared/lifecycle.js';

export function runWithMovableClock(host: ServerHost): Promise<void> {
  let offsetMs = 0;
  const listen = host.listen;
  return runServer(
    {
      ...host,
      listen: (options) =>
        listen({
          ...options,
          async handler(request, clientAddress) {
            if (new URL(request.url).pathname !== '/__test/clock') return options.handler(request, clientAddress);
            offsetMs = Number(await request.text());
            return new Response(null, { status: 204 });
          },
        }),
    },
    { now: () => Date.now() + offsetMs },
  );
}
