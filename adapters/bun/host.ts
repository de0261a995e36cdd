import os from 'node:os';
import type { Listener, RequestHandler, ServerHost, StopSignal } from '../shared/lifecycle.js';
import { urlHost } from '../node/listen.js';

/**
 * Bun's part of the shared start (adapters/shared/lifecycle.ts): its process (Bun implements
 * Node's `process`) and Bun.serve. Outbound calls use Bun's global fetch.
 */

// The surface of Bun.serve used here, declared structurally: the repository type-checks with
// Node's types and no bun-types package (as worker.ts does for its bindings).
interface BunServer {
  readonly port: number;
  requestIP(request: Request): { address: string } | null;
  /** Per-request idle timeout in seconds; 0 disables it. */
  timeout(request: Request, seconds: number): void;
  /** false: stop accepting and resolve once requests in flight are done; true: cut them too. */
  stop(closeActiveConnections?: boolean): Promise<void>;
}
interface BunServeOptions {
  hostname: string;
  port: number;
  /** Seconds a connection may sit idle (default 10; at most 255). */
  idleTimeout: number;
  fetch(request: Request, server: BunServer): Promise<Response>;
}
declare const Bun: { serve(options: BunServeOptions): BunServer; readonly version: string };

export function bunHost(env: Record<string, string | undefined> = process.env): ServerHost {
  return {
    runtime: `bun ${Bun.version}`,
    env,
    homeDir: os.homedir(),
    stderr: { write: (text) => void process.stderr.write(text), isTTY: process.stderr.isTTY === true },
    onStopSignal(listener) {
      for (const signal of ['SIGTERM', 'SIGINT'] as const satisfies StopSignal[]) process.on(signal, () => listener(signal));
    },
    exit: (code) => process.exit(code),
    listen: listenBun,
  };
}

/** Serves `handler` with Bun.serve. Throws (synchronously, from Bun.serve) when it cannot listen. */
export async function listenBun(options: { hostname: string; port: number; handler: RequestHandler }): Promise<Listener> {
  const { handler } = options;
  const server = Bun.serve({
    hostname: options.hostname,
    port: options.port,
    // Keep-alive connections idle for a minute are closed.
    idleTimeout: 60,
    fetch(request, server) {
      // Bun's idle timeout also runs while a response is pending or streaming: a model may think
      // for minutes before its first byte, so requests in flight have none (the gateway's model
      // timeouts bound them instead).
      server.timeout(request, 0);
      return handler(request, { clientAddress: server.requestIP(request)?.address });
    },
  });
  return {
    url: `http://${urlHost(options.hostname)}:${server.port}`,
    port: server.port,
    async close(graceMs) {
      // stop(false) resolves once requests in flight are done; stop(true) then aborts their
      // signals and cancels their bodies, so the gateway records them as cut.
      const drained = server.stop(false);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const graceOver = new Promise<'cut'>((resolve) => (timer = setTimeout(() => resolve('cut'), graceMs)));
      if ((await Promise.race([drained, graceOver])) === 'cut') await server.stop(true);
      clearTimeout(timer);
      await drained;
    },
  };
}
