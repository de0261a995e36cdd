import type { Listener, RequestHandler, ServerHost, StopSignal } from '../shared/lifecycle.js';
import { urlHost } from '../node/listen.js';
import { createDenoFetch } from './fetch.js';

/**
 * Deno's part of the shared start (adapters/shared/lifecycle.ts): its environment, stderr,
 * signals and Deno.serve. Outbound calls use Deno's global fetch, each sent once (see fetch.ts).
 */

// The surface of the Deno namespace used here, declared structurally: the repository
// type-checks with Node's types and no Deno types (as worker.ts does for its bindings).
interface DenoNetAddr {
  hostname: string;
  port: number;
}
interface DenoHttpServer {
  readonly addr: DenoNetAddr;
  /** Stops accepting connections; resolves once requests in flight (their bodies too) are done. */
  shutdown(): Promise<void>;
}
interface DenoServeOptions {
  hostname: string;
  port: number;
  onListen(addr: DenoNetAddr): void;
}
declare const Deno: {
  serve(options: DenoServeOptions, handler: (request: Request, info: { remoteAddr: DenoNetAddr }) => Promise<Response>): DenoHttpServer;
  env: { toObject(): Record<string, string> };
  stderr: { writeSync(bytes: Uint8Array): number; isTerminal(): boolean };
  addSignalListener(signal: StopSignal, listener: () => void): void;
  exit(code: number): never;
  readonly version: { deno: string };
};

export function denoHost(env: Record<string, string | undefined> = Deno.env.toObject()): ServerHost {
  const encoder = new TextEncoder();
  return {
    runtime: `deno ${Deno.version.deno}`,
    env,
    // os.homedir() would need --allow-sys; HOME (USERPROFILE on Windows) needs only --allow-env.
    homeDir: env.HOME ?? env.USERPROFILE,
    stderr: {
      write(text) {
        // writeSync may write part of the bytes: the rest follows.
        for (let bytes = encoder.encode(text); bytes.length > 0; ) bytes = bytes.subarray(Deno.stderr.writeSync(bytes));
      },
      isTTY: Deno.stderr.isTerminal(),
    },
    onStopSignal(listener) {
      for (const signal of ['SIGTERM', 'SIGINT'] as const satisfies StopSignal[]) Deno.addSignalListener(signal, () => listener(signal));
    },
    exit: (code) => Deno.exit(code),
    createOutbound: () => ({ fetch: createDenoFetch() }),
    listen: listenDeno,
  };
}

/** Serves `handler` with Deno.serve. Throws (synchronously, from Deno.serve) when it cannot listen. */
/** How long cut requests may take to end before the server stops waiting for their connections. */
const CUT_WAIT_MS = 1000;

export async function listenDeno(options: { hostname: string; port: number; handler: RequestHandler }): Promise<Listener> {
  const { handler } = options;
  // Deno's server has a graceful shutdown only: requests still running when the grace is over are
  // cut through their signals instead (aborted, the gateway ends them and records them as cut),
  // which takes a Request of our own per request, carrying both signals.
  const cut = new AbortController();
  const server = Deno.serve({ hostname: options.hostname, port: options.port, onListen() {} }, (request, info) =>
    handler(new Request(request, { signal: AbortSignal.any([request.signal, cut.signal]) }), { clientAddress: info.remoteAddr.hostname }),
  );
  const { port } = server.addr;
  return {
    url: `http://${urlHost(options.hostname)}:${port}`,
    port,
    async close(graceMs) {
      const drained = server.shutdown();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const graceOver = new Promise<'cut'>((resolve) => (timer = setTimeout(() => resolve('cut'), graceMs)));
      const outcome = await Promise.race([drained, graceOver]);
      clearTimeout(timer);
      if (outcome !== 'cut') return;
      cut.abort(new Error('the server is shutting down'));
      // The gateway ends the calls it was told to end, but Deno may still wait on the connections
      // their answers went out on: after a moment the process's exit closes them.
      await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, CUT_WAIT_MS))]);
    },
  };
}
