import { GatewayError } from '../../errors.js';
import { isRecord } from '../../providers/shared.js';

/**
 * Small readers for an untrusted Messages body. Each throws the 400 Anthropic would send,
 * naming the offending field by its dotted path (`messages.0.content.1.source`), as
 * Anthropic's own validation errors do.
 */

export function invalid(param: string, message: string): GatewayError {
  return new GatewayError('invalid_request', `${param}: ${message}`, { param });
}

export function requireString(value: unknown, param: string): string {
  if (typeof value !== 'string') throw invalid(param, 'Field required to be a string');
  return value;
}

export function requireRecord(value: unknown, param: string): Record<string, unknown> {
  if (!isRecord(value)) throw invalid(param, 'Input should be an object');
  return value;
}

export function requireArray(value: unknown, param: string): unknown[] {
  if (!Array.isArray(value)) throw invalid(param, 'Input should be a list');
  return value;
}

/** A number field that may be absent (or null); any other type is a 400. */
export function optionalNumber(value: unknown, param: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(param, 'Input should be a valid number');
  return value;
}

export function optionalString(value: unknown, param: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  return requireString(value, param);
}

export function optionalBoolean(value: unknown, param: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalid(param, 'Input should be a valid boolean');
  return value;
}

/** Whether a field carries a value (absent and null both mean "not set" in the Messages API). */
export function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}
