import type { StoredProject, StoredToken } from '../config/schemas.js';
import type { ResolvedModel } from '../config/state.js';
import type { RateLimits } from '../config/tenancy.js';
import type { CounterEntry } from '../counters/port.js';
import { goDuration, rfc3339Seconds, SETTLE_GRACE_MS, windowExpiry, type PeriodWindow } from './periods.js';

/**
 * A concurrency slot is held until the call ends; if the process holding it dies first (a
 * Worker isolate evicted mid-call), the count would stay up. Each new call pushes the counter's
 * expiry this far ahead, so a leaked slot is forgotten once the scope has been idle this long.
 */
export const CONCURRENCY_LEASE_MS = 3_600_000;

/** The limits of one scope: the project or the token. */
export interface RateLine {
  scope: 'project' | 'token';
  name: string;
  limits: RateLimits;
  requestsKey: string;
  tokensKey: string;
  concurrencyKey: string;
}

export function rateLines(project: StoredProject, token: StoredToken, minute: PeriodWindow): RateLine[] {
  const lines: RateLine[] = [];
  const projectLine = scopeLine('project', project, project.name, project.limits, minute);
  if (projectLine) lines.push(projectLine);
  const tokenLine = scopeLine('token', token, token.name ?? token.id, token.limits, minute);
  if (tokenLine) lines.push(tokenLine);
  return lines;
}

/**
 * Each scope's line as last made, per project and token object (the config's, replaced whenever
 * it changes), for the minute it was made in: every call of a rate-limited project needs its
 * lines, and making them anew cost four strings per scope per call, three of them counter keys
 * that the counters then hash again.
 */
const lineByScope = new WeakMap<object, { limits: RateLimits; name: string; minuteId: string; line: RateLine }>();

function scopeLine(scope: 'project' | 'token', owner: { id: string }, name: string, limits: RateLimits | undefined, minute: PeriodWindow): RateLine | undefined {
  if (!limits || (limits.rpm === undefined && limits.tpm === undefined && limits.concurrency === undefined)) return undefined;
  const cached = lineByScope.get(owner);
  if (cached && cached.limits === limits && cached.name === name && cached.minuteId === minute.id) return cached.line;
  const base = `r:${scope === 'project' ? 'p' : 't'}:${owner.id}`;
  const line: RateLine = { scope, name: `${scope} "${name}"`, limits, requestsKey: `${base}:req:${minute.id}`, tokensKey: `${base}:tok:${minute.id}`, concurrencyKey: `c:${base}` };
  lineByScope.set(owner, { limits, name, minuteId: minute.id, line });
  return line;
}

/** The entries that admit one call of `tokens` estimated tokens on every line. */
export function admissionEntries(lines: readonly RateLine[], tokens: number, minute: PeriodWindow, now: number): CounterEntry[] {
  const entries: CounterEntry[] = [];
  const expiresAt = windowExpiry(minute, SETTLE_GRACE_MS.minute);
  for (const line of lines) {
    const { rpm, tpm, concurrency } = line.limits;
    if (rpm !== undefined) entries.push({ key: line.requestsKey, amount: 1, limit: rpm, expiresAt });
    if (tpm !== undefined) entries.push({ key: line.tokensKey, amount: tokens, limit: tpm, expiresAt });
    if (concurrency !== undefined) entries.push({ key: line.concurrencyKey, amount: 1, limit: concurrency, expiresAt: now + CONCURRENCY_LEASE_MS });
  }
  return entries;
}

/** What the limits leave after (or, refused, before) an admission, for the headers. */
export interface RateState {
  requests?: { limit: number; remaining: number };
  tokens?: { limit: number; remaining: number };
}

/** The tightest line of each kind: the one with the least left. */
export function rateState(entries: readonly CounterEntry[], values: readonly number[]): RateState {
  const state: RateState = {};
  entries.forEach((entry, i) => {
    const kind = entry.key.includes(':req:') ? 'requests' : entry.key.includes(':tok:') ? 'tokens' : undefined;
    if (!kind || entry.limit === undefined) return;
    const remaining = Math.max(0, entry.limit - values[i]!);
    const current = state[kind];
    if (!current || remaining < current.remaining) state[kind] = { limit: entry.limit, remaining };
  });
  return state;
}

/**
 * The rate-limit headers of the client's API: OpenAI's `x-ratelimit-{limit,remaining,reset}-
 * {requests,tokens}` (resets as Go durations), Anthropic's `anthropic-ratelimit-{requests,
 * tokens}-{limit,remaining,reset}` (resets as RFC 3339 instants).
 */
export function rateHeaders(state: RateState, format: 'openai' | 'anthropic', minute: PeriodWindow, now: number): Record<string, string> | undefined {
  if (!state.requests && !state.tokens) return undefined;
  const headers: Record<string, string> = {};
  const reset = format === 'openai' ? openAiReset(minute.end - now) : anthropicReset(minute.end);
  for (const kind of RATE_KINDS) {
    const figures = state[kind];
    if (!figures) continue;
    const names = RATE_HEADER_NAMES[format][kind];
    headers[names.limit] = String(figures.limit);
    headers[names.remaining] = String(figures.remaining);
    headers[names.reset] = reset;
  }
  return headers;
}

const RATE_KINDS = ['requests', 'tokens'] as const;

/**
 * The last reset written in each format, with what it was written for: every call of a
 * rate-limited project writes one, and within a minute's window the text changes once a second
 * (OpenAI's, a Go duration rounded up to the second past the first) or once a minute
 * (Anthropic's, the window's end), where making it was a Date and a few strings a call.
 */
let openAiLast = { seconds: -1, text: '' };
let anthropicLast = { end: Number.NaN, text: '' };

function openAiReset(ms: number): string {
  const whole = Math.max(0, Math.ceil(ms));
  if (whole < 1000) return goDuration(whole);
  const seconds = Math.ceil(whole / 1000);
  if (seconds !== openAiLast.seconds) openAiLast = { seconds, text: goDuration(whole) };
  return openAiLast.text;
}

function anthropicReset(end: number): string {
  if (end !== anthropicLast.end) anthropicLast = { end, text: rfc3339Seconds(end) };
  return anthropicLast.text;
}

/**
 * The headers' names, made once: a name built per call (a template string) is a new string that
 * V8 must look up in its string table each time it becomes a key, and every answer of a
 * rate-limited project carries six.
 */
const RATE_HEADER_NAMES = {
  openai: {
    requests: { limit: 'x-ratelimit-limit-requests', remaining: 'x-ratelimit-remaining-requests', reset: 'x-ratelimit-reset-requests' },
    tokens: { limit: 'x-ratelimit-limit-tokens', remaining: 'x-ratelimit-remaining-tokens', reset: 'x-ratelimit-reset-tokens' },
  },
  anthropic: {
    requests: { limit: 'anthropic-ratelimit-requests-limit', remaining: 'anthropic-ratelimit-requests-remaining', reset: 'anthropic-ratelimit-requests-reset' },
    tokens: { limit: 'anthropic-ratelimit-tokens-limit', remaining: 'anthropic-ratelimit-tokens-remaining', reset: 'anthropic-ratelimit-tokens-reset' },
  },
} as const;

/** Why an admission was refused, for the 429's message. */
export function refusalReason(lines: readonly RateLine[], entry: CounterEntry): string {
  const line = lines.find((l) => l.requestsKey === entry.key || l.tokensKey === entry.key || l.concurrencyKey === entry.key)!;
  if (entry.key === line.requestsKey) return `${line.name} is at its limit of ${line.limits.rpm} requests a minute`;
  if (entry.key === line.tokensKey) {
    return entry.amount > line.limits.tpm!
      ? `this call's estimated ${entry.amount} tokens exceed ${line.name}'s limit of ${line.limits.tpm} tokens a minute`
      : `${line.name} is at its limit of ${line.limits.tpm} tokens a minute`;
  }
  return `${line.name} is at its limit of ${line.limits.concurrency} calls at once`;
}

/**
 * Each model's keys for the minute they were last made for, per model object (the config's,
 * replaced whenever it changes): every call ranks and reserves on its models with limits, and
 * making the keys anew cost two strings per model per call.
 */
const keysByModel = new WeakMap<ResolvedModel, { minuteId: string; keys: { requestsKey: string; tokensKey: string } }>();

/** A model's own quota (its `limits`), counted across every project that uses it. */
export function modelRateKeys(model: ResolvedModel, minute: PeriodWindow): { requestsKey: string; tokensKey: string } {
  const cached = keysByModel.get(model);
  if (cached?.minuteId === minute.id) return cached.keys;
  const keys = { requestsKey: `r:m:${model.config.id}:req:${minute.id}`, tokensKey: `r:m:${model.config.id}:tok:${minute.id}` };
  keysByModel.set(model, { minuteId: minute.id, keys });
  return keys;
}

export function modelRateEntries(model: ResolvedModel, tokens: number, minute: PeriodWindow): CounterEntry[] {
  const limits = model.config.limits;
  if (!limits) return [];
  const keys = modelRateKeys(model, minute);
  const expiresAt = windowExpiry(minute, SETTLE_GRACE_MS.minute);
  const entries: CounterEntry[] = [];
  if (limits.rpm !== undefined) entries.push({ key: keys.requestsKey, amount: 1, limit: limits.rpm, expiresAt });
  if (limits.tpm !== undefined) entries.push({ key: keys.tokensKey, amount: tokens, limit: limits.tpm, expiresAt });
  return entries;
}
