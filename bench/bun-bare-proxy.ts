// The bare proxy on Bun: `bun bench/bun-bare-proxy.ts <upstreamUrl>`. What bare-proxy.ts is on
// Node: the least a Bun reverse proxy does, with Bun.serve inbound and Bun's fetch outbound. It
// forwards method, path, headers and body, and returns the upstream's answer as it streams in,
// with no parsing, auth, routing or accounting. Prints {"event":"started","url":...} on stdout
// once it listens; SIGTERM stops it.

// Bun's surface used here, declared structurally: the repository type-checks with Node's types
// and no bun-types package (as adapters/bun/host.ts does).
interface BunServer {
  readonly port: number;
  stop(closeActiveConnections?: boolean): Promise<void>;
}
declare const Bun: {
  serve(options: { hostname: string; port: number; idleTimeout: number; fetch(request: Request): Promise<Response> }): BunServer;
};

/** Headers that describe one connection, not the message (RFC 9110 7.6.1), and the host: never forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

function endToEnd(headers: Headers): Headers {
  const kept = new Headers();
  headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name)) kept.set(name, value);
  });
  return kept;
}

const upstream = new URL(process.argv[2] ?? '');
const server = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  idleTimeout: 60,
  async fetch(request) {
    const url = new URL(request.url);
    try {
      const answer = await fetch(`${upstream.origin}${url.pathname}${url.search}`, {
        method: request.method,
        headers: endToEnd(request.headers),
        body: request.body,
        // Bun's fetch would otherwise decompress, and the client would get bytes its content-encoding no longer describes.
        decompress: false,
      } as RequestInit);
      return new Response(answer.body, { status: answer.status, headers: endToEnd(answer.headers) });
    } catch {
      return new Response(null, { status: 502 });
    }
  },
});
process.on('SIGTERM', () => {
  void server.stop(true).finally(() => process.exit(0));
});
console.log(JSON.stringify({ event: 'started', url: `http://127.0.0.1:${server.port}` }));
