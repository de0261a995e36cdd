import type { Counters, LocalCounters } from './port.js';
import { CounterTable } from './table.js';

/** The in-process driver, with what it holds for tests and metrics. */
export interface MemoryCounters extends Counters {
  /** Counters held, expired ones not yet swept included (see CounterTable). */
  readonly size: number;
}

/** The table behind each driver memoryCounters made. */
const localTables = new WeakMap<Counters, LocalCounters>();

/**
 * Counters in this process's memory: exact for one process (Node, Bun, Deno), lost on restart
 * (the gateway then warms spend from the usage rollups). Several processes sharing one
 * ROUTERLY_HOME would each count alone: not supported (see the README, "Counters").
 */
export function memoryCounters(): MemoryCounters {
  const table = new CounterTable();
  // `async`, so that a refused argument (CounterTable throws RangeError or TypeError at once)
  // reaches the caller as a rejected promise, as it would from any other driver.
  const driver: MemoryCounters = {
    durable: false,
    reserve: async (entries, now) => table.reserve(entries, now),
    add: async (entries, now) => table.add(entries, now),
    read: async (keys, now) => table.read(keys, now),
    initialize: async (entries, now) => table.initialize(entries, now),
    get size() {
      return table.size;
    },
  };
  localTables.set(driver, table);
  return driver;
}

/**
 * The table behind a driver memoryCounters made, to count through without promises; undefined
 * for any other object, a copy of one included (`{ ...memoryCounters(), reserve: failing }`
 * must fail as it says, not count on the table it was copied from).
 */
export function localCounters(counters: Counters): LocalCounters | undefined {
  return localTables.get(counters);
}
