import type { HeaderSource } from './upstream.js';

/**
 * How long a provider asked us to wait, in ms: `retry-after-ms` (OpenAI's, exact) before
 * `retry-after` (seconds, or an HTTP date). Undefined when it said nothing usable.
 */
export function retryAfterMs(headers: HeaderSource, now: number): number | undefined {
  const exact = headers.header('retry-after-ms');
  if (exact !== null) {
    const value = Number(exact);
    if (Number.isFinite(value) && value >= 0) return Math.ceil(value);
  }
  const header = headers.header('retry-after');
  if (header === null) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
