import type { CounterEntry } from './port.js';

/**
 * The longest counter key, in UTF-16 code units. Keys name a scope and a window (a project id
 * and a minute, an address and an email of at most 320 characters), so this leaves room; a
 * key longer than it is a bug, and every driver refuses it alike rather than only some.
 */
export const MAX_KEY_LENGTH = 1024;

/**
 * Checks what a caller hands a Counters operation, the same way for every driver: a NaN
 * amount would poison a counter for its whole window (every later sum is NaN, and NaN is never
 * above a limit, so the limit would stop holding), and Infinity would do the same by never
 * coming back down. Throws TypeError for a value of the wrong type, RangeError for a number or
 * key out of range; the drivers turn that into a rejected promise.
 */
export function checkEntries(entries: readonly CounterEntry[], now: number): void {
  checkNow(now);
  if (!Array.isArray(entries)) throw new TypeError('counter entries must be an array');
  // On the hot path of every call: the messages are only made for an entry that fails.
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (typeof entry !== 'object' || entry === null) throw new TypeError(`counter entry ${i} must be an object`);
    const { key, amount, expiresAt, limit } = entry;
    if (!isKey(key)) checkKey(key, `counter entry ${i}: key`);
    if (!isFiniteNumber(amount)) checkFinite(amount, `counter entry ${i} (${key}): amount`);
    if (!isFiniteNumber(expiresAt)) checkFinite(expiresAt, `counter entry ${i} (${key}): expiresAt`);
    // Absent means unchecked; there is no "infinite" limit to spell, so a non-finite one is a bug.
    if (limit !== undefined && !isFiniteNumber(limit)) checkFinite(limit, `counter entry ${i} (${key}): limit`);
  }
}

export function checkKeys(keys: readonly string[], now: number): void {
  checkNow(now);
  if (!Array.isArray(keys)) throw new TypeError('counter keys must be an array');
  for (let i = 0; i < keys.length; i++) if (!isKey(keys[i])) checkKey(keys[i], `counter key ${i}`);
}

function isKey(key: unknown): boolean {
  return typeof key === 'string' && key.length > 0 && key.length <= MAX_KEY_LENGTH;
}

function isFiniteNumber(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value);
}

function checkNow(now: number): void {
  checkFinite(now, 'now');
}

function checkKey(key: unknown, what: string): void {
  if (typeof key !== 'string') throw new TypeError(`${what} must be a string`);
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) throw new RangeError(`${what} must be 1 to ${MAX_KEY_LENGTH} characters long, got ${key.length}`);
}

function checkFinite(value: unknown, what: string): void {
  if (typeof value !== 'number') throw new TypeError(`${what} must be a number, got ${typeof value}`);
  if (!Number.isFinite(value)) throw new RangeError(`${what} must be a finite number, got ${value}`);
}
