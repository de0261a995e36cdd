import type { ProviderErrorDetails } from '../../ir/codec.js';
import { isRecord } from '../../json/record.js';

/**
 * Google's error body, `{error: {code, message, status, details}}`: `status` is the
 * canonical code name (INVALID_ARGUMENT, RESOURCE_EXHAUSTED…), kept as the type. Some
 * Google endpoints wrap it in a one-element array, which is read the same way.
 */
export function readGeminiError(body: unknown): ProviderErrorDetails | undefined {
  const root = Array.isArray(body) && body.length === 1 ? body[0] : body;
  if (!isRecord(root) || !isRecord(root.error)) return undefined;
  const { message, status } = root.error;
  if (typeof message !== 'string') return undefined;
  return typeof status === 'string' && status !== '' ? { message, type: status } : { message };
}
