import type { Counters } from './port.js';
import { CounterTable } from './table.js';

/** The in-process driver, with what it holds for tests and metrics. */
export interface MemoryCounters extends Counters {
  /** Counters held, expired ones not yet swept included (see CounterTable). */
  readonly size: number;
}

/**
 * Counters in this process's memory: exact for one process (Node, Bun, Deno), lost on restart
 * (the gateway then warms spend from the usage rollups). Several processes sharing one
 * ROUTERLY_HOME would each count alone: not supported (see the README, "Counters").
 */
export function memoryCounters(): MemoryCounters {
  const table = new CounterTable();
  // `async`, so that a refused argument (CounterTable throws RangeError or TypeError at once)
  // reaches the caller as a rejected promise, as it would from any other driver.
  return {
    durable: false,
    reserve: async (entries, now) => table.reserve(entries, now),
    add: async (entries, now) => table.add(entries, now),
    read: async (keys, now) => table.read(keys, now),
    initialize: async (entries, now) => table.initialize(entries, now),
    get size() {
      return table.size;
    },
  };
}
