// Routerly behind a plain node:http server, its data in JSON files under ROUTERLY_HOME.
// The gateway is a fetch(Request) => Response handler: convert node's request to a Request, and
// stream the Response back as it comes (LLM answers are streams).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { createGateway } from 'routerly';
import { createFileStore } from 'routerly/storage/files';

const gateway = createGateway({ store: createFileStore(process.env.ROUTERLY_HOME!), secret: process.env.ROUTERLY_SECRET! });
await gateway.ready();

function toRequest(incoming: IncomingMessage, signal: AbortSignal): Request {
  const headers = new Headers();
  for (let i = 0; i < incoming.rawHeaders.length; i += 2) headers.append(incoming.rawHeaders[i]!, incoming.rawHeaders[i + 1]!);
  const hasBody = incoming.method !== 'GET' && incoming.method !== 'HEAD';
  return new Request(new URL(incoming.url ?? '/', `http://${incoming.headers.host ?? '127.0.0.1'}`), {
    method: incoming.method,
    headers,
    body: hasBody ? (Readable.toWeb(incoming) as ReadableStream<Uint8Array>) : null,
    duplex: 'half', // the request body streams in
    signal, // a client that hangs up cancels the upstream call
  });
}

async function send(response: Response, outgoing: ServerResponse): Promise<void> {
  // Headers iterate set-cookie one by one; writeHead takes [name, value, name, value, ...].
  outgoing.writeHead(response.status, [...response.headers].flat());
  if (response.body === null) outgoing.end();
  else await pipeline(Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>), outgoing);
}

const server = createServer((incoming, outgoing) => {
  const hangUp = new AbortController();
  outgoing.once('close', () => outgoing.writableFinished || hangUp.abort());
  gateway
    .fetch(toRequest(incoming, hangUp.signal), { clientAddress: incoming.socket.remoteAddress })
    .then((response) => send(response, outgoing))
    .catch(() => outgoing.destroy()); // the client went away mid-answer
});

server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
// Stop taking requests, let those in flight finish, then write out the usage still buffered.
process.once('SIGTERM', () => server.close(() => void gateway.flush().then(() => process.exit(0))));
