import type { Logger } from '../deps.js';
import type { Store } from '../store.js';
import { segmentKey, type UsageRecord } from './record.js';

/**
 * Appends usage records to the store off the request path. Records that arrive while a
 * write is in flight are batched into the next one, so a busy gateway makes one append
 * per batch rather than one per request, and no record waits on a timer.
 */
export class UsageRecorder {
  private pending: UsageRecord[] = [];
  private writing: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  /** Queues a record; the promise settles once it (and its batch) is stored. */
  record(record: UsageRecord): Promise<void> {
    this.pending.push(record);
    return this.drain();
  }

  /** Settles once everything queued so far is stored. */
  flush(): Promise<void> {
    return this.drain();
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
    // Let records from requests finishing in the same tick join this batch.
    await Promise.resolve();
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
