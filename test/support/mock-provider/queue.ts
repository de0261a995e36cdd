// The behaviour queue: which behaviour a request gets. Entries can be aimed at one upstream model
// and can serve several requests, because routing tests point several gateway models at the same
// mock and need one of them to fail (N times, or for good) while the others answer normally.

import { geminiCallOf } from './gemini.js';
import type { Behaviour, EnqueueOptions, RecordedRequest } from './types.js';

interface Entry {
  behaviour: Behaviour;
  /** Undefined: any request matches. */
  model: string | undefined;
  /** Matching requests this entry still serves; Infinity until reset(). */
  remaining: number;
}

/**
 * The upstream model a request names: the `{model}` path segment for Gemini calls (their bodies
 * carry none), `body.model` for every other API (OpenAI chat/responses/embeddings, Anthropic
 * messages/count_tokens, Cohere v2). Undefined for requests without one (GET /v1/models...).
 */
export function upstreamModelOf(request: Pick<RecordedRequest, 'path' | 'body'>): string | undefined {
  const call = geminiCallOf(request.path);
  if (call) return call.model;
  const body: unknown = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const model = (body as Record<string, unknown>).model;
  return typeof model === 'string' ? model : undefined;
}

export class BehaviourQueue {
  private readonly entries: Entry[] = [];

  add(behaviour: Behaviour, options: EnqueueOptions = {}): void {
    const times = options.times ?? 1;
    // A typo'd count would silently change what the test exercises: refuse it loudly instead.
    if (!(times === Infinity || (Number.isInteger(times) && times >= 1))) {
      throw new RangeError(`enqueue: times must be a positive integer or Infinity, got ${String(times)}`);
    }
    this.entries.push({ behaviour, model: options.model, remaining: times });
  }

  /**
   * The behaviour for this request: the first entry that matches it (FIFO among matches), used
   * once. Entries aimed at other models stay where they are, in order, for later requests.
   */
  take(request: Pick<RecordedRequest, 'path' | 'body'>): Behaviour | undefined {
    // Untargeted entries match everything, so the model is only worked out when some entry needs it.
    let model: string | undefined;
    let modelKnown = false;
    const index = this.entries.findIndex((entry) => {
      if (entry.model === undefined) return true;
      if (!modelKnown) {
        model = upstreamModelOf(request);
        modelKnown = true;
      }
      return entry.model === model;
    });
    const entry = this.entries[index];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.entries.splice(index, 1);
    return entry.behaviour;
  }

  /** Entries with uses left (used-up ones are removed at once), each counting 1, Infinity ones included. */
  pending(): number {
    return this.entries.length;
  }

  clear(): void {
    this.entries.length = 0;
  }
}
