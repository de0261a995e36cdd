/**
 * Appends `items` to `target` one by one. `target.push(...items)` passes every item as an
 * argument, and a client array of a few hundred thousand parts overflows the stack: a
 * RangeError, which would reach the client as a 500 instead of being served or refused.
 */
export function pushAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}
