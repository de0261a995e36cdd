import http from 'node:http';
import https from 'node:https';

/**
 * The outbound `fetch` the Node adapter hands the gateway: node:http(s) with keep-alive
 * agents, the same transport a hand-written Node proxy uses. Node's global fetch (undici)
 * builds a Request, a body stream and abort plumbing per call and writes the body apart
 * from the headers; on the proxy's hot path that was a fifth of the gateway's CPU.
 *
 * It covers what the gateway sends (a string or no body, `signal`, no redirects followed,
 * no content decoding: the gateway asks for none) and defers anything else to the global fetch.
 */
export function createNodeFetch(options: { maxSockets?: number } = {}): typeof fetch {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 256, scheduling: 'lifo' as const };
  const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };

  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const body = init?.body;
    if ((body !== undefined && body !== null && typeof body !== 'string') || input instanceof Request || !(url.protocol in agents)) {
      return fetch(input, init);
    }
    return new Promise<Response>((resolve, reject) => {
      const signal = init?.signal ?? undefined;
      if (signal?.aborted) return reject(signal.reason);
      const headers: Record<string, string> = {};
      new Headers(init?.headers).forEach((value, name) => (headers[name] = value));
      if (typeof body === 'string') headers['content-length'] = String(Buffer.byteLength(body));

      const protocol = url.protocol as keyof typeof agents;
      const request = (protocol === 'https:' ? https : http).request(url, {
        method: init?.method ?? 'GET',
        headers,
        agent: agents[protocol],
        signal,
      });
      request.once('error', reject);
      request.once('response', (response) => {
        if (isSmallWholeBody(response)) {
          // A short JSON answer is read whole right away by the gateway anyway: collecting it
          // here spares a web stream per call. The request's errors still reject until then.
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.once('end', () => resolve(webResponse(response, Buffer.concat(chunks) as Uint8Array<ArrayBuffer>)));
          response.once('error', reject);
          response.once('aborted', () => reject(new Error('the upstream connection closed early')));
          return;
        }
        // After this the request's errors (an abort, a reset) surface through the body stream.
        request.off('error', reject);
        request.on('error', () => undefined);
        resolve(toWebResponse(response));
      });
      request.end(body ?? undefined);
    });
  };
}

/** Bodies up to this size with a declared length and no event stream are handed over whole. */
const WHOLE_BODY_LIMIT = 256 * 1024;

function isSmallWholeBody(response: http.IncomingMessage): boolean {
  const length = Number(response.headers['content-length']);
  const type = response.headers['content-type'] ?? '';
  return Number.isInteger(length) && length <= WHOLE_BODY_LIMIT && !type.startsWith('text/event-stream');
}

function responseHeaders(response: http.IncomingMessage): Headers {
  const headers = new Headers();
  const raw = response.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return headers;
}

function webResponse(response: http.IncomingMessage, body: Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array> | null): Response {
  const status = response.statusCode ?? 502;
  return new Response(NULL_BODY.has(status) ? null : body, { status, statusText: response.statusMessage, headers: responseHeaders(response) });
}

/** Statuses whose Response may not carry a body. */
const NULL_BODY = new Set([101, 204, 205, 304]);

function toWebResponse(response: http.IncomingMessage): Response {
  if (NULL_BODY.has(response.statusCode ?? 502)) {
    response.resume();
    return webResponse(response, null);
  }
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let settled = false;
        const fail = (error: Error) => {
          if (settled) return;
          settled = true;
          controller.error(error);
        };
        response.on('data', (chunk: Buffer) => {
          if (settled) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          // Backpressure: stop reading the socket until the consumer pulls again.
          if ((controller.desiredSize ?? 1) <= 0) response.pause();
        });
        response.once('end', () => {
          if (settled) return;
          settled = true;
          controller.close();
        });
        response.once('error', fail);
        // A connection cut before the end must fail the body, not end it quietly.
        response.once('aborted', () => fail(new Error('the upstream connection closed early')));
      },
      pull() {
        response.resume();
      },
      cancel() {
        response.destroy();
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
  return webResponse(response, body);
}
