import { codeForStatus, errorResponse, GatewayError } from '../errors.js';
import type { ProviderAdapter } from '../providers/types.js';
import type { UpstreamCall } from './upstream.js';

/**
 * Turns a provider's non-2xx answer into the client's. An error already in the client's
 * format keeps its status and body (a 429 stays a 429, with its retry-after). A provider
 * 401/403 becomes a 502: it concerns the gateway's provider key, and passing it on would
 * tell the client its own project token was wrong. Anything else (an HTML page from a
 * proxy, a redirect) becomes a 502 in the client's format, or keeps its 4xx/5xx status.
 */
export async function upstreamErrorResponse(
  upstream: Response,
  call: UpstreamCall,
  adapter: ProviderAdapter,
  modelId: string,
  headers: Record<string, string>,
): Promise<Response> {
  const status = upstream.status;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = await call.readBody(upstream);
  } catch (error) {
    return errorResponse(error as GatewayError, adapter.format, headers);
  }
  if (status === 401 || status === 403) {
    const error = new GatewayError('upstream_error', `the provider refused the gateway's credentials for model "${modelId}" (HTTP ${status})`);
    return errorResponse(error, adapter.format, headers);
  }
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    body = undefined;
  }
  if (status >= 400 && adapter.isErrorBody(body)) {
    return new Response(bytes, { status, headers: { ...headers, 'content-type': 'application/json' } });
  }
  const clientStatus = status >= 400 ? status : 502;
  const error = new GatewayError(codeForStatus(clientStatus), `the provider answered HTTP ${status} for model "${modelId}"`, {
    status: clientStatus,
  });
  return errorResponse(error, adapter.format, headers);
}
