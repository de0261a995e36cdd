import type { Logger } from '../deps.js';
import type { Store } from '../store.js';

/**
 * One management write, as the audit log keeps it. Only names and ids: never a field's value,
 * so no password, provider key, token or hash can end up here.
 */
export interface AuditEntry {
  /** When the write was answered, ISO 8601 UTC. */
  ts: string;
  /** Who: the signed-in user, or for setup and login the email that was claimed; null when unknown. */
  actor: { userId?: string; email?: string } | null;
  /** The client's address, as the login throttle takes it (X-Forwarded-For only with trustProxy). */
  address: string | null;
  method: string;
  /** The route pattern, `/api/projects/:id/tokens/:tokenId`: never the raw path. */
  route: string;
  /** The resource written: the id created, or the route's last id parameter. */
  target?: string;
  /** The project a project-scoped write concerned. */
  projectId?: string;
  /** The names of the body's top-level fields (what the write meant to change). */
  fields?: string[];
  /** The answer's status: denied and failed writes are kept too. */
  status: number;
}

/** What a handler learns about its write for the audit entry: set through `noteForAudit`. */
export interface AuditNote {
  fields?: string[];
  /** The body's `email` (for setup and login, where there is no session to say who). */
  email?: string;
  /** The id of a resource the write created. */
  target?: string;
}

export const AUDIT_PREFIX = 'data/audit/';

/** `data/audit/<UTC day>.jsonl` for an ISO timestamp. */
export function auditSegmentKey(ts: string): string {
  return `${AUDIT_PREFIX}${ts.slice(0, 10)}.jsonl`;
}

/**
 * Appends audit entries to one JSON-lines file per UTC day, off the request path: entries
 * recorded while a write is in flight go out together in the next append. `flush` settles
 * once everything recorded so far is stored (Gateway.flush, and GET /api/audit before it reads).
 */
export class AuditLog {
  private pending: AuditEntry[] = [];
  private writing: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  /** Queues an entry; the promise settles once it is stored (or its append failed and was logged). */
  record(entry: AuditEntry): Promise<void> {
    this.pending.push(entry);
    return this.flush();
  }

  async flush(): Promise<void> {
    // A write that is finishing may have missed entries queued after its last batch: go again.
    while (this.pending.length > 0 || this.writing) {
      this.writing ??= this.writeAll().finally(() => {
        this.writing = undefined;
      });
      await this.writing;
    }
  }

  private async writeAll(): Promise<void> {
    // Let the entries of the same tick join this append.
    await Promise.resolve();
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      const bySegment = new Map<string, string>();
      for (const entry of batch) {
        const key = auditSegmentKey(entry.ts);
        bySegment.set(key, (bySegment.get(key) ?? '') + `${JSON.stringify(entry)}\n`);
      }
      for (const [key, text] of bySegment) {
        try {
          await this.store.append(key, text);
        } catch (error) {
          this.logger.error('audit append failed', { key, entries: text.split('\n').length - 1, error: String(error) });
        }
      }
    }
  }
}
