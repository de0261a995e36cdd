import { randomId } from '../crypto/encoding.js';
import type { Logger } from '../deps.js';
import type { AppendOptions, Store } from '../store.js';
import { segmentKey, type UsageRecord } from './record.js';
import { rollupWriterName } from './rollup.js';
import { RollupWriter } from './rollup-writer.js';

/** How long records gather before one append: under load, one write per window instead of one per call. */
export const DEFAULT_BATCH_WINDOW_MS = 25;

/**
 * Records whose append failed (the store out of reach: a Redis that went away) are kept, oldest
 * first, and appended again before newer ones: first after RETRY_MIN_MS, then twice as long each
 * time up to RETRY_MAX_MS. Past RETAINED_MAX records the oldest are dropped, and counted in the log.
 */
export const RETRY_MIN_MS = 1_000;
export const RETRY_MAX_MS = 30_000;
export const RETAINED_MAX = 50_000;

export interface UsageRecorderOptions {
  /**
   * Names this instance's rollup documents (GatewayDeps.instanceId). Default: a random id, so
   * that no two instances (Worker isolates, processes) ever write the same document.
   */
  instanceId?: string;
  /**
   * Keeps work alive for as long as the process lives (GatewayDeps.waitUntil). Given, rollup
   * writes are handed to it and a record's promise settles once the record is appended, so
   * durable usage waits for its own append only. Not given (Workers, where work lives only as
   * long as a request waiting for it), a record's promise covers the rollup writes too.
   */
  background?: (work: Promise<unknown>) => void;
  /**
   * Durable usage (GatewaySettings.durableUsage): each append is durable before the records'
   * promises settle. Otherwise the store may make a batch durable a little later, with the next
   * ones (AppendOptions.durable): a crash of the process loses nothing more for it.
   */
  durable?: boolean;
}

/**
 * Appends usage records to the store off the request path, and keeps this instance's rollups
 * (src/usage/rollup-writer.ts) in step with them. Records gather for a short window and go out in
 * one append per day segment; records that arrive while a write is in flight join the next one.
 * Once a batch is appended, its records are added to the rollups and the documents they changed
 * are put, while the next batch is appended: the raw log first, so the rollups never count a
 * record it does not hold. `flush` skips the wait, for shutdown and for readers that must see
 * every record (and rollup) so far.
 */
export class UsageRecorder {
  private pending: UsageRecord[] = [];
  /**
   * With `background`: settles once the records now in `pending` are appended (whichever write
   * takes them). A call's promise must not outlive its own append: under steady load the write
   * loop never idles, and every call waiting on the whole loop was held in memory (its context
   * with it) until the load paused, hundreds of calls promoted to the old space at once.
   */
  private pendingStored: { promise: Promise<void>; resolve: () => void } | undefined;
  private writing: Promise<void> | undefined;
  /** Records whose append failed, oldest first, waiting for `retryTimer` (see RETRY_MIN_MS). */
  private failed: UsageRecord[] = [];
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retryDelayMs = RETRY_MIN_MS;
  /** Whether appends are failing: the outage is logged once, and once when it ends. */
  private appendsFailing = false;
  private droppedRecords = 0;
  /**
   * Open while records gather: `closed` settles when it closes (its timer, or a flush), `done`
   * once the write loop has taken them. The loop waits for an open window before its next append,
   * so under steady load there is one append per window, not one per fsync: at one connection
   * that was some 125 appends a second, each five file system calls and a wake-up of the event loop.
   */
  private window: { closed: Promise<void>; done: Promise<void>; release: () => void; timer: ReturnType<typeof setTimeout> } | undefined;
  private readonly rollups: RollupWriter;
  private readonly background: ((work: Promise<unknown>) => void) | undefined;
  private readonly appendOptions: AppendOptions;
  /** Flushes waiting: rollups are written at once rather than at the pass interval. */
  private flushing = 0;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly batchWindowMs = DEFAULT_BATCH_WINDOW_MS,
    options: UsageRecorderOptions = {},
  ) {
    this.rollups = new RollupWriter(store, logger, rollupWriterName(options.instanceId ?? randomId('gw')));
    this.background = options.background;
    this.appendOptions = { durable: options.durable === true };
  }

  /** The writer segment of this instance's rollup document keys. */
  get rollupWriter(): string {
    return this.rollups.writer;
  }

  /** Keys of the rollup documents this instance holds in memory (for tests: memory stays flat). */
  heldRollupKeys(): string[] {
    return this.rollups.heldKeys();
  }

  /**
   * Queues a record. With `background` the promise settles once its batch is appended; without,
   * once it is stored and the write loop has nothing left to do, rollups included. It never
   * rejects: failures are logged.
   *
   * Without `background`, every record's promise covers the whole loop, not just its own batch:
   * on Workers it is what waitUntil keeps the request alive for, and the loop's later writes (other requests' records,
   * rollup puts) run in the request that started it, so that request must outlive them.
   */
  record(record: UsageRecord): Promise<void> {
    this.pending.push(record);
    if (!this.window) {
      let release!: () => void;
      const closed = new Promise<void>((resolve) => (release = resolve));
      const timer = setTimeout(() => this.closeWindow(), this.batchWindowMs);
      this.window = { closed, done: closed.then(() => this.drain()), release, timer };
      // With `background` nobody else holds this promise: it must not reject unobserved.
      if (this.background) this.window.done.catch(() => undefined);
    }
    if (!this.background) return this.window.done;
    if (!this.pendingStored) {
      let resolve!: () => void;
      const promise = new Promise<void>((settle) => (resolve = settle));
      this.pendingStored = { promise, resolve };
    }
    return this.pendingStored.promise;
  }

  /**
   * Settles once everything queued so far is stored (records whose append failed are tried once
   * more first), and the rollups are written.
   */
  async flush(): Promise<void> {
    // While a flush waits, rollup passes do not wait their turn (see ROLLUP_PASS_INTERVAL_MS).
    this.flushing++;
    try {
      this.closeWindow();
      this.requeueFailed();
      void this.rollups.write({ now: true });
      await this.drain();
      await this.rollups.write({ now: true });
      if (this.failed.length > 0) {
        this.logger.error('usage records could not be stored and are held in memory only', { records: this.failed.length });
      }
    } finally {
      this.flushing--;
    }
  }

  /** Records held after a failed append, not yet stored (for tests and shutdown). */
  get heldRecords(): number {
    return this.failed.length;
  }

  /** The failed records go back ahead of the pending ones, oldest first. */
  private requeueFailed(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.failed.length === 0) return;
    this.pending = this.failed.concat(this.pending);
    this.failed = [];
  }

  private retryLater(): void {
    if (this.retryTimer !== undefined || this.failed.length === 0) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.requeueFailed();
      void this.drain();
    }, this.retryDelayMs);
    // On Node, a retry alone must not keep a process that is otherwise done alive.
    (this.retryTimer as { unref?: () => void }).unref?.();
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, RETRY_MAX_MS);
  }

  private appendFailed(records: UsageRecord[], key: string, error: unknown): void {
    if (!this.appendsFailing) {
      this.appendsFailing = true;
      this.logger.error('usage append failed: records are kept and appended again once the store answers', { key, records: records.length, error: String(error) });
    }
    for (const record of records) this.failed.push(record);
    const over = this.failed.length - RETAINED_MAX;
    if (over > 0) {
      this.failed.splice(0, over);
      this.droppedRecords += over;
    }
  }

  private appendSucceeded(): void {
    this.retryDelayMs = RETRY_MIN_MS;
    if (!this.appendsFailing) return;
    this.appendsFailing = false;
    this.logger.info('usage appends work again', { held: this.failed.length, dropped: this.droppedRecords });
    this.droppedRecords = 0;
    // What failed earlier goes now, in this write loop, rather than at the end of its back-off.
    this.requeueFailed();
  }

  private closeWindow(): void {
    const window = this.window;
    if (!window) return;
    this.window = undefined;
    clearTimeout(window.timer);
    window.release();
  }

  private drain(): Promise<void> {
    if (!this.writing) {
      this.writing = this.writeAll().finally(() => {
        this.writing = undefined;
      });
    }
    return this.writing;
  }

  private async writeAll(): Promise<void> {
    do {
      while (this.pending.length > 0) {
        // Records that came during the last write wait for their window too (flush closes it).
        if (this.window) await this.window.closed;
        const batch = this.pending;
        const stored = this.pendingStored;
        this.pending = [];
        this.pendingStored = undefined;
        let appended: UsageRecord[];
        try {
          appended = await this.appendBySegment(batch);
        } finally {
          stored?.resolve();
        }
        try {
          await this.rollups.add(appended);
        } catch (error) {
          this.logger.error('usage rollup update failed', { records: appended.length, error: String(error) });
        }
        // Not awaited: the next batch is appended while the rollups are put (the pass after waits for this one).
        void this.rollups.write();
      }
      // A pass that holds every record added above: once it is done, so is the loop.
      const rolledUp = this.rollups.write({ now: this.flushing > 0 });
      if (this.background) this.background(rolledUp);
      else await rolledUp;
    } while (this.pending.length > 0);
    this.retryLater();
  }

  /** One append per day segment; returns the records whose append succeeded. */
  private async appendBySegment(batch: UsageRecord[]): Promise<UsageRecord[]> {
    const bySegment = new Map<string, UsageRecord[]>();
    for (const record of batch) {
      const key = segmentKey(record.ts);
      const records = bySegment.get(key);
      if (records) records.push(record);
      else bySegment.set(key, [record]);
    }
    const appended: UsageRecord[] = [];
    for (const [key, records] of bySegment) {
      try {
        await this.store.append(key, records.map((record) => `${JSON.stringify(record)}\n`).join(''), this.appendOptions);
        for (const record of records) appended.push(record);
        this.appendSucceeded();
      } catch (error) {
        this.appendFailed(records, key, error);
      }
    }
    return appended;
  }
}
