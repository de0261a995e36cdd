import type { StoredProject, StoredToken } from '../config/schemas.js';
import type { ResolvedModel } from '../config/state.js';
import { localCounters } from '../counters/memory.js';
import type { CounterEntry, CounterOps, Counters, ReserveResult } from '../counters/port.js';
import type { Logger } from '../deps.js';
import { GatewayError } from '../errors.js';
import type { TokenUsage } from '../ir/usage.js';
import { NO_BUDGETS, type BudgetView } from '../routing/budget.js';
import { NOTHING_YET } from '../routing/stats.js';
import type { Candidate, RoutingRequest } from '../routing/types.js';
import { budgetEntries, budgetLines, BudgetLedger, overMessage, type BudgetLine, type SpendHistory } from './budgets.js';
import { minuteWindow, type PeriodWindow } from './periods.js';
import { admissionEntries, modelRateEntries, modelRateKeys, rateHeaders, rateLines, rateState, refusalReason } from './rate-limits.js';
import { NANO_PER_USD } from '../usage/cost.js';
import { andThen, DONE, type Maybe } from './maybe.js';
import { actualCharge, NOTHING, reservationFor, type Reservation } from './reservation.js';

/** One budget as it stands: GET /api/projects/:id/budgets. */
export interface BudgetStatus {
  scope: 'project' | 'token';
  /** The project's or the token's id. */
  id: string;
  period: string;
  limitUsd?: number;
  /** Spent, plus what calls in flight hold: the reservations of unfinished calls count until they settle. */
  spentUsd?: number;
  limitTokens?: number;
  spentTokens?: number;
  windowStart: string;
  /** Null for a total budget, which never resets. */
  resetsAt: string | null;
}

/** What the budgets were charged for an attempt, when that is not its cost (its usage went unreported). */
export interface Charged {
  chargedUsd: number;
  chargedTokens: number;
}

/** One attempt's reservation, held until the attempt's outcome is known. */
export interface AttemptHold {
  /**
   * Replaces the reservation: by the actual cost when the attempt answered and its usage was
   * reported, kept whole when it answered without usage (never charge nothing for what we
   * cannot see), released when it did not answer. Returns the charge when it is not the cost.
   */
  settle(usage: TokenUsage | undefined, answered: boolean): { charged?: Charged; done: Promise<unknown> };
}

export type AttemptAdmission = { ok: true; hold: AttemptHold } | { ok: false; kind: 'budget' | 'rate_limit'; reason: string; retryAfterMs?: number };

/** A call's budgets and limits, from its admission to its end. */
export interface CallLimits {
  /** The budgets as the call began, for ranking. */
  budget: BudgetView;
  /** Requests and tokens a model with its own limits has had this minute, for ranking; undefined when none has limits. */
  modelMinute: ((modelId: string) => { requests: number; tokens: number }) | undefined;
  /** The rate-limit headers every answer of this call carries; undefined when the project and token have no rpm or tpm. */
  headers: Record<string, string> | undefined;
  /**
   * Reserves an attempt on `model` against every budget and the model's own limits, all or
   * nothing. Synchronous when there is nothing to count: most calls, and the hot path.
   */
  reserve(model: ResolvedModel): AttemptAdmission | Promise<AttemptAdmission>;
  /** Charges a cost made for the call besides its attempts (the routing judge's call), after the fact. */
  charge(model: ResolvedModel, usage: TokenUsage | undefined): void;
  /** The call is over: frees its concurrency slot and settles its tokens a minute to `actualTokens`. Idempotent. */
  end(actualTokens: number | undefined): void;
}

/** The counters a call without project or token rate limits is admitted on: none. */
const NO_ENTRIES: readonly CounterEntry[] = Object.freeze([]);

const NO_HOLD: AttemptHold = { settle: () => ({ done: DONE }) };
const ADMITTED: AttemptAdmission = { ok: true, hold: NO_HOLD };

/** A call no budget or limit applies to: nothing to count. */
export const UNLIMITED: CallLimits = {
  budget: NO_BUDGETS,
  modelMinute: undefined,
  headers: undefined,
  reserve: () => ADMITTED,
  charge: () => undefined,
  end: () => undefined,
};

/**
 * Budgets and rate limits for every call, counted through the Counters port: the check and the
 * charge are one atomic step of the port, so concurrent calls cannot overspend between them.
 */
export class Limits {
  private readonly ledger: BudgetLedger;

  /** The memory driver's table itself (no promise per step), or the driver behind failingClosed. */
  private readonly counters: CounterOps;

  constructor(
    counters: Counters,
    history: SpendHistory | undefined,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {
    this.counters = localCounters(counters) ?? failingClosed(counters, logger);
    this.ledger = new BudgetLedger(this.counters, counters.durable, history, logger);
  }

  /**
   * Admits a call under its project's and token's rate limits (a 429 in the client's format when
   * over, with retry-after and the rate-limit headers), and reads its budgets for ranking.
   * Answers at once when it can (nothing to count, or counters in memory); a refusal is always a
   * rejected promise, never a throw.
   */
  begin(project: StoredProject, token: StoredToken, request: RoutingRequest, candidates: readonly Candidate[], format: 'openai' | 'anthropic'): Maybe<CallLimits> {
    // Synchronous for a call nothing limits: no promise, no counter, on the hot path.
    if (project.budgets === undefined && token.budgets === undefined && project.limits === undefined && token.limits === undefined && !candidates.some((c) => c.model.config.limits !== undefined)) {
      return UNLIMITED;
    }
    try {
      return this.admit(project, token, request, candidates, format);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** At once when the counters answer at once and the budgets' windows are warm; a promise otherwise. */
  private admit(project: StoredProject, token: StoredToken, request: RoutingRequest, candidates: readonly Candidate[], format: 'openai' | 'anthropic'): Maybe<CallLimits> {
    const hasLimits = project.limits !== undefined || token.limits !== undefined;
    const now = this.now();
    const minute = minuteWindow(now);
    const lines = hasLimits ? rateLines(project, token, minute) : [];
    const estimate = lines.some((l) => l.limits.tpm !== undefined) ? tpmEstimate(request) : 0;
    if (lines.length === 0) return this.hold(project, token, candidates, { request, estimate, entries: NO_ENTRIES, headers: undefined }, minute, now);
    const entries = admissionEntries(lines, estimate, minute, now);
    return andThen(this.counters.reserve(entries, now), (result) => {
      const headers = rateHeaders(rateState(entries, result.values), format, minute, now);
      if (!result.ok) {
        const wait = entries[result.refused!]!.key.startsWith('c:') ? 1 : Math.max(1, Math.ceil((minute.end - now) / 1000));
        throw new GatewayError('rate_limited', refusalReason(lines, entries[result.refused!]!), { headers: { ...headers, 'retry-after': String(wait) } });
      }
      return this.hold(project, token, candidates, { request, estimate, entries, headers }, minute, now);
    });
  }

  /** An admitted call's hold: its budgets and its limited models' minute read for ranking. */
  private hold(project: StoredProject, token: StoredToken, candidates: readonly Candidate[], admitted: Admitted, minute: PeriodWindow, now: number): Maybe<CallHold> {
    const limitedModels = candidates.filter((c) => c.model.config.limits !== undefined);
    const release = (error: unknown): never => {
      // The call never ran: its slot and its tokens a minute go back.
      new CallHold(this.counters, this.logger, this.now, admitted, undefined, undefined).end(0);
      throw error;
    };
    try {
      const hasBudgets = project.budgets !== undefined || token.budgets !== undefined;
      const budget = hasBudgets ? this.ledger.snapshot(budgetLines(project, token, now), now) : undefined;
      const held = andThen(budget, (snapshot) =>
        andThen(limitedModels.length > 0 ? this.modelMinute(limitedModels, minute, now) : undefined, (modelMinute) => new CallHold(this.counters, this.logger, this.now, admitted, snapshot, modelMinute)),
      );
      return held instanceof Promise ? held.catch(release) : held;
    } catch (error) {
      return release(error);
    }
  }

  /** The project's own budgets as they stand (route-preview: no token, no reservation). */
  async projectBudgets(project: StoredProject): Promise<BudgetView> {
    if (!project.budgets) return NO_BUDGETS;
    const now = this.now();
    return this.ledger.snapshot(budgetLines(project, undefined, now), now);
  }

  /**
   * Every budget of the project and of each of its tokens, with what is spent (or held by calls
   * in flight) in the window that holds now: what the dashboard shows against each limit.
   */
  async budgetStatus(project: StoredProject): Promise<BudgetStatus[]> {
    const now = this.now();
    const lines = budgetLines(project, undefined, now);
    for (const token of project.tokens) lines.push(...budgetLines({ ...project, budgets: undefined }, token, now));
    if (lines.length === 0) return [];
    const snapshot = await this.ledger.snapshot(lines, now);
    return lines.map((line, i) => ({
      scope: line.scope,
      id: line.id,
      period: line.budget.period,
      ...(line.budget.limitUsd !== undefined ? { limitUsd: line.budget.limitUsd, spentUsd: snapshot.spentOf(i).nanoUsd / NANO_PER_USD } : {}),
      ...(line.budget.limitTokens !== undefined ? { limitTokens: line.budget.limitTokens, spentTokens: snapshot.spentOf(i).tokens } : {}),
      windowStart: new Date(line.window.start).toISOString(),
      resetsAt: Number.isFinite(line.window.end) ? new Date(line.window.end).toISOString() : null,
    }));
  }

  private modelMinute(candidates: readonly Candidate[], minute: PeriodWindow, now: number): Maybe<NonNullable<CallLimits['modelMinute']>> {
    const keys: string[] = [];
    for (const { model } of candidates) {
      const k = modelRateKeys(model, minute);
      keys.push(k.requestsKey, k.tokensKey);
    }
    // A scan of the few limited models, not a Map built per call: ranking asks once or twice per model.
    return andThen(this.counters.read(keys, now), (values) => (id: string) => {
      for (let i = 0; i < candidates.length; i++) if (candidates[i]!.model.config.id === id) return { requests: values[2 * i]!, tokens: values[2 * i + 1]! };
      return NOTHING_YET;
    });
  }
}

/**
 * The counters, with their failures (a Durable Object out of reach) turned into a 503 for the
 * call: budgets and limits that cannot be checked refuse the call rather than let it through
 * unchecked, and the client is told the gateway, not its request, is at fault.
 */
function failingClosed(counters: Counters, logger: Logger): Counters {
  // An outage is said once when it starts and once when it ends, not on every call it refuses.
  let failing = false;
  const guard = <A extends unknown[], R>(operation: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        const result = await operation(...args);
        if (failing) {
          failing = false;
          logger.info('the counters answer again: budgets and limits are checked');
        }
        return result;
      } catch (error) {
        if (!failing) {
          failing = true;
          logger.error('the counters failed: budgets and limits cannot be checked, limited calls are refused until they answer', { error: String(error) });
        }
        throw new GatewayError('not_ready', 'budgets and rate limits cannot be checked right now: try again shortly', { headers: { 'retry-after': '1' } });
      }
    };
  return {
    durable: counters.durable,
    reserve: guard((entries, now) => counters.reserve(entries, now)),
    add: (entries, now) => counters.add(entries, now),
    read: guard((keys, now) => counters.read(keys, now)),
    initialize: guard((entries, now) => counters.initialize(entries, now)),
  };
}

/** Tokens a call is admitted on under a tpm limit: the prompt's estimate plus its output cap, as OpenAI counts them. */
function tpmEstimate(request: RoutingRequest): number {
  if (request.operation === 'count_tokens') return 0;
  const features = request.features();
  return features.inputTokens + (features.maxOutputTokens ?? 0);
}

/** What a call's admission counted: its request, its tokens-a-minute estimate, the entries charged and the headers they give. */
interface Admitted {
  request: RoutingRequest;
  estimate: number;
  entries: readonly CounterEntry[];
  headers: Record<string, string> | undefined;
}

class CallHold implements CallLimits {
  readonly budget: BudgetView;
  readonly headers: Record<string, string> | undefined;
  private readonly request: RoutingRequest;
  private ended = false;

  constructor(
    private readonly counters: CounterOps,
    private readonly logger: Logger,
    private readonly now: () => number,
    private readonly admitted: Admitted,
    private readonly snapshot: ({ lines: readonly BudgetLine[] } & BudgetView) | undefined,
    readonly modelMinute: CallLimits['modelMinute'],
  ) {
    this.budget = snapshot ?? NO_BUDGETS;
    this.headers = admitted.headers;
    this.request = admitted.request;
  }

  reserve(model: ResolvedModel): Maybe<AttemptAdmission> {
    const budgetLinesNow = this.snapshot?.lines ?? [];
    const amount = budgetLinesNow.length > 0 ? reservationFor(model, this.request) : NOTHING;
    const modelTokens = model.config.limits?.tpm !== undefined && this.request.operation !== 'count_tokens' ? this.request.features().inputTokens : 0;
    const now = this.now();
    const minute = minuteWindow(now);
    const budgetPart = budgetEntries(budgetLinesNow, amount, true);
    const modelPart = modelRateEntries(model, modelTokens, minute);
    if (budgetPart.length === 0 && modelPart.length === 0) return ADMITTED;
    const entries = modelPart.length === 0 ? budgetPart : [...budgetPart, ...modelPart];
    return andThen(this.counters.reserve(entries, now), (result) => this.admission(result, model, entries, budgetPart, modelPart, amount, minute, now));
  }

  private admission(result: ReserveResult, model: ResolvedModel, entries: CounterEntry[], budgetPart: CounterEntry[], modelPart: CounterEntry[], amount: Reservation, minute: PeriodWindow, now: number): AttemptAdmission {
    if (!result.ok) {
      const refused = entries[result.refused!]!;
      if (result.refused! < budgetPart.length) {
        const line = this.snapshot!.lines.find((l) => l.usdKey === refused.key || l.tokensKey === refused.key)!;
        const kind = refused.key === line.usdKey ? 'usd' : 'tokens';
        const spent = result.values[result.refused!]!;
        const reason = kind === 'usd' ? overMessage(line, 'usd', spent / NANO_PER_USD, amount.nanoUsd / NANO_PER_USD) : overMessage(line, 'tokens', spent, amount.tokens);
        return { ok: false, kind: 'budget', reason };
      }
      const limits = model.config.limits!;
      const reason = refused.key.includes(':req:') ? `at its limit of ${limits.rpm} requests a minute` : `at its limit of ${limits.tpm} tokens a minute`;
      return { ok: false, kind: 'rate_limit', reason, retryAfterMs: Math.max(1, minute.end - now) };
    }
    return { ok: true, hold: this.attemptHold(model, amount, budgetPart, modelPart) };
  }

  private attemptHold(model: ResolvedModel, reserved: Reservation, budgetPart: CounterEntry[], modelPart: CounterEntry[]): AttemptHold {
    let settled = false;
    return {
      settle: (usage, answered) => {
        if (settled) return { done: DONE };
        settled = true;
        if (answered && !usage) {
          // Unreported usage keeps its reservation: the budgets stay charged the most it could have cost.
          return { charged: { chargedUsd: reserved.nanoUsd / NANO_PER_USD, chargedTokens: reserved.tokens }, done: DONE };
        }
        const actual = answered && usage ? actualCharge(model, usage) : NOTHING;
        const deltas: CounterEntry[] = [];
        for (const entry of budgetPart) {
          const isUsd = entry.key.endsWith(':usd');
          const delta = (isUsd ? actual.nanoUsd : actual.tokens) - entry.amount;
          if (delta !== 0) deltas.push({ key: entry.key, amount: delta, expiresAt: entry.expiresAt });
        }
        for (const entry of modelPart) {
          // The provider received the request either way: its rpm stays counted; tokens become what it reported.
          if (entry.key.includes(':tok:') && usage) deltas.push({ key: entry.key, amount: actual.tokens - entry.amount, expiresAt: entry.expiresAt });
        }
        return { done: this.apply(deltas) };
      },
    };
  }

  charge(model: ResolvedModel, usage: TokenUsage | undefined): void {
    const lines = this.snapshot?.lines;
    if (!lines?.length || !usage) return;
    void this.apply(budgetEntries(lines, actualCharge(model, usage), false));
  }

  end(actualTokens: number | undefined): void {
    if (this.ended) return;
    this.ended = true;
    const deltas: CounterEntry[] = [];
    for (const entry of this.admitted.entries) {
      if (entry.key.startsWith('c:')) deltas.push({ key: entry.key, amount: -1, expiresAt: entry.expiresAt });
      else if (entry.key.includes(':tok:') && actualTokens !== undefined && actualTokens !== this.admitted.estimate) {
        deltas.push({ key: entry.key, amount: actualTokens - this.admitted.estimate, expiresAt: entry.expiresAt });
      }
    }
    void this.apply(deltas);
  }

  /** Adds the deltas; the promise settles once they are counted (DONE when they were at once), and never rejects. */
  private apply(deltas: CounterEntry[]): Promise<unknown> {
    if (deltas.length === 0) return DONE;
    const failed = (error: unknown) => {
      this.logger.error('settling budget and limit counters failed', { error: String(error), keys: deltas.map((d) => d.key) });
    };
    try {
      const added = this.counters.add(deltas, this.now());
      return added instanceof Promise ? added.catch(failed) : DONE;
    } catch (error) {
      failed(error);
      return DONE;
    }
  }
}
