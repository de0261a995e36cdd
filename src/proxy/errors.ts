import { codeForStatus, errorResponse, GatewayError, type ErrorFormat } from '../errors.js';
import type { UpstreamAnswer } from '../http/upstream.js';
import type { ProviderErrorDetails } from '../ir/codec.js';
import type { ProviderAdapter } from '../providers/types.js';
import type { UpstreamCall } from './upstream.js';
import { utf8 } from '../crypto/encoding.js';

/**
 * The client's answer for a provider's non-2xx, shared by both routes. A provider 401/403
 * becomes a 502: it concerns the gateway's provider key, and passing it on would tell the
 * client its own project token was wrong. `retell` turns anything else into the client's
 * format, or returns undefined to send the provider's body as it is.
 */
async function providerErrorResponse(
  upstream: UpstreamAnswer,
  call: UpstreamCall,
  format: Exclude<ErrorFormat, 'api'>,
  modelId: string,
  headers: Record<string, string>,
  summary: string | undefined,
  retell: (status: number, body: unknown, bytes: Uint8Array<ArrayBuffer>) => Response | undefined,
): Promise<Response> {
  const tried = summary ? ` (tried ${summary})` : '';
  const status = upstream.status;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = await call.readBody(upstream);
  } catch (error) {
    return errorResponse(error as GatewayError, format, headers);
  }
  if (status === 401 || status === 403) {
    const error = new GatewayError('upstream_error', `the provider refused the gateway's credentials for model "${modelId}" (HTTP ${status})${tried}`);
    return errorResponse(error, format, headers);
  }
  let body: unknown;
  try {
    body = JSON.parse(utf8.decode(bytes));
  } catch {
    body = undefined;
  }
  const retold = retell(status, body, bytes);
  if (retold) return retold;
  // Anything else (an HTML page from a proxy, a redirect) keeps its 4xx/5xx status or becomes a 502.
  const clientStatus = status >= 400 ? status : 502;
  const error = new GatewayError(codeForStatus(clientStatus), `the provider answered HTTP ${status} for model "${modelId}"${tried}`, {
    status: clientStatus,
  });
  return errorResponse(error, format, headers);
}

/**
 * Same format: an error already in the client's shape keeps its status and body (a 429
 * stays a 429, with its retry-after). A vendor's own shape (Mistral's 422) is re-told, and
 * so is any error that ends a call which failed over first, its message naming the attempts.
 */
export function passthroughErrorResponse(
  upstream: UpstreamAnswer,
  call: UpstreamCall,
  adapter: ProviderAdapter,
  readError: (body: unknown) => ProviderErrorDetails | undefined,
  modelId: string,
  headers: Record<string, string>,
  summary?: string,
): Promise<Response> {
  return providerErrorResponse(upstream, call, adapter.format, modelId, headers, summary, (status, body, bytes) => {
    if (status < 400) return undefined;
    if (!summary && adapter.isErrorBody(body)) return new Response(bytes, { status, headers: { ...headers, 'content-type': 'application/json' } });
    return retold(status, body, adapter.format, readError, headers, summary);
  });
}

function retold(
  status: number,
  body: unknown,
  format: Exclude<ErrorFormat, 'api'>,
  readError: (body: unknown) => ProviderErrorDetails | undefined,
  headers: Record<string, string>,
  summary: string | undefined,
): Response | undefined {
  const details = readError(body);
  if (!details) return undefined;
  const message = summary ? `${details.message} (tried ${summary})` : details.message;
  return errorResponse(new GatewayError(codeForStatus(status), message, { status }), format, headers);
}

/** Another format: the provider's message, re-told in the client's error shape under the same status. */
export function translatedErrorResponse(
  upstream: UpstreamAnswer,
  call: UpstreamCall,
  format: Exclude<ErrorFormat, 'api'>,
  readError: (body: unknown) => ProviderErrorDetails | undefined,
  modelId: string,
  headers: Record<string, string>,
  summary?: string,
): Promise<Response> {
  return providerErrorResponse(upstream, call, format, modelId, headers, summary, (status, body) =>
    status >= 400 ? retold(status, body, format, readError, headers, summary) : undefined,
  );
}
