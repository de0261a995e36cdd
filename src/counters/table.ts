import type { CounterEntry, ReserveResult } from './port.js';

interface Cell {
  value: number;
  expiresAt: number;
}

/**
 * The counting itself, synchronous and in memory: what the in-process driver is, and what a
 * Durable Object runs over its storage. Each method is one atomic step because nothing else
 * runs while it does. Expired counters read as 0 and are dropped as they are met, and by a
 * sweep every `sweepEvery` writes, so memory stays bounded by the counters still live.
 */
export class CounterTable {
  private readonly cells = new Map<string, Cell>();
  private writes = 0;

  constructor(private readonly sweepEvery = 1024) {}

  get size(): number {
    return this.cells.size;
  }

  reserve(entries: readonly CounterEntry[], now: number): ReserveResult {
    const before = entries.map((entry) => this.value(entry.key, now));
    // Two entries may name one key: check the sums per key, as the adds would make them.
    const pending = new Map<string, number>();
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      const next = (pending.get(entry.key) ?? before[i]!) + entry.amount;
      pending.set(entry.key, next);
      if (entry.limit !== undefined && entry.amount > 0 && next > entry.limit) return { ok: false, values: before, refused: i };
    }
    return { ok: true, values: this.add(entries, now) };
  }

  add(entries: readonly CounterEntry[], now: number): number[] {
    const values = entries.map((entry) => {
      const cell = this.live(entry.key, now);
      if (cell) {
        cell.value += entry.amount;
        if (entry.expiresAt > cell.expiresAt) cell.expiresAt = entry.expiresAt;
        return cell.value;
      }
      this.cells.set(entry.key, { value: entry.amount, expiresAt: entry.expiresAt });
      return entry.amount;
    });
    this.written(now);
    return values;
  }

  read(keys: readonly string[], now: number): number[] {
    return keys.map((key) => this.value(key, now));
  }

  initialize(entries: readonly CounterEntry[], now: number): number[] {
    const values = entries.map((entry) => {
      const cell = this.live(entry.key, now);
      if (cell) return cell.value;
      this.cells.set(entry.key, { value: entry.amount, expiresAt: entry.expiresAt });
      return entry.amount;
    });
    this.written(now);
    return values;
  }

  /** Every live counter, for a driver that persists them (a Durable Object). */
  entries(now: number): Array<[string, Cell]> {
    return [...this.cells].filter(([, cell]) => cell.expiresAt > now);
  }

  private value(key: string, now: number): number {
    return this.live(key, now)?.value ?? 0;
  }

  private live(key: string, now: number): Cell | undefined {
    const cell = this.cells.get(key);
    if (cell && cell.expiresAt <= now) {
      this.cells.delete(key);
      return undefined;
    }
    return cell;
  }

  private written(now: number): void {
    if (++this.writes < this.sweepEvery) return;
    this.writes = 0;
    for (const [key, cell] of this.cells) if (cell.expiresAt <= now) this.cells.delete(key);
  }
}
