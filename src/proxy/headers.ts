/**
 * The upstream response headers a client may see. An allowlist, not a blocklist: hop-by-hop
 * headers, cookies and the provider account's identifiers (organisation, project) stay behind.
 */
const FORWARDED = ['content-type', 'retry-after', 'retry-after-ms', 'x-request-id', 'request-id', 'openai-processing-ms'];

export function clientHeaders(upstream: Headers, modelId: string, requestId: string): Headers {
  const headers = new Headers();
  for (const name of FORWARDED) {
    const value = upstream.get(name);
    if (value !== null) headers.set(name, value);
  }
  if (headers.get('content-type')?.startsWith('text/event-stream')) headers.set('cache-control', 'no-cache');
  headers.set('x-routerly-model', modelId);
  headers.set('x-routerly-request-id', requestId);
  return headers;
}
