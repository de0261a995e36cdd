import { InvalidArgumentError, Option, type Command } from 'commander';

/**
 * Flag parsers: a bad value is a usage error (exit 2) reported by commander before the command
 * runs, so nothing is sent to the gateway.
 */

export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
      throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `a whole number, at least ${min}` : `a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

/** A price, weight or limit in USD: a finite number, at least `min`. */
export function decimal(min: number, max = Number.MAX_VALUE) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`a number, at least ${min}${max === Number.MAX_VALUE ? '' : ` and at most ${max}`}`);
    return n;
  };
}

/** `YYYY-MM-DD`, or an ISO date-time with a zone (`2026-12-01T10:00:00Z`), as the usage API takes them. */
export function isoDate(value: string): string {
  const ok = /^\d{4}-\d{2}-\d{2}$/.test(value) || /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value);
  if (!ok || Number.isNaN(Date.parse(value))) throw new InvalidArgumentError('a date (2026-12-01) or a date-time with its zone (2026-12-01T10:00:00Z)');
  return value;
}

/** A comma-separated list, for options that take several values at once (`--models a,b`). */
export function commaList(value: string, previous: string[] = []): string[] {
  const items = value.split(',').map((item) => item.trim()).filter((item) => item !== '');
  if (items.length === 0) throw new InvalidArgumentError('one or more values, separated by commas');
  return [...previous, ...items];
}

/** `name:value`, for repeatable header options. */
export function headerPair(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf(':');
  if (at <= 0) throw new InvalidArgumentError('a header as name:value');
  return { ...previous, [value.slice(0, at).trim()]: value.slice(at + 1).trim() };
}

/** A flag whose value must be one of `values`; commander lists them in --help and refuses others. */
export function choiceOption(flags: string, description: string, values: readonly string[]): Option {
  return new Option(flags, description).choices(values);
}

/** Every command takes --json: the API's own answer instead of the human view. */
export function withJson(command: Command): Command {
  return command.option('--json', "print the API's JSON answer as it came, instead of a table");
}
