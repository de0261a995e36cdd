import type { SseEvent } from '../../sse/parser.js';
import { isRecord } from '../../json/record.js';
import type { StreamObserver } from '../types.js';
import { anthropicUsage } from './response.js';
import { mergeUsage, type TokenUsage } from '../../ir/usage.js';

/**
 * Watches a Messages stream for usage and never alters it: `message_start` carries the
 * prompt's counts, each `message_delta` cumulative counts (output, and on newer API
 * versions the input fields too), so the largest value seen for each field is the total.
 */
export function createAnthropicStreamObserver(): StreamObserver {
  let usage: TokenUsage | undefined;
  const merge = (next: TokenUsage | undefined) => {
    if (next) usage = mergeUsage(usage, next);
  };
  let stopped = false;
  let errored = false;
  return {
    rewrites: false,
    usage: () => usage,
    // A whole stream ends with message_stop; an `error` event is the provider's failure.
    failure: () => (errored ? 'stream_error' : stopped ? undefined : 'truncated_stream'),
    complete: () => stopped || errored,
    onEvent(event: SseEvent) {
      if (event.event === 'message_stop') stopped = true;
      else if (event.event === 'error') errored = true;
      if (event.event !== 'message_start' && event.event !== 'message_delta') return undefined;
      try {
        const payload: unknown = JSON.parse(event.data);
        if (!isRecord(payload)) return undefined;
        const message = payload.message;
        merge(anthropicUsage(event.event === 'message_start' && isRecord(message) ? message.usage : payload.usage));
      } catch {
        // A malformed event is the client's to see; it just carries no usage for us.
      }
      return undefined;
    },
  };
}
