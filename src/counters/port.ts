/**
 * Shared numeric counters: the one port budgets, reservations, rate limits and login throttling
 * count through, so that on a runtime with many isolates (Workers: a Durable Object) they hold
 * exactly across all of them, and a single process (Node, Bun, Deno) keeps them in memory.
 *
 * Windows are the caller's: a counter for "requests of project p in the minute starting at t"
 * has a key that names p and t, and an `expiresAt` at the end of that window, after which the
 * driver may forget it (and must read it as 0). Every operation is atomic as a whole, and a
 * driver orders them (no two interleave), which is what makes a reservation exact under
 * concurrency: the check and the charge are one step.
 *
 * Amounts are plain numbers; callers that need exact sums use integers (USD as nano-dollars).
 * `now` (epoch ms) is the caller's clock, passed in so that tests can move it and so that
 * every node of a deployment agrees on which windows are over.
 *
 * Every operation rejects, and changes nothing, when an argument is malformed: a key that is
 * not a string of 1 to 1024 characters (validate.ts; TypeError or RangeError), an amount, limit,
 * expiresAt or `now` that is not a finite number (RangeError for NaN and ±Infinity). Entries
 * apply in order, so two entries may name one key. A counter created with an `expiresAt` that
 * has already passed is over at once: the operation reports its value, and it reads as 0.
 */
export interface CounterEntry {
  key: string;
  /** Added to the counter; negative to take back (a released reservation). */
  amount: number;
  /** `reserve` only: the counter after the add must not be above this. Absent: not checked. */
  limit?: number;
  /** When the counter may be forgotten (epoch ms). A later add may push it later, never earlier. */
  expiresAt: number;
}

export interface ReserveResult {
  ok: boolean;
  /** Each entry's counter after the operation (when refused: as it was, nothing added). */
  values: number[];
  /** When refused: the index of the first entry whose limit would have been passed. */
  refused?: number;
}

export interface Counters {
  /**
   * All or nothing: adds every entry's amount when each entry that has a `limit` stays within
   * it, else adds nothing. Entries with a non-positive amount always fit. Two entries naming
   * one key are checked on their running sum, as adding them in order would leave it.
   */
  reserve(entries: readonly CounterEntry[], now: number): Promise<ReserveResult>;
  /** Adds without checking (settling or releasing a reservation; `limit` is ignored); the values after. */
  add(entries: readonly CounterEntry[], now: number): Promise<number[]>;
  /** The current values; 0 for a counter that is absent or expired. */
  read(keys: readonly string[], now: number): Promise<number[]>;
  /**
   * Sets each counter to `amount` only where it does not exist yet (warming a fresh process's
   * counters from stored history); the values held after.
   */
  initialize(entries: readonly CounterEntry[], now: number): Promise<number[]>;
  /**
   * Whether counters hold every charge of their windows for good (a Durable Object's storage).
   * When false (the process's memory; Redis, which a migration fills with rollups but no
   * counter), the gateway warms each spend counter from the usage rollups the first time this
   * process needs it, with `initialize`: a counter that already exists is left as it is.
   */
  readonly durable: boolean;
}

/**
 * Counters that answer at once, in this process: the memory driver's table. The gateway counts
 * through them without a promise when its driver has one (memory.ts, localCounters): a call with
 * budgets made some ten promises and as many microtask turns for counters that never wait.
 */
export interface LocalCounters {
  reserve(entries: readonly CounterEntry[], now: number): ReserveResult;
  add(entries: readonly CounterEntry[], now: number): number[];
  read(keys: readonly string[], now: number): number[];
  initialize(entries: readonly CounterEntry[], now: number): number[];
}

/** The operations of Counters or of LocalCounters: each answers now or later. */
export type CounterOps = {
  [K in keyof LocalCounters]: (...args: Parameters<LocalCounters[K]>) => ReturnType<LocalCounters[K]> | Promise<ReturnType<LocalCounters[K]>>;
};
