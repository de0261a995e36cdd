// Allocation per call: the bytes a server process allocates (garbage included) for each call,
// read with V8's sampling heap profiler in the child (server-process.ts). Unlike the CPU and
// wall-time rows it does not move with how busy the machine is, so it tells a change that
// allocates less from a noisy run; and allocation is what the gateway's garbage collection
// (a large share of its CPU on Node) is paid for.

import { LoadSession, type LoadTarget } from './load.js';
import type { ServerProcess } from './processes.js';

export interface AllocationRow {
  mode: 'non-stream' | 'stream';
  target: string;
  calls: number;
  kibPerCall: number;
}

/** Calls per measurement, after as many to warm up. */
export const ALLOCATION_CALLS = 2_000;

/** Measures each target whose server is a Node process, in both modes, at `concurrency`. */
export async function measureAllocation(
  targets: ReadonlyArray<{ name: string; hop: ServerProcess; target: (mode: 'non-stream' | 'stream') => LoadTarget }>,
  concurrency: number,
  calls = ALLOCATION_CALLS,
): Promise<AllocationRow[]> {
  const rows: AllocationRow[] = [];
  for (const mode of ['non-stream', 'stream'] as const) {
    for (const { name, hop, target } of targets) {
      const session = new LoadSession(target(mode), concurrency);
      await session.runBounded(calls, 60_000);
      const before = session.result().completed;
      const bytes = await hop.allocation(() => session.runBounded(calls, 60_000));
      const measured = session.result().completed - before;
      session.close();
      rows.push({ mode, target: name, calls: measured, kibPerCall: bytes / measured / 1024 });
    }
  }
  return rows;
}

export function printAllocation(rows: readonly AllocationRow[]): void {
  console.log(`allocated per call (V8 sampling heap profiler, garbage included), ${rows[0]?.calls ?? 0} calls per row`);
  for (const mode of ['non-stream', 'stream'] as const) {
    const ofMode = rows.filter((row) => row.mode === mode);
    const bare = ofMode.find((row) => row.target === 'bare');
    const cells = ofMode.map((row) => `${row.target} ${row.kibPerCall.toFixed(1)} KiB${bare && row !== bare ? ` (${(row.kibPerCall / bare.kibPerCall).toFixed(2)}× bare)` : ''}`);
    console.log(`  ${mode.padEnd(10)}  ${cells.join(', ')}`);
  }
}
