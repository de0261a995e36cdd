import type { StoredProject, StoredToken } from '../config/schemas.js';
import type { ResolvedModel } from '../config/state.js';
import type { CounterEntry, Counters } from '../counters/port.js';
import type { Logger } from '../deps.js';
import { GatewayError } from '../errors.js';
import type { TokenUsage } from '../ir/usage.js';
import { NO_BUDGETS, type BudgetView } from '../routing/budget.js';
import type { Candidate, RoutingRequest } from '../routing/types.js';
import { budgetEntries, budgetLines, BudgetLedger, overMessage, type BudgetLine, type SpendHistory } from './budgets.js';
import { minuteWindow, type PeriodWindow } from './periods.js';
import { admissionEntries, modelRateEntries, modelRateKeys, rateHeaders, rateLines, rateState, refusalReason } from './rate-limits.js';
import { NANO_PER_USD } from '../usage/cost.js';
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

const NO_HOLD: AttemptHold = { settle: () => ({ done: Promise.resolve() }) };
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

  private readonly counters: Counters;

  constructor(
    counters: Counters,
    history: SpendHistory | undefined,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {
    this.counters = failingClosed(counters, logger);
    this.ledger = new BudgetLedger(this.counters, history, logger);
  }

  /**
   * Admits a call under its project's and token's rate limits (a 429 in the client's format when
   * over, with retry-after and the rate-limit headers), and reads its budgets for ranking.
   */
  begin(project: StoredProject, token: StoredToken, request: RoutingRequest, candidates: readonly Candidate[], format: 'openai' | 'anthropic'): CallLimits | Promise<CallLimits> {
    // Synchronous for a call nothing limits: no promise, no counter, on the hot path.
    if (project.budgets === undefined && token.budgets === undefined && project.limits === undefined && token.limits === undefined && !candidates.some((c) => c.model.config.limits !== undefined)) {
      return UNLIMITED;
    }
    return this.admit(project, token, request, candidates, format);
  }

  private async admit(project: StoredProject, token: StoredToken, request: RoutingRequest, candidates: readonly Candidate[], format: 'openai' | 'anthropic'): Promise<CallLimits> {
    const hasBudgets = project.budgets !== undefined || token.budgets !== undefined;
    const hasLimits = project.limits !== undefined || token.limits !== undefined;
    const limitedModels = candidates.filter((c) => c.model.config.limits !== undefined);
    const now = this.now();
    const minute = minuteWindow(now);
    const lines = hasLimits ? rateLines(project, token, minute) : [];
    const estimate = lines.some((l) => l.limits.tpm !== undefined) ? tpmEstimate(request) : 0;
    let headers: Record<string, string> | undefined;
    let admitted: CounterEntry[] = [];
    if (lines.length > 0) {
      const entries = admissionEntries(lines, estimate, minute, now);
      const result = await this.counters.reserve(entries, now);
      headers = rateHeaders(rateState(entries, result.values), format, minute, now);
      if (!result.ok) {
        const wait = entries[result.refused!]!.key.startsWith('c:') ? 1 : Math.max(1, Math.ceil((minute.end - now) / 1000));
        throw new GatewayError('rate_limited', refusalReason(lines, entries[result.refused!]!), { headers: { ...headers, 'retry-after': String(wait) } });
      }
      admitted = entries;
    }
    try {
      const budget = hasBudgets ? await this.ledger.snapshot(budgetLines(project, token, now), now) : undefined;
      const modelMinute = limitedModels.length > 0 ? await this.modelMinute(limitedModels, minute, now) : undefined;
      return new CallHold(this.counters, this.logger, this.now, request, admitted, estimate, budget, modelMinute, headers);
    } catch (error) {
      // The call never ran: its slot and its tokens a minute go back.
      new CallHold(this.counters, this.logger, this.now, request, admitted, estimate, undefined, undefined, headers).end(0);
      throw error;
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

  private async modelMinute(candidates: readonly Candidate[], minute: PeriodWindow, now: number) {
    const keys = candidates.flatMap((c) => {
      const k = modelRateKeys(c.model, minute);
      return [k.requestsKey, k.tokensKey];
    });
    const values = await this.counters.read(keys, now);
    const byModel = new Map(candidates.map((c, i) => [c.model.config.id, { requests: values[2 * i]!, tokens: values[2 * i + 1]! }]));
    return (id: string) => byModel.get(id) ?? { requests: 0, tokens: 0 };
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

class CallHold implements CallLimits {
  readonly budget: BudgetView;
  private ended = false;

  constructor(
    private readonly counters: Counters,
    private readonly logger: Logger,
    private readonly now: () => number,
    private readonly request: RoutingRequest,
    private readonly admitted: readonly CounterEntry[],
    private readonly estimate: number,
    private readonly snapshot: ({ lines: readonly BudgetLine[] } & BudgetView) | undefined,
    readonly modelMinute: CallLimits['modelMinute'],
    readonly headers: Record<string, string> | undefined,
  ) {
    this.budget = snapshot ?? NO_BUDGETS;
  }

  async reserve(model: ResolvedModel): Promise<AttemptAdmission> {
    const budgetLinesNow = this.snapshot?.lines ?? [];
    const amount = budgetLinesNow.length > 0 ? reservationFor(model, this.request) : NOTHING;
    const modelTokens = model.config.limits?.tpm !== undefined && this.request.operation !== 'count_tokens' ? this.request.features().inputTokens : 0;
    const now = this.now();
    const minute = minuteWindow(now);
    const budgetPart = budgetEntries(budgetLinesNow, amount, true);
    const modelPart = modelRateEntries(model, modelTokens, minute);
    if (budgetPart.length === 0 && modelPart.length === 0) return { ok: true, hold: NO_HOLD };
    const entries = [...budgetPart, ...modelPart];
    const result = await this.counters.reserve(entries, now);
    if (!result.ok) {
      const refused = entries[result.refused!]!;
      if (result.refused! < budgetPart.length) {
        const line = budgetLinesNow.find((l) => l.usdKey === refused.key || l.tokensKey === refused.key)!;
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
        if (settled) return { done: Promise.resolve() };
        settled = true;
        if (answered && !usage) {
          // Unreported usage keeps its reservation: the budgets stay charged the most it could have cost.
          return { charged: { chargedUsd: reserved.nanoUsd / NANO_PER_USD, chargedTokens: reserved.tokens }, done: Promise.resolve() };
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
    for (const entry of this.admitted) {
      if (entry.key.startsWith('c:')) deltas.push({ key: entry.key, amount: -1, expiresAt: entry.expiresAt });
      else if (entry.key.includes(':tok:') && actualTokens !== undefined && actualTokens !== this.estimate) {
        deltas.push({ key: entry.key, amount: actualTokens - this.estimate, expiresAt: entry.expiresAt });
      }
    }
    void this.apply(deltas);
  }

  private apply(deltas: CounterEntry[]): Promise<unknown> {
    if (deltas.length === 0) return Promise.resolve();
    return this.counters.add(deltas, this.now()).catch((error: unknown) => {
      this.logger.error('settling budget and limit counters failed', { error: String(error), keys: deltas.map((d) => d.key) });
    });
  }
}
