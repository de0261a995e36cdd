import type { Counters } from './port.js';
import { CounterTable } from './table.js';

/**
 * Counters in this process's memory: exact for one process (Node, Bun, Deno), lost on restart
 * (the gateway then warms spend from the usage rollups). Several processes sharing one
 * ROUTERLY_HOME would each count alone: not supported (see the README, "Counters").
 */
export function memoryCounters(): Counters {
  const table = new CounterTable();
  return {
    durable: false,
    reserve: (entries, now) => Promise.resolve(table.reserve(entries, now)),
    add: (entries, now) => Promise.resolve(table.add(entries, now)),
    read: (keys, now) => Promise.resolve(table.read(keys, now)),
    initialize: (entries, now) => Promise.resolve(table.initialize(entries, now)),
  };
}
