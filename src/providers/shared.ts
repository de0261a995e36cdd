import type { ResolvedModel } from '../config/state.js';

/** Headers every upstream call starts from: JSON in, the client's Accept, and the model's extra headers. */
export function baseUpstreamHeaders(model: ResolvedModel, clientHeaders: Headers): Headers {
  const headers = new Headers(model.config.headers);
  headers.set('content-type', 'application/json');
  headers.set('accept', clientHeaders.get('accept') ?? 'application/json');
  return headers;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-negative integer read from an untrusted provider body, or 0. */
export function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}
