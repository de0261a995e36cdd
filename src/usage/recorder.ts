import type { Logger } from '../deps.js';
import type { Store } from '../store.js';
import { segmentKey, type UsageRecord } from './record.js';

/** How long records gather before one append: under load, one write per window instead of one per call. */
export const DEFAULT_BATCH_WINDOW_MS = 25;

/**
 * Appends usage records to the store off the request path. Records gather for a short
 * window and go out in one append per day segment; records that arrive while a write is
 * in flight join the next one. `flush` skips the wait, for shutdown and for readers that
 * must see every record so far.
 */
export class UsageRecorder {
  private pending: UsageRecord[] = [];
  private writing: Promise<void> | undefined;
  private window: { done: Promise<void>; release: () => void; timer: ReturnType<typeof setTimeout> } | undefined;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly batchWindowMs = DEFAULT_BATCH_WINDOW_MS,
  ) {}

  /** Queues a record; the promise settles once it (and its batch) is stored. */
  record(record: UsageRecord): Promise<void> {
    this.pending.push(record);
    if (!this.window) {
      let release!: () => void;
      const opened = new Promise<void>((resolve) => (release = resolve));
      const timer = setTimeout(() => this.closeWindow(), this.batchWindowMs);
      this.window = { done: opened.then(() => this.drain()), release, timer };
    }
    return this.window.done;
  }

  /** Settles once everything queued so far is stored. */
  flush(): Promise<void> {
    this.closeWindow();
    return this.drain();
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
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      const bySegment = new Map<string, string>();
      for (const record of batch) {
        const key = segmentKey(record.ts);
        bySegment.set(key, (bySegment.get(key) ?? '') + `${JSON.stringify(record)}\n`);
      }
      for (const [key, text] of bySegment) {
        try {
          await this.store.append(key, text);
        } catch (error) {
          this.logger.error('usage append failed', { key, records: text.split('\n').length - 1, error: String(error) });
        }
      }
    }
  }
}
