import type { SseEvent } from '../../sse/parser.js';

/** OpenAI's Responses API reports a failed start as `event: error` or `response.failed`. */
export function responsesStartError(event: SseEvent): { status: number; message: string } | undefined {
  if (event.event !== 'error' && event.event !== 'response.failed') return undefined;
  let message = 'the provider reported an error at the start of the stream';
  try {
    const data = JSON.parse(event.data) as { message?: unknown; error?: { message?: unknown }; response?: { error?: { message?: unknown } } };
    const found = data.message ?? data.error?.message ?? data.response?.error?.message;
    if (typeof found === 'string') message = found;
  } catch {
    // The event name alone says it failed.
  }
  return { status: 502, message };
}

