import type { Logger } from '../deps.js';
import type { Store } from '../store.js';
import type { UsageRecord } from './record.js';
import { decodeRollupDocument, encodeRollupDocument } from './rollup-document.js';
import {
  addRecordToSums,
  emptySums,
  GRANULARITIES,
  partOf,
  periodsOf,
  RollupTable,
  rollupKey,
  type Granularity,
  type RecordPeriods,
  type RollupKeyParts,
  type RollupSums,
  type RowDimensions,
} from './rollup.js';

/** A document this writer is adding to: its rows in memory, the whole of them put after each change. */
interface HeldDocument {
  parts: RollupKeyParts;
  table: RollupTable;
  /**
   * False while this writer's stored copy could not be read (the store failed): the document is
   * not put until it has been, or the put would replace the stored rows with the new ones only.
   */
  resumed: boolean;
}

/**
 * Documents of each granularity held in memory once written: the current period and the one
 * before it (a call that began before midnight records into yesterday). Older ones are dropped;
 * a late record for one reads this writer's stored copy back first, so nothing depends on this.
 */
const HELD_PER_GRANULARITY = 2;

/**
 * The least time between two write passes, unless one is asked for at once (flush). Under load a
 * batch is appended every 25 ms; rewriting and fsyncing three documents after each cost the
 * gateway a sixth of its throughput, and KV takes one write a second per key. The raw log has
 * every record at once; a crash can leave up to this much of it out of the rollups.
 */
export const ROLLUP_PASS_INTERVAL_MS = 1000;

/**
 * One gateway instance's rollup documents (src/usage/rollup.ts). Records are added after their
 * raw append succeeded, so the rollups count exactly what the raw log holds. Every document
 * changed since its last write is then replaced whole with `put` (atomic), from memory: one put
 * per document per write pass, however many batches changed it meanwhile, and never two puts
 * of one document at once.
 *
 * The first time a document is touched, this writer's earlier copy of it is read back (when the
 * adapter gives the instance a stable id, a restart resumes its documents instead of replacing
 * them). Two live instances must never share an id: each would overwrite the other's rows.
 */
export class RollupWriter {
  private readonly held = new Map<string, HeldDocument>();
  private readonly dirty = new Set<string>();
  private inFlight: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private warnedUndated = false;
  /** When the last pass began (performance.now()), and how to end the wait of one that is waiting its turn. */
  private lastPassAt = Number.NEGATIVE_INFINITY;
  private wake: (() => void) | undefined;
  /** A write was asked for now: the next pass does not wait its turn. */
  private urgent = false;
  /** The document each granularity's last record went to. */
  private readonly lastUsed: Record<Granularity, { period: string; key: string; document: HeldDocument } | undefined> = { hour: undefined, day: undefined, month: undefined };

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    readonly writer: string,
    private readonly passIntervalMs = ROLLUP_PASS_INTERVAL_MS,
  ) {}

  /** Documents changed but not yet stored (a put failed, or the pass is still to come). */
  get unwritten(): number {
    return this.dirty.size;
  }

  /** Keys of the documents held in memory (memory stays flat: see HELD_PER_GRANULARITY). */
  heldKeys(): string[] {
    return [...this.held.keys()];
  }

  /**
   * Adds stored records to the documents of their hour, day and month. Not reentrant: the
   * recorder calls it from its one write loop, so two calls never load the same document at once.
   */
  async add(records: Iterable<UsageRecord>): Promise<void> {
    // The batch is summed per (hour, project, token, model) first, and each sum added to its
    // documents once. A batch under load is tens of records of a few such groups, and adding each
    // record to the five rows it counts in (each granularity's row, and the day's and month's
    // split) was most of the rollups' cost per call. Every sum is of integers but the latency
    // sums, whose order of addition can move their last bits. A group holds the ids it is for,
    // not a record: a caller may hand the same object over and over, changed in between (the
    // summary bench's generator does).
    const groups = new Map<string, { dimensions: RowDimensions; periods: RecordPeriods; sums: RollupSums }>();
    for (const record of records) {
      const periods = periodsOf(record.ts);
      if (periods === undefined) {
        if (!this.warnedUndated) this.logger.warn('usage record without a valid ts is left out of the rollups', { requestId: record.requestId });
        this.warnedUndated = true;
        continue;
      }
      const key = `${periods.hour}\u0000${record.projectId}\u0000${record.tokenId}\u0000${record.model}`;
      let group = groups.get(key);
      if (!group) {
        const dimensions = { projectId: record.projectId, tokenId: record.tokenId, model: record.model };
        groups.set(key, (group = { dimensions, periods, sums: emptySums() }));
      }
      addRecordToSums(group.sums, record);
    }
    // In the order each group's first record came: records come in time order.
    for (const { dimensions, periods, sums } of groups.values()) {
      for (const granularity of GRANULARITIES) {
        const period = periods[granularity];
        let last = this.lastUsed[granularity];
        // Most groups are for the document the one before was, found without a key to build.
        if (last?.period !== period || this.held.get(last.key) !== last.document) {
          const key = rollupKey(granularity, period, this.writer);
          let document = this.held.get(key);
          if (!document) {
            document = await this.load(granularity, period);
            // Held only now, after the await: a write pass ending meanwhile cannot drop it before it is due.
            this.held.set(key, document);
          }
          last = this.lastUsed[granularity] = { period, key, document };
        }
        last.document.table.addGroupSums(dimensions, sums, partOf(granularity, periods));
        this.dirty.add(last.key);
      }
    }
  }

  /**
   * Writes every document changed so far. Settles once a write pass that holds every change made
   * before this call is done: at most the pass in flight and one more. Never rejects: a failed put
   * is logged and its document stays due, for the next pass.
   */
  write(options: { now?: boolean } = {}): Promise<void> {
    // A pass waiting its turn starts at once when one is asked for now.
    if (options.now) {
      this.wake?.();
      this.urgent = true;
    }
    if (this.queued) return this.queued;
    // Nothing changed since the pass in flight took its documents: that pass is the one to wait for.
    if (this.inFlight && this.dirty.size === 0) return this.inFlight;
    if (!this.inFlight) return this.startPass();
    this.queued = this.inFlight.then(() => {
      this.queued = undefined;
      return this.startPass();
    });
    return this.queued;
  }

  private startPass(): Promise<void> {
    const pass = this.turn()
      .then(() => this.writeDirty())
      .catch((error: unknown) => this.logger.error('usage rollup write pass failed', { error: String(error) }))
      .finally(() => {
        if (this.inFlight === pass) this.inFlight = undefined;
      });
    this.inFlight = pass;
    return pass;
  }

  /**
   * Resolves once `passIntervalMs` has passed since the last pass began, or at once when a write
   * was asked for now (since the last pass began) or one is while it waits.
   */
  private turn(): Promise<void> {
    const wait = this.lastPassAt + this.passIntervalMs - performance.now();
    if (wait <= 0 || this.urgent) {
      this.urgent = false;
      this.lastPassAt = performance.now();
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.urgent = false;
        this.lastPassAt = performance.now();
        resolve();
      };
      const timer = setTimeout(done, wait);
      this.wake = done;
    });
  }

  private async writeDirty(): Promise<void> {
    const keys = [...this.dirty];
    this.dirty.clear();
    await Promise.all(
      keys.map(async (key) => {
        const document = this.held.get(key);
        if (!document) return;
        if (!document.resumed && !(await this.resume(key, document))) {
          this.dirty.add(key);
          return;
        }
        // Serialized now: rows added while the put is in flight make the document due again.
        const text = encodeRollupDocument(document.parts, document.table.rows(), document.table.splitRows());
        try {
          await this.store.put(key, text);
        } catch (error) {
          this.dirty.add(key);
          this.logger.error('usage rollup write failed', { key, error: String(error) });
        }
      }),
    );
    this.dropOldDocuments();
  }

  /** The document, with this writer's stored copy of it read back when there is one. */
  private async load(granularity: Granularity, period: string): Promise<HeldDocument> {
    const document: HeldDocument = { parts: { granularity, period, writer: this.writer }, table: new RollupTable(), resumed: false };
    await this.resume(rollupKey(granularity, period, this.writer), document);
    return document;
  }

  /**
   * Adds this writer's stored rows of the document to it. A copy that is not a valid document
   * (corrupt, or of another version) is logged and replaced by the next put; a store that fails
   * leaves the document unresumed, to be tried again before it is put.
   */
  private async resume(key: string, document: HeldDocument): Promise<boolean> {
    let text: string | null;
    try {
      text = await this.store.get(key);
    } catch (error) {
      this.logger.warn('usage rollup could not be read back; it is written once it can be', { key, error: String(error) });
      return false;
    }
    if (text !== null) {
      const decoded = decodeRollupDocument(text, document.parts);
      if (decoded.ok) {
        for (const row of decoded.rows) document.table.addRow(row);
        for (const row of decoded.split) document.table.addSplitRow(row);
      } else this.logger.warn('usage rollup unreadable; it is started anew', { key, reason: decoded.reason });
    }
    document.resumed = true;
    return true;
  }

  /** Keeps the newest HELD_PER_GRANULARITY documents of each granularity, and every one not yet written. */
  private dropOldDocuments(): void {
    for (const granularity of GRANULARITIES) {
      const keys = [...this.held.entries()]
        .filter(([, document]) => document.parts.granularity === granularity)
        .sort(([, a], [, b]) => (a.parts.period < b.parts.period ? 1 : a.parts.period > b.parts.period ? -1 : 0))
        .map(([key]) => key);
      for (const key of keys.slice(HELD_PER_GRANULARITY)) {
        if (!this.dirty.has(key)) this.held.delete(key);
      }
    }
  }
}
