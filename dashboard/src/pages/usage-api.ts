/**
 * The usage-side API shapes the overview, usage and logs pages read, and the few requests they share.
 */
import { get } from '../api';
// The server's own types, type-only (erased at build), so the dashboard and the API cannot drift:
// GET /api/usage/summary answers UsageSummary, GET /api/logs a CallPage, GET /api/usage/:requestId
// UsageRecords (the last with its RoutingTrace), GET /api/projects/:id/budgets BudgetStatuses.
import type { BudgetStatus } from '../../../src/limits/call-limits.js';
import type { AttemptTrace, RoutingTrace } from '../../../src/routing/trace.js';
import type { CallPage, CallRow } from '../../../src/usage/calls.js';
import type { UsageRecord } from '../../../src/usage/record.js';
import type { SummaryFigures, SummaryGroup, SummaryGroupBy, UsageSummary } from '../../../src/usage/summary.js';
// GET /api/projects: the one shape the project pages read too.
import type { Project } from './project-shapes';

export type { AttemptTrace, BudgetStatus, Project, RoutingTrace, SummaryFigures, SummaryGroup, UsageRecord, UsageSummary };
/** One call in GET /api/logs. */
export type LogCall = CallRow;
export type LogsAnswer = CallPage;

export type GroupBy = SummaryGroupBy;

export interface SummaryQuery {
  projectId?: string;
  from?: string;
  to?: string;
  groupBy: GroupBy;
}

export const getSummary = (query: SummaryQuery, signal?: AbortSignal) => get<UsageSummary>('/api/usage/summary', { ...query }, signal);

export const getProjects = (signal?: AbortSignal) => get<{ projects: Project[] }>('/api/projects', undefined, signal).then((answer) => answer.projects);

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
