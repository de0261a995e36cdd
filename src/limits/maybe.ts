/** A value now, or a promise of it: what local counters (now) and the others (later) answer. */
export type Maybe<T> = T | Promise<T>;

/**
 * `next` applied to `value`: at once when it is here, when it comes when it is a promise. A chain
 * of them makes no promise and takes no microtask turn when every step answers at once.
 */
export function andThen<T, U>(value: Maybe<T>, next: (value: T) => Maybe<U>): Maybe<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/** Settled already: what a step that waits for nothing hands back, shared by every call. */
export const DONE: Promise<void> = Promise.resolve();
