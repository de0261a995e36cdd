import type { GatewayError } from '../errors.js';
import { isRecord } from '../json/record.js';

/**
 * Readers for fields of an untrusted client body, shared by the client formats. Each refuses
 * a wrong shape with a 400 worded the way the format's own API words it (the client sees the
 * message), so the wording is a parameter. Field paths are built by the callers, in the
 * format's own style (`messages[1].content` for OpenAI, `messages.1.content` for Anthropic).
 * `null` counts as absent in every optional reader: the APIs document most fields as nullable.
 */

export type FieldType = 'string' | 'boolean' | 'number' | 'integer' | 'object' | 'array';

/** How a format words each kind of refusal. */
export interface FieldWording {
  wrongType(param: string, expected: FieldType): GatewayError;
  tooSmall(param: string, min: number): GatewayError;
  tooLarge(param: string, max: number): GatewayError;
  notOneOf(param: string, allowed: readonly string[]): GatewayError;
}

export interface FieldReaders {
  optionalString(value: unknown, param: string): string | undefined;
  requiredString(value: unknown, param: string): string;
  optionalBoolean(value: unknown, param: string): boolean | undefined;
  optionalNumber(value: unknown, param: string, min?: number, max?: number): number | undefined;
  optionalInteger(value: unknown, param: string, min?: number): number | undefined;
  optionalRecord(value: unknown, param: string): Record<string, unknown> | undefined;
  requiredRecord(value: unknown, param: string): Record<string, unknown>;
  optionalArray(value: unknown, param: string): unknown[] | undefined;
  requiredArray(value: unknown, param: string): unknown[];
  oneOf<const T extends string>(value: unknown, allowed: readonly T[], param: string): T;
}

/** Whether a field carries a value: absent and null both mean "not set". */
export function isGiven(value: unknown): boolean {
  return value !== undefined && value !== null;
}

export function fieldReaders(wording: FieldWording): FieldReaders {
  const requiredString = (value: unknown, param: string): string => {
    if (typeof value !== 'string') throw wording.wrongType(param, 'string');
    return value;
  };
  const requiredRecord = (value: unknown, param: string): Record<string, unknown> => {
    if (!isRecord(value)) throw wording.wrongType(param, 'object');
    return value;
  };
  const requiredArray = (value: unknown, param: string): unknown[] => {
    if (!Array.isArray(value)) throw wording.wrongType(param, 'array');
    return value;
  };
  const optionalNumber = (value: unknown, param: string, min?: number, max?: number): number | undefined => {
    if (!isGiven(value)) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw wording.wrongType(param, 'number');
    if (min !== undefined && value < min) throw wording.tooSmall(param, min);
    if (max !== undefined && value > max) throw wording.tooLarge(param, max);
    return value;
  };
  return {
    requiredString,
    requiredRecord,
    requiredArray,
    optionalNumber,
    optionalString: (value, param) => (isGiven(value) ? requiredString(value, param) : undefined),
    optionalRecord: (value, param) => (isGiven(value) ? requiredRecord(value, param) : undefined),
    optionalArray: (value, param) => (isGiven(value) ? requiredArray(value, param) : undefined),
    optionalBoolean(value, param) {
      if (!isGiven(value)) return undefined;
      if (typeof value !== 'boolean') throw wording.wrongType(param, 'boolean');
      return value;
    },
    optionalInteger(value, param, min) {
      const number = optionalNumber(value, param, min);
      if (number !== undefined && !Number.isInteger(number)) throw wording.wrongType(param, 'integer');
      return number;
    },
    oneOf<const T extends string>(value: unknown, allowed: readonly T[], param: string): T {
      if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw wording.notOneOf(param, allowed);
      return value as T;
    },
  };
}
