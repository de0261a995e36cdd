import { get } from '../api';
// GET /api/audit's answer: the server's own types, type-only (erased at build), so the two cannot drift.
import type { AuditEntry } from '../../../src/management/audit-log.js';
import type { DayLogPage } from '../../../src/management/jsonl-pages.js';

export type { AuditEntry };
type AuditPage = DayLogPage<AuditEntry>;

const DAY_MS = 86_400_000;
/** The most the API gives in one page (src/management/audit-routes.ts). */
const PAGE_LIMIT = 1000;

const dayStart = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;
/** The most days one look-up spans over a quiet stretch. */
const MAX_STRIDE = 64;
/** Fewer entries than this in a span: the next span may be twice as long. */
const QUIET = PAGE_LIMIT / 4;

/**
 * Reads the audit log newest first. The API pages forward only, in the order written (one file
 * per UTC day, oldest day first), so reading from its start would show the oldest entries
 * first. Instead this walks back from the newest day, reading each span of days whole (its
 * pages forward, then reversed): "Load more" goes on to older days. One look-up of the oldest
 * entry in range tells where to stop.
 */
export class NewestFirstReader {
  private day = 0;
  private floor = 0;
  /** How many days the next look-up spans: grows over empty stretches, so a gap costs few round trips. */
  private stride = 1;
  private started = false;

  constructor(
    private readonly from: number | undefined,
    private readonly to: number | undefined,
  ) {}

  /** Whether older entries may remain. */
  get more(): boolean {
    return !this.started || this.day >= this.floor;
  }

  /** At least `want` entries older than the ones read so far (fewer at the very start of the log), newest first. */
  async next(want: number, signal: AbortSignal): Promise<AuditEntry[]> {
    if (!this.started) {
      const oldest = await this.page(undefined, undefined, 1, signal);
      const first = oldest.entries[0];
      this.started = true;
      if (!first) return [];
      this.floor = dayStart(Date.parse(first.ts));
      // Without an upper bound, start a day ahead: the server's clock may be past midnight before the browser's.
      this.day = dayStart(this.to ?? Date.now() + DAY_MS);
    }
    const found: AuditEntry[] = [];
    while (found.length < want && this.day >= this.floor) {
      const low = Math.max(this.floor, this.day - (this.stride - 1) * DAY_MS);
      let entries: AuditEntry[];
      if (low === this.day) {
        entries = await this.readDay(this.day, signal);
      } else {
        // Several days in one look-up; if they hold more than a page, look at fewer.
        const page = await this.page(low, this.day + DAY_MS - 1, PAGE_LIMIT, signal);
        if (page.nextCursor !== null) {
          this.stride = Math.max(1, Math.floor(this.stride / 2));
          continue;
        }
        entries = page.entries;
      }
      found.push(...entries.reverse());
      this.day = low - DAY_MS;
      // A quiet stretch is read in longer spans, a busy one a day at a time.
      this.stride = entries.length < QUIET ? Math.min(this.stride * 2, MAX_STRIDE) : 1;
    }
    return found;
  }

  /** Every entry of one UTC day within the bounds, in written order. */
  private async readDay(day: number, signal: AbortSignal): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.page(day, day + DAY_MS - 1, PAGE_LIMIT, signal, cursor);
      entries.push(...page.entries);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return entries;
  }

  /** One page of entries between `low` and `high` (epoch ms, inclusive), kept within the reader's own bounds. */
  private page(low: number | undefined, high: number | undefined, limit: number, signal: AbortSignal, cursor?: string): Promise<AuditPage> {
    const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
    const from = low === undefined ? this.from : Math.max(low, this.from ?? low);
    const to = high === undefined ? this.to : Math.min(high, this.to ?? high);
    return get<AuditPage>('/api/audit', { from: iso(from), to: iso(to), limit, cursor }, signal);
  }
}
