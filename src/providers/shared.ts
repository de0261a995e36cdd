import type { UpstreamTarget } from '../ir/target.js';
import { HeaderFields } from '../http/header-fields.js';
import type { HeaderReader } from '../http/header-fields.js';

/** Headers every upstream call starts from: JSON in, the client's Accept, and the model's extra headers. */
export function baseUpstreamHeaders(model: UpstreamTarget, clientHeaders: HeaderReader): HeaderFields {
  const headers = new HeaderFields(model.config.headers);
  headers.set('content-type', 'application/json');
  headers.set('accept', clientHeaders.get('accept') ?? 'application/json');
  return headers;
}

/** A non-negative integer read from an untrusted provider body, or 0. */
export function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}
