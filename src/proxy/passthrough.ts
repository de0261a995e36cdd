import { responsesStartError } from '../providers/openai/responses-stream.js';
import type { ProviderAdapter, TokenUsage } from '../providers/types.js';
import type { ProxyContext } from './context.js';
import { passthroughErrorResponse } from './errors.js';
import type { ExchangePlan } from './exchange.js';
import { firstEventError, startErrorResponse } from './stream-start.js';
import { utf8 } from '../crypto/encoding.js';

/**
 * A call in the provider's own format: the client's body goes out byte for byte (with only
 * `model` and what the gateway needs spliced in) and the answer comes back as it was sent.
 */
export function passthroughPlan(ctx: ProxyContext, adapter: ProviderAdapter): ExchangePlan {
  const { model, endpoint } = ctx;
  const prepared = adapter.prepare({
    operation: endpoint.passthrough.operation,
    model,
    body: ctx.body,
    parsed: ctx.parsed,
    clientHeaders: ctx.headers,
    search: searchOf(ctx.request.url),
  });
  return {
    request: prepared.request,
    stream: prepared.stream,
    errorResponse: (upstream, call, headers, summary) =>
      passthroughErrorResponse(upstream, call, adapter, model.provider.readError, model.config.id, headers, summary),
    startErrorResponse: (error, headers) => startErrorResponse(adapter.format, error, headers),
    createObserver: prepared.createObserver,
    streamErrorEvent: (error) => adapter.streamErrorEvent(error),
    // The provider's own stream decoder knows its in-stream error shape; the Responses API has its own events.
    startError:
      endpoint.passthrough.operation === 'responses' ? responsesStartError : (event) => firstEventError(model.provider.chat, event),
    // The bytes go to the client as the provider sent them, whatever they hold: only the record reads them.
    answer: (bytes) => ({ body: bytes, account: () => accountOf(adapter, bytes) }),
  };
}

/** What a forwarded answer says of the call: its usage, or why it is no good answer. */
function accountOf(adapter: ProviderAdapter, bytes: Uint8Array<ArrayBuffer>): { usage: TokenUsage | undefined; outcome?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(bytes));
  } catch {
    // A body that is not JSON still went to the client as the provider sent it, but it is no answer.
    return { usage: undefined, outcome: 'invalid_answer' };
  }
  // A 200 that carries an error object is the provider's failure, whatever its status says.
  if (adapter.isErrorBody(parsed)) return { usage: undefined, outcome: 'error_in_answer' };
  return { usage: adapter.usageFromBody(parsed) };
}

/** The `?…` part of a URL, without parsing the rest of it. */
function searchOf(url: string): string {
  const query = url.indexOf('?');
  if (query === -1) return '';
  const hash = url.indexOf('#', query);
  return url.slice(query, hash === -1 ? undefined : hash);
}
