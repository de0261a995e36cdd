import os from 'node:os';
import { runServer, type StopSignal } from '../shared/lifecycle.js';
import { listenNode } from './listen.js';
import { nodeOutbound } from './server.js';

/**
 * The whole `npm start` / `routerly start` lifecycle on Node (adapters/shared/lifecycle.ts):
 * reads `env`, prepares the home, serves over node:http, prints the banner, and on
 * SIGTERM/SIGINT drains, writes out usage and exits the process. A configuration mistake
 * ends it with one line on stderr and exit code 1.
 */
export function runNodeServer(env: Record<string, string | undefined>): Promise<void> {
  return runServer({
    runtime: `node ${process.versions.node}`,
    env,
    homeDir: os.homedir(),
    stderr: { write: (text) => process.stderr.write(text), isTTY: process.stderr.isTTY === true },
    onStopSignal(listener) {
      for (const signal of ['SIGTERM', 'SIGINT'] as const satisfies StopSignal[]) process.on(signal, () => listener(signal));
    },
    exit: (code) => process.exit(code),
    // A fetch on node:http's keep-alive agents (the judge) and the adapter's HTTP/1.1 pool for proxied
    // calls (no Response or AbortController per call), under one set of address rules: see nodeOutbound.
    createOutbound: nodeOutbound,
    listen: listenNode,
  });
}
