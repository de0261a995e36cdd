import { GatewayError } from '../../errors.js';
import { fieldReaders, type FieldType } from '../fields.js';

/**
 * Small readers for an untrusted Messages body. Each throws the 400 Anthropic would send,
 * naming the offending field by its dotted path (`messages.0.content.1.source`), as
 * Anthropic's own validation errors do, in their (pydantic) wording.
 */

export function invalid(param: string, message: string): GatewayError {
  return new GatewayError('invalid_request', `${param}: ${message}`, { param });
}

const WRONG_TYPE: Record<FieldType, string> = {
  string: 'Field required to be a string',
  boolean: 'Input should be a valid boolean',
  number: 'Input should be a valid number',
  integer: 'Input should be a valid integer',
  object: 'Input should be an object',
  array: 'Input should be a list',
};

export const {
  requiredString: requireString,
  requiredRecord: requireRecord,
  requiredArray: requireArray,
  optionalNumber,
  optionalString,
  optionalBoolean,
} = fieldReaders({
  wrongType: (param, expected) => invalid(param, WRONG_TYPE[expected]),
  tooSmall: (param, min) => invalid(param, `Input should be greater than or equal to ${min}`),
  tooLarge: (param, max) => invalid(param, `Input should be less than or equal to ${max}`),
  notOneOf: (param, allowed) => invalid(param, `Input should be ${alternatives(allowed)}`),
});

/** `'a', 'b' or 'c'`, as pydantic lists the allowed values. */
function alternatives(allowed: readonly string[]): string {
  const quoted = allowed.map((value) => `'${value}'`);
  return quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}` : (quoted[0] ?? '');
}

/** Whether a field carries a value (absent and null both mean "not set" in the Messages API). */
export { isGiven as isSet } from '../fields.js';
