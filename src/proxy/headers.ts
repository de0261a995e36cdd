import type { HeaderSource } from '../http/upstream.js';

/**
 * The upstream response headers a client may see. An allowlist, not a blocklist: hop-by-hop
 * headers, cookies and the provider account's identifiers (organisation, project) stay behind.
 */
const FORWARDED = ['content-type', 'retry-after', 'retry-after-ms', 'x-request-id', 'request-id', 'openai-processing-ms'];

export function clientHeaders(upstream: HeaderSource, modelId: string, requestId: string): Record<string, string> {
  // A plain record, not a Headers: runtimes like @hono/node-server write it out as is.
  const headers: Record<string, string> = {};
  for (const name of FORWARDED) {
    const value = upstream.header(name);
    if (value !== null) headers[name] = value;
  }
  if (headers['content-type']?.startsWith('text/event-stream')) headers['cache-control'] = 'no-cache';
  headers['x-routerly-model'] = modelId;
  headers['x-routerly-request-id'] = requestId;
  return headers;
}
