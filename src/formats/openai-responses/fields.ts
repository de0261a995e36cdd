import { GatewayError } from '../../errors.js';
import { isRecord } from '../../providers/shared.js';

/**
 * Readers for fields of an untrusted Responses request body. Each refuses a wrong shape with
 * a 400 naming the field the way OpenAI does (`input[2].content[0].image_url`). `null`
 * counts as absent: the API documents most parameters as nullable.
 */

export function invalid(message: string, param: string): GatewayError {
  return new GatewayError('invalid_request', message, { param });
}

export function isGiven(value: unknown): boolean {
  return value !== undefined && value !== null;
}

export function optionalString(value: unknown, param: string): string | undefined {
  if (!isGiven(value)) return undefined;
  if (typeof value !== 'string') throw invalid(`'${param}' must be a string`, param);
  return value;
}

export function requiredString(value: unknown, param: string): string {
  if (typeof value !== 'string') throw invalid(`'${param}' must be a string`, param);
  return value;
}

export function optionalBoolean(value: unknown, param: string): boolean | undefined {
  if (!isGiven(value)) return undefined;
  if (typeof value !== 'boolean') throw invalid(`'${param}' must be a boolean`, param);
  return value;
}

export function optionalNumber(value: unknown, param: string, min?: number, max?: number): number | undefined {
  if (!isGiven(value)) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(`'${param}' must be a number`, param);
  if (min !== undefined && value < min) throw invalid(`'${param}' must be at least ${min}`, param);
  if (max !== undefined && value > max) throw invalid(`'${param}' must be at most ${max}`, param);
  return value;
}

export function optionalInteger(value: unknown, param: string, min?: number): number | undefined {
  const number = optionalNumber(value, param, min);
  if (number !== undefined && !Number.isInteger(number)) throw invalid(`'${param}' must be an integer`, param);
  return number;
}

export function optionalRecord(value: unknown, param: string): Record<string, unknown> | undefined {
  if (!isGiven(value)) return undefined;
  if (!isRecord(value)) throw invalid(`'${param}' must be an object`, param);
  return value;
}

export function requiredRecord(value: unknown, param: string): Record<string, unknown> {
  if (!isRecord(value)) throw invalid(`'${param}' must be an object`, param);
  return value;
}

export function optionalArray(value: unknown, param: string): unknown[] | undefined {
  if (!isGiven(value)) return undefined;
  if (!Array.isArray(value)) throw invalid(`'${param}' must be an array`, param);
  return value;
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], param: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalid(`'${param}' must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`, param);
  }
  return value as T;
}
