import type { StoredProject, StoredToken } from '../config/schemas.js';
import type { ResolvedModel } from '../config/state.js';
import type { Budget } from '../config/tenancy.js';
import type { CounterEntry, CounterOps } from '../counters/port.js';
import type { Logger } from '../deps.js';
import type { BudgetFit, BudgetView } from '../routing/budget.js';
import type { RoutingRequest } from '../routing/types.js';
import { periodWindow, windowExpiry, type PeriodWindow } from './periods.js';
import { NANO_PER_USD } from '../usage/cost.js';
import { andThen, type Maybe } from './maybe.js';
import { reservationFor, type Reservation } from './reservation.js';

/** One budget of one scope (the project or the token) in the window that holds now. */
export interface BudgetLine {
  scope: 'project' | 'token';
  /** The project's or token's id, and a name for messages. */
  id: string;
  name: string;
  budget: Budget;
  window: PeriodWindow;
  usdKey: string;
  tokensKey: string;
  /** The parts of its messages that do not depend on the call, made once when first needed. */
  phrases?: { usd: string; tokens: string; reset: string };
}

/** Where the spend of a window comes from when a process's counters start empty (src/usage rollups). */
export interface SpendHistory {
  /** Nano-dollars and tokens charged to the scope from `from` (epoch ms, inclusive) to now. */
  chargedBetween(scope: { projectId?: string; tokenId?: string }, from: number): Promise<{ nanoUsd: number; tokens: number }>;
}

/** Every budget that applies to a call of this token: its project's, then its own (none without a token). */
export function budgetLines(project: StoredProject, token: StoredToken | undefined, now: number): BudgetLine[] {
  const lines: BudgetLine[] = [];
  for (const line of scopeLines('project', project, project.name, project.budgets, now)) lines.push(line);
  if (token?.budgets) for (const line of scopeLines('token', token, token.name ?? token.id, token.budgets, now)) lines.push(line);
  return lines;
}

/** The lines of one scope, as last made for it: valid while its budgets, its name and every window stay the same. */
interface ScopeLines {
  budgets: readonly Budget[];
  /** The project's or token's own name, as the lines' messages quote it. */
  name: string;
  validFrom: number;
  validUntil: number;
  lines: readonly BudgetLine[];
}

/**
 * Lines made per project and token object (the config's, replaced whenever it changes): every
 * call of a project with budgets needs them, and making them anew cost a key string and a
 * window per budget per call. Held weakly, so a replaced project takes its lines with it.
 */
const linesByScope = new WeakMap<object, ScopeLines>();

function scopeLines(scope: 'project' | 'token', owner: { id: string }, name: string, budgets: readonly Budget[] | undefined, now: number): readonly BudgetLine[] {
  if (!budgets || budgets.length === 0) return [];
  const cached = linesByScope.get(owner);
  if (cached && cached.budgets === budgets && cached.name === name && now >= cached.validFrom && now < cached.validUntil) return cached.lines;
  const lines: BudgetLine[] = [];
  let validFrom = Number.NEGATIVE_INFINITY;
  let validUntil = Number.POSITIVE_INFINITY;
  for (const budget of budgets) {
    const window = periodWindow(budget.period, now);
    validFrom = Math.max(validFrom, window.start);
    validUntil = Math.min(validUntil, window.end);
    const base = `b:${scope === 'project' ? 'p' : 't'}:${owner.id}:${budget.period}:${window.id}`;
    lines.push({ scope, id: owner.id, name: `${scope} "${name}"`, budget, window, usdKey: `${base}:usd`, tokensKey: `${base}:tok` });
  }
  linesByScope.set(owner, { budgets, name, validFrom, validUntil, lines });
  return lines;
}

/** The counter entries that reserve `amount` on every line: only where a line has that kind of limit and the amount is not 0. */
export function budgetEntries(lines: readonly BudgetLine[], amount: Reservation, withLimits: boolean): CounterEntry[] {
  const entries: CounterEntry[] = [];
  for (const line of lines) {
    const expiresAt = windowExpiry(line.window);
    const { limitUsd, limitTokens } = line.budget;
    // Two literals rather than a spread of `{ limit }`: every reservation and settlement builds these.
    if (limitUsd !== undefined && amount.nanoUsd !== 0) {
      entries.push(withLimits ? { key: line.usdKey, amount: amount.nanoUsd, expiresAt, limit: Math.round(limitUsd * NANO_PER_USD) } : { key: line.usdKey, amount: amount.nanoUsd, expiresAt });
    }
    if (limitTokens !== undefined && amount.tokens !== 0) {
      entries.push(withLimits ? { key: line.tokensKey, amount: amount.tokens, expiresAt, limit: limitTokens } : { key: line.tokensKey, amount: amount.tokens, expiresAt });
    }
  }
  return entries;
}

/** "the day budget of project "x" ($5.00)", for messages. */
export function describeBudget(line: BudgetLine, kind: 'usd' | 'tokens'): string {
  const limit = kind === 'usd' ? `$${line.budget.limitUsd}` : `${line.budget.limitTokens} tokens`;
  return `the ${line.budget.period} budget of ${line.name} (${limit})`;
}

/** When the line's window ends, for messages and retry-after. */
export function resetPhrase(line: BudgetLine): string {
  return Number.isFinite(line.window.end) ? `it resets at ${new Date(line.window.end).toISOString()}` : 'it never resets (a total budget)';
}

/**
 * A call's budgets as they stood when it began: what routing ranks against. Each line's spend
 * is read once; a model fits when its reservation fits every line.
 */
export class BudgetSnapshot implements BudgetView {
  constructor(
    readonly lines: readonly BudgetLine[],
    /** Per line: nano-USD and tokens already spent or held. */
    private readonly spent: ReadonlyArray<{ nanoUsd: number; tokens: number }>,
  ) {}

  /** What line `index` had spent (or held) when the snapshot was read. */
  spentOf(index: number): { nanoUsd: number; tokens: number } {
    return this.spent[index]!;
  }

  /**
   * What fit answered for each model, for the request it was asked about (null: no budget
   * applies). The budget policy filters and then scores the same candidates against the same
   * snapshot, and both ask: each model's reservation is measured against the lines once.
   */
  private fits: Map<ResolvedModel, BudgetFit | null> | undefined;
  private fitsFor: RoutingRequest | undefined;

  fit(model: ResolvedModel, request: RoutingRequest): BudgetFit | undefined {
    if (this.fitsFor !== request) {
      this.fitsFor = request;
      this.fits = undefined;
    }
    const known = this.fits?.get(model);
    if (known !== undefined) return known ?? undefined;
    const fit = this.measure(model, request);
    (this.fits ??= new Map()).set(model, fit ?? null);
    return fit;
  }

  private measure(model: ResolvedModel, request: RoutingRequest): BudgetFit | undefined {
    const amount = reservationFor(model, request);
    let headroom = 1;
    let applies = false;
    for (let i = 0; i < this.lines.length; i++) {
      const line = this.lines[i]!;
      const spent = this.spent[i]!;
      const { limitUsd, limitTokens } = line.budget;
      if (limitUsd !== undefined && amount.nanoUsd > 0) {
        applies = true;
        const limit = limitUsd * NANO_PER_USD;
        const left = limit - spent.nanoUsd - amount.nanoUsd;
        if (left < 0) return { fits: false, reason: overMessage(line, 'usd', spent.nanoUsd / NANO_PER_USD, amount.nanoUsd / NANO_PER_USD), ...resets(line) };
        headroom = Math.min(headroom, left / limit);
      }
      if (limitTokens !== undefined && amount.tokens > 0) {
        applies = true;
        const left = limitTokens - spent.tokens - amount.tokens;
        if (left < 0) return { fits: false, reason: overMessage(line, 'tokens', spent.tokens, amount.tokens), ...resets(line) };
        headroom = Math.min(headroom, left / limitTokens);
      }
    }
    return applies ? { fits: true, headroom } : undefined;
  }
}

function resets(line: BudgetLine): { resetsAt?: number } {
  return Number.isFinite(line.window.end) ? { resetsAt: line.window.end } : {};
}

/** Why a reservation does not fit a line: which budget, its limit, what is spent, when it resets. */
export function overMessage(line: BudgetLine, kind: 'usd' | 'tokens', spent: number, asked: number): string {
  // Ranking a large pool against a spent budget writes one per model: the fixed parts are made once.
  const phrases = (line.phrases ??= { usd: describeBudget(line, 'usd'), tokens: describeBudget(line, 'tokens'), reset: resetPhrase(line) });
  const shown = kind === 'usd' ? `$${round(spent)} spent, this call could cost up to $${round(asked)}` : `${spent} tokens used, this call could use up to ${asked}`;
  return `${phrases[kind]} does not fit this call: ${shown}; ${phrases.reset}`;
}

/** USD to the micro-dollar, without trailing zeros: multiples of 1e-6 print without an exponent. */
function round(usd: number): string {
  return String(Math.round(usd * 1e6) / 1e6);
}

/**
 * Reads the spend of each line. Counters that do not outlive the process are warmed from the
 * stored history the first time this process needs each window (once: later reads find them).
 */
export class BudgetLedger {
  /** Windows this process has warmed (or is warming), with when each ends and whether it is done (the hot path then waits for nothing). */
  private readonly warmed = new Map<string, { done: Promise<void>; end: number; ready: boolean }>();

  /** `durable`: the counters' own (Counters.durable); when false, each window is warmed from `history` once. */
  constructor(
    private readonly counters: CounterOps,
    private readonly durable: boolean,
    private readonly history: SpendHistory | undefined,
    private readonly logger: Logger,
  ) {}

  /** The lines' spend; at once when the counters answer at once and every window is warm (the hot path). */
  snapshot(lines: readonly BudgetLine[], now: number): Maybe<BudgetSnapshot> {
    if (!this.durable && this.history && !lines.every((line) => this.warmed.get(line.usdKey)?.ready === true)) {
      const warming = lines.map((line) =>
        this.warm(line, now).catch((error: unknown) => {
          // Unreadable history must not stop every call: the counter counts on from what it holds, and the next call retries.
          this.logger.error('budget warm-up from usage rollups failed', { key: line.usdKey, error: String(error) });
        }),
      );
      return Promise.all(warming).then(() => this.read(lines, now));
    }
    return this.read(lines, now);
  }

  private read(lines: readonly BudgetLine[], now: number): Maybe<BudgetSnapshot> {
    const keys: string[] = [];
    for (const line of lines) keys.push(line.usdKey, line.tokensKey);
    return andThen(this.counters.read(keys, now), (values) => new BudgetSnapshot(lines, lines.map((_, i) => ({ nanoUsd: values[2 * i]!, tokens: values[2 * i + 1]! }))));
  }

  private warm(line: BudgetLine, now: number): Promise<void> {
    const key = line.usdKey;
    const known = this.warmed.get(key);
    if (known) return known.done;
    if (this.warmed.size >= 4096) {
      // Ended windows are never asked for again: forgetting them keeps the map as small as the live ones.
      for (const [other, { end }] of this.warmed) if (end <= now) this.warmed.delete(other);
    }
    const entry = { done: Promise.resolve(), end: line.window.end, ready: false };
    entry.done = this.load(line, now).then(
      () => {
        entry.ready = true;
      },
      (error: unknown) => {
        // Retried by the next call; meanwhile the counter counts from what it holds.
        this.warmed.delete(key);
        throw error;
      },
    );
    this.warmed.set(key, entry);
    return entry.done;
  }

  private async load(line: BudgetLine, now: number): Promise<void> {
    const scope = line.scope === 'project' ? { projectId: line.id } : { tokenId: line.id };
    const charged = await this.history!.chargedBetween(scope, line.window.start);
    const expiresAt = windowExpiry(line.window);
    await this.counters.initialize(
      [
        { key: line.usdKey, amount: charged.nanoUsd, expiresAt },
        { key: line.tokensKey, amount: charged.tokens, expiresAt },
      ],
      now,
    );
  }
}
