/**
 * The usage-side API shapes the overview, usage and logs pages read, named as the server names
 * them (src/usage/summary.ts, src/usage/record.ts, src/routing/trace.ts, src/limits/call-limits.ts),
 * and the few requests they share.
 */
import { get } from '../api';

export type GroupBy = 'project' | 'model' | 'token' | 'day' | 'hour';

/** A group's sums (SummaryFigures). The percentiles and fallbacks are null when nothing was measured. */
export interface SummaryFigures {
  requests: number;
  errors: number;
  attempts: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
  chargedUsd: number;
  chargedTokens: number;
  avgLatencyMs: number | null;
  avgTtftMs: number | null;
  /** Calls served after at least one failed attempt (a retry or a fallback to another model). */
  fallbacks?: number;
  p50LatencyMs?: number | null;
  p95LatencyMs?: number | null;
  p50TtftMs?: number | null;
  p95TtftMs?: number | null;
}

export interface SummaryGroup extends SummaryFigures {
  key: string;
  projectId?: string;
  tokenId?: string;
  model?: string;
  day?: string;
  hour?: string;
}

export interface UsageSummary {
  from: string | null;
  to: string | null;
  groupBy: GroupBy;
  groups: SummaryGroup[];
  totals: SummaryFigures;
}

export interface SummaryQuery {
  projectId?: string;
  from?: string;
  to?: string;
  groupBy: GroupBy;
}

export const getSummary = (query: SummaryQuery, signal?: AbortSignal) => get<UsageSummary>('/api/usage/summary', { ...query }, signal);

export interface Budget {
  period: string;
  limitUsd?: number;
  limitTokens?: number;
}

export interface Token {
  id: string;
  name?: string;
  hint: string;
  createdAt: string;
  budgets?: Budget[];
}

export interface Project {
  id: string;
  name: string;
  models: string[];
  budgets?: Budget[];
  tokens: Token[];
}

export const getProjects = (signal?: AbortSignal) => get<{ projects: Project[] }>('/api/projects', undefined, signal).then((answer) => answer.projects);

/** GET /api/projects/:id/budgets, one entry: the server's own type (erased at build), so the two cannot drift. */
import type { BudgetStatus } from '../../../src/limits/call-limits.js';
export type { BudgetStatus };

/** One call in GET /api/logs. */
export interface LogCall {
  requestId: string;
  time: string;
  projectId: string;
  tokenId: string;
  model: string;
  /** The client API's path (`/v1/messages`), or `routing` for a routing judge's own call. */
  endpoint?: string;
  status: number;
  outcome: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  latencyMs: number;
  ttftMs: number | null;
  attempts: number;
  stream?: boolean;
}

export interface LogsAnswer {
  calls: LogCall[];
  nextCursor: string | null;
}

export interface AttemptTrace {
  model: string;
  attempt: number;
  status?: number;
  cause?: string;
  ms: number;
}

export interface RoutingTrace {
  requested: string;
  via: 'named' | 'alias' | 'auto' | 'unknown';
  candidates: string[];
  excluded: { model: string; policy: string; reason: string; retryAfterMs?: number }[];
  ranking: { model: string; score: number; scores: Record<string, number> }[];
  abstained?: string[];
  failed?: { policy: string; error: string }[];
  overridden?: string[];
  judge?: { model: string; choice?: string; cached?: boolean; error?: string };
  ineligible?: { model: string; reason: string }[];
  notSent?: { model: string; reason: string }[];
  attempts: AttemptTrace[];
}

/** One attempt of a call as recorded (UsageRecord). */
export interface UsageRecord {
  ts: string;
  requestId: string;
  projectId: string;
  tokenId: string;
  model: string;
  provider: string;
  upstreamModel: string;
  endpoint: string;
  stream: boolean;
  status: number;
  outcome: string;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  usageReported: boolean;
  costUsd: number;
  chargedUsd?: number;
  chargedTokens?: number;
  latencyMs: number;
  ttftMs: number | null;
  attempt?: number;
  routing?: RoutingTrace;
}

/** A day as the API takes it (`2026-11-23`), in UTC like every range the API counts. */
export const utcDay = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 10);

export function monthStartUtc(now = Date.now()): string {
  const date = new Date(now);
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1)).toISOString().slice(0, 10);
}

/** How a project reads: its name, else its id (a project deleted since its calls were made). */
export function projectLabel(projects: Project[] | undefined, id: string | undefined): string {
  if (!id) return '—';
  return projects?.find((project) => project.id === id)?.name ?? id;
}

/** How a token reads: its name, else its hint, else its id (a revoked token). */
export function tokenLabel(projects: Project[] | undefined, tokenId: string | undefined, projectId?: string): string {
  if (!tokenId) return '—';
  for (const project of projects ?? []) {
    if (projectId !== undefined && project.id !== projectId) continue;
    const token = project.tokens.find((candidate) => candidate.id === tokenId);
    if (token) return token.name ? `${token.name} (${token.hint})` : token.hint;
  }
  return tokenId;
}

/** The models of every visible project's pool, sorted: the model filters' choices. */
export function poolModels(projects: Project[] | undefined, projectId?: string): string[] {
  const models = new Set<string>();
  for (const project of projects ?? []) if (!projectId || project.id === projectId) project.models.forEach((model) => models.add(model));
  return [...models].sort();
}

/** The error rate as a 0..1 fraction, null without calls (the charts leave a gap). */
export const errorRate = (figures: Pick<SummaryFigures, 'errors' | 'requests'>) => (figures.requests > 0 ? figures.errors / figures.requests : null);

const CLIENT_FORMATS: Record<string, string> = {
  '/v1/chat/completions': 'OpenAI Chat Completions',
  '/v1/responses': 'OpenAI Responses',
  '/v1/messages': 'Anthropic Messages',
  '/v1/messages/count_tokens': 'Anthropic token counting',
  '/v1/embeddings': 'OpenAI Embeddings',
  routing: 'Routing judge (the gateway’s own call)',
};

/** The client API a record's endpoint stands for. */
export const clientFormat = (endpoint: string | undefined) => (endpoint === undefined ? '—' : (CLIENT_FORMATS[endpoint] ?? endpoint));

/** The badge class for an outcome: ok, a client that left (not the gateway's fault), or a failure. */
export const outcomeClass = (outcome: string) => (outcome === 'ok' ? 'badge ok' : outcome === 'client_aborted' ? 'badge warn' : 'badge bad');
