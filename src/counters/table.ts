import type { CounterEntry, ReserveResult } from './port.js';
import { checkEntries, checkKeys } from './validate.js';

/** One counter as stored. */
export interface Cell {
  value: number;
  /** Epoch ms; the cell reads as absent from this instant on. */
  expiresAt: number;
}

/**
 * Where a CounterTable keeps its cells: a Map in this process (memoryCounters), or a Durable
 * Object's SQLite storage. Synchronous on purpose: a table operation then runs from start to
 * end with nothing else in between, which is what makes each one atomic.
 */
export interface CellStore {
  /** The cell as stored, expired or not (the table decides what expired means). */
  get(key: string): Cell | undefined;
  set(key: string, cell: Cell): void;
  /** Drops every cell whose expiresAt is at or before `now`. */
  sweep(now: number): void;
  /** Cells held, expired ones not yet swept included. */
  readonly size: number;
}

/** Cells in a Map: the in-process store. */
export class MapCellStore implements CellStore {
  private readonly cells = new Map<string, Cell>();

  get(key: string): Cell | undefined {
    return this.cells.get(key);
  }

  set(key: string, cell: Cell): void {
    this.cells.set(key, cell);
  }

  sweep(now: number): void {
    for (const [key, cell] of this.cells) if (cell.expiresAt <= now) this.cells.delete(key);
  }

  get size(): number {
    return this.cells.size;
  }
}

/**
 * The counting itself, synchronous, over a CellStore: what the in-process driver is, and what a
 * Durable Object runs over its storage. Each method is one atomic step because nothing else
 * runs while it does; each validates its arguments first (checkEntries) and then cannot fail
 * halfway, so it never applies part of its entries.
 *
 * Expired cells read as 0 and are overwritten by the next write to their key. A sweep drops
 * the rest once as many entries have been written since the last sweep as the store held after
 * it (at least `minSweepInterval`): the sweep's cost is then amortised to O(1) a write, and the
 * store never holds more than about twice the counters live at the last sweep (plus the
 * interval), however many keys pass through it. The first write sweeps too: a Durable Object
 * builds a new table each time it wakes, and its storage must be swept even when no one wake
 * writes as much as the interval.
 */
export class CounterTable {
  private writesSinceSweep = 0;
  /** Writes until the next sweep: none for the first. */
  private sweepAfter = 0;

  constructor(
    private readonly cells: CellStore = new MapCellStore(),
    private readonly minSweepInterval = 1024,
  ) {}

  /** Cells held, expired ones not yet swept included: for tests and metrics. */
  get size(): number {
    return this.cells.size;
  }

  /**
   * Entries apply in order; each one's limit is checked against its counter as its own add
   * leaves it, so two entries naming one key are checked on their running sum. An entry whose
   * amount is not positive never refuses (taking back always fits).
   */
  reserve(entries: readonly CounterEntry[], now: number): ReserveResult {
    checkEntries(entries, now);
    const before = entries.map((entry) => this.value(entry.key, now));
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      if (entry.limit === undefined || entry.amount <= 0) continue;
      // The running sum of its key: what the entries before it naming the same key add first.
      // A call reserves on a handful of counters: a scan costs less than a Map per call.
      // Summed in order, as adding them would leave the counter (the same rounding as the Redis driver's).
      let next = before[i]!;
      for (let j = 0; j < i; j++) if (entries[j]!.key === entry.key) next += entries[j]!.amount;
      next += entry.amount;
      if (next > entry.limit) return { ok: false, values: before, refused: i };
    }
    return { ok: true, values: this.apply(entries, now) };
  }

  /** Adds without checking limits (an entry's `limit` is ignored); the values after, in order. */
  add(entries: readonly CounterEntry[], now: number): number[] {
    checkEntries(entries, now);
    return this.apply(entries, now);
  }

  read(keys: readonly string[], now: number): number[] {
    checkKeys(keys, now);
    return keys.map((key) => this.value(key, now));
  }

  /**
   * Creates each absent (or expired) counter with `amount`; a live one keeps its value and its
   * expiry. Of two entries naming one absent key, the first sets it.
   */
  initialize(entries: readonly CounterEntry[], now: number): number[] {
    checkEntries(entries, now);
    const values = entries.map((entry) => {
      const cell = this.live(entry.key, now);
      if (cell) return cell.value;
      this.create(entry, now);
      return entry.amount;
    });
    this.written(entries.length, now);
    return values;
  }

  /** Drops every counter expired at `now` from the store. */
  sweep(now: number): void {
    this.cells.sweep(now);
    this.writesSinceSweep = 0;
    this.sweepAfter = Math.max(this.minSweepInterval, this.cells.size);
  }

  private apply(entries: readonly CounterEntry[], now: number): number[] {
    const values = entries.map((entry) => {
      const cell = this.live(entry.key, now);
      if (!cell) {
        this.create(entry, now);
        return entry.amount;
      }
      // A later expiry pushes the counter's out; an earlier one never pulls it in. The cell is
      // this table's own (a Map's object, or one the storage read for this step): updated in place.
      cell.value += entry.amount;
      if (entry.expiresAt > cell.expiresAt) cell.expiresAt = entry.expiresAt;
      this.cells.set(entry.key, cell);
      return cell.value;
    });
    this.written(entries.length, now);
    return values;
  }

  /**
   * A fresh counter. One whose expiry has already come is over as soon as it starts: it is not
   * stored (it would read as 0 at once), and the caller is told the amount it would have held.
   */
  private create(entry: CounterEntry, now: number): void {
    if (entry.expiresAt > now) this.cells.set(entry.key, { value: entry.amount, expiresAt: entry.expiresAt });
  }

  private value(key: string, now: number): number {
    return this.live(key, now)?.value ?? 0;
  }

  private live(key: string, now: number): Cell | undefined {
    const cell = this.cells.get(key);
    return cell && cell.expiresAt > now ? cell : undefined;
  }

  private written(count: number, now: number): void {
    this.writesSinceSweep += count;
    if (this.writesSinceSweep >= this.sweepAfter) this.sweep(now);
  }
}
