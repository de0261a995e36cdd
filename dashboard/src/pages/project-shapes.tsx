import { useEffect, useState } from 'preact/hooks';
import { CopyButton, ErrorNote } from '../ui/components';
// The server's own types, type-only (erased at build), so the two cannot drift.
import type { ProjectMember, ProjectRole, StoredToken } from '../../../src/config/schemas.js';
import type { Budget, BudgetPeriod, RateLimits } from '../../../src/config/tenancy.js';
import type { BudgetStatus } from '../../../src/limits/call-limits.js';

/**
 * The project API's shapes as the dashboard reads them: the server's where they are the same,
 * and the routing as the forms edit it, mirroring src/config/routing.ts (the server validates;
 * these only type the forms), plus what the project screens share.
 */

export type { Budget, BudgetPeriod, RateLimits };
export const BUDGET_PERIODS = ['hour', 'day', 'week', 'month', 'total'] as const satisfies readonly BudgetPeriod[];

export const POLICY_TYPES = ['llm', 'cheapest', 'health', 'performance', 'capability', 'context', 'budget-remaining', 'rate-limit', 'fairness'] as const;
export type PolicyType = (typeof POLICY_TYPES)[number];
/**
 * Filters the gateway applies even when a project lists none of them (src/routing/compile.ts):
 * unlisted, they are on with weight 0 (they exclude, never score).
 */
export const IMPLICIT_POLICIES: ReadonlySet<PolicyType> = new Set(['capability', 'context', 'rate-limit', 'health', 'budget-remaining']);

/** One policy entry: `type`, `weight`, `enabled` and the options of that type (all optional but the judge's model). */
export interface Policy {
  type: PolicyType;
  weight?: number;
  enabled?: boolean;
  model?: string;
  timeoutMs?: number;
  instructions?: string;
  cacheTtlMs?: number;
  failureThreshold?: number;
  cooldownMs?: number;
  minSamples?: number;
  defaultCooldownMs?: number;
  maxCooldownMs?: number;
  weights?: Record<string, number>;
}

export interface Routing {
  policies?: Policy[];
  fallback?: { enabled?: boolean; fromNamedModel?: boolean; onStatus?: number[]; maxAttempts?: number };
  retries?: { max: number; backoffMs?: number };
  deadlineMs?: number;
}

export interface Alias {
  models: string[];
  routing?: Routing;
}

export type { ProjectRole };
export const PROJECT_ROLES: ProjectRole[] = ['viewer', 'editor', 'owner'];
export type Member = ProjectMember;

/** A token as the API shows it: never its hash, and its secret only in the answer that created it. */
export type Token = Omit<StoredToken, 'hash'>;

export interface Project {
  id: string;
  name: string;
  models: string[];
  rejectUnsupportedParams?: boolean;
  routing?: Routing;
  aliases?: Record<string, Alias>;
  unknownModel?: 'route' | 'reject';
  budgets?: Budget[];
  limits?: RateLimits;
  members: Member[];
  tokens: Token[];
  createdAt: string;
  updatedAt: string;
}

/** GET /api/projects/:id/budgets, one entry. */
export type { BudgetStatus };

/** What GET /api/models gives that these screens use. */
export interface ModelSummary {
  id: string;
  provider: string;
  description?: string;
}

export interface UserSummary {
  id: string;
  email: string;
  role: string;
  disabled?: boolean;
}

/** The share (0..1, may exceed 1) of the tightest limit a budget has used, or undefined when it has none. */
export function budgetUse(status: BudgetStatus): number | undefined {
  const shares: number[] = [];
  if (status.limitUsd) shares.push((status.spentUsd ?? 0) / status.limitUsd);
  if (status.limitTokens) shares.push((status.spentTokens ?? 0) / status.limitTokens);
  return shares.length ? Math.max(...shares) : undefined;
}

/** The badge class for a share of a limit: warn from 80%, bad once it is reached. */
export function shareClass(share: number): 'ok' | 'warn' | 'bad' {
  return share >= 1 ? 'bad' : share >= 0.8 ? 'warn' : 'ok';
}

/** A token's label in lists: its name, or its hint when it has none. */
export function tokenLabel(token: Pick<Token, 'name' | 'hint'>): string {
  return token.name ?? token.hint;
}

/**
 * A secret token in the one answer that carries it: the gateway keeps only its hash, so this
 * is the only time anyone can read or copy it.
 */
export function TokenSecret(props: { token: string }) {
  return (
    <div class="token-secret">
      <p role="alert" class="token-warning">
        Copy this token now: <strong>you will not see it again</strong>. Only its hash is kept.
      </p>
      <div class="row">
        <code class="mono token-value" aria-label="Token">
          {props.token}
        </code>
        <CopyButton text={props.token} />
      </div>
    </div>
  );
}

/** A percentage width for a meter's bar, capped so an overrun fills it rather than overflowing. */
export function meterWidth(share: number): string {
  return `${Math.min(100, Math.max(0, share * 100)).toFixed(1)}%`;
}

/**
 * A form's state, started from the project and started again whenever what it shows of the
 * project changes (a save answers with it, normalized): the form then shows what is stored.
 * A change elsewhere in the project (a token, an alias) leaves unsaved edits alone.
 */
export function useDraft<T>(project: Project, init: (project: Project) => T): [T, (next: T) => void] {
  const [draft, setDraft] = useState(() => init(project));
  const stored = JSON.stringify(init(project));
  useEffect(() => setDraft(init(project)), [stored, project.id]);
  return [draft, setDraft];
}

/** A save in progress, failed or done, for the status line beside a form's button. */
export function useSaving(): { busy: boolean; error: unknown; done: string | undefined; run: (action: () => Promise<unknown>, done?: string) => Promise<boolean> } {
  const [state, setState] = useState<{ busy: boolean; error: unknown; done: string | undefined }>({ busy: false, error: undefined, done: undefined });
  const run = async (action: () => Promise<unknown>, done = 'Saved.') => {
    setState({ busy: true, error: undefined, done: undefined });
    try {
      await action();
      setState({ busy: false, error: undefined, done });
      return true;
    } catch (error) {
      setState({ busy: false, error, done: undefined });
      return false;
    }
  };
  return { ...state, run };
}

/** What a save said: its error as an alert, its success as a status. */
export function SaveStatus(props: { saving: { error: unknown; done: string | undefined } }) {
  return (
    <>
      <ErrorNote error={props.saving.error} />
      <p role="status" class="save-status">
        {props.saving.done ?? ''}
      </p>
    </>
  );
}

/** The foot of a tab's form: what its save said, and the Save button for a user who may save. */
export function SaveFooter(props: { saving: { busy: boolean; error: unknown; done: string | undefined }; maySave: boolean }) {
  return (
    <>
      <SaveStatus saving={props.saving} />
      {props.maySave && (
        <div class="row">
          <button type="submit" class="primary" disabled={props.saving.busy}>
            Save
          </button>
        </div>
      )}
    </>
  );
}

/** What every tab is given: the project as last read, and how to save a change to it. */
export interface TabProps {
  project: Project;
  /** PUT /api/projects/:id with `changes`; the page then shows the answer. */
  save: (changes: Partial<Project>) => Promise<Project>;
  /** Re-reads the project (after a token change, which answers with the token only). */
  reload: () => void;
  mayEdit: boolean;
  mayOwn: boolean;
  /** The registered models, when the caller's role may list them; else undefined. */
  models: ModelSummary[] | undefined;
}
