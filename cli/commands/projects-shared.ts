import type { Command } from 'commander';
import type { ApiClient } from '../api-client.js';
import { notFound, usageError } from '../errors.js';
import { wholeNumber } from '../options.js';

/** What the commands read of a project and its tokens (the API's public shapes, src/management/projects.ts). */
export interface Budget {
  period: string;
  limitUsd?: number;
  limitTokens?: number;
}
export interface Limits {
  rpm?: number;
  tpm?: number;
  concurrency?: number;
}
export interface Token {
  id: string;
  name?: string;
  hint: string;
  createdAt: string;
  budgets?: Budget[];
  limits?: Limits;
}
export interface Project {
  id: string;
  name: string;
  models: string[];
  rejectUnsupportedParams?: boolean;
  unknownModel?: 'route' | 'reject';
  routing?: Record<string, any>;
  aliases?: Record<string, { models: string[]; routing?: Record<string, any> }>;
  budgets?: Budget[];
  limits?: Limits;
  members: { userId: string; role: string }[];
  tokens: Token[];
  createdAt: string;
  updatedAt: string;
}

export const projectPath = (id: string) => `/api/projects/${encodeURIComponent(id)}`;

/**
 * A project by id (`prj_…`) or by its exact name among the projects you can see. A name more
 * than one project has is a usage error: the id says which.
 */
export async function findProject(client: ApiClient, ref: string): Promise<Project> {
  if (ref.startsWith('prj_')) return client.get<Project>(projectPath(ref));
  const { projects } = await client.get<{ projects: Project[] }>('/api/projects');
  const named = projects.filter((p) => p.name === ref);
  if (named.length > 1) throw usageError(`${named.length} projects are named "${ref}" (${named.map((p) => p.id).join(', ')}): give the id`);
  if (named.length === 0) throw notFound(`no project "${ref}"`);
  return named[0]!;
}

/** A token of `project` by id (`tok_…`) or exact name. */
export function findToken(project: Project, ref: string): Token {
  const byId = project.tokens.find((t) => t.id === ref);
  if (byId) return byId;
  const named = project.tokens.filter((t) => t.name === ref);
  if (named.length > 1) throw usageError(`${named.length} tokens of project ${project.name} are named "${ref}": give the id (routerly token list ${project.id})`);
  if (named.length === 0) throw notFound(`no token "${ref}" in project ${project.name}`);
  return named[0]!;
}

/** --rpm, --tpm, --concurrency and --no-limits, for projects and tokens alike. */
export function addLimitFlags(command: Command, whose: string): Command {
  return command
    .option('--rpm <n>', `${whose} requests a minute`, wholeNumber(1, 1e9))
    .option('--tpm <n>', `${whose} tokens a minute`, wholeNumber(1, 1e12))
    .option('--concurrency <n>', `${whose} calls at once`, wholeNumber(1, 1e6))
    .option('--no-limits', `remove ${whose} rate limits`);
}

export interface LimitFlags {
  rpm?: number;
  tpm?: number;
  concurrency?: number;
  /** Commander's negation: false for --no-limits, else true. */
  limits?: boolean;
}

/** The `limits` field the flags ask for, merged over `current`: {} removes them (the API's convention), undefined leaves them. */
export function limitsOf(flags: LimitFlags, current: Limits | undefined = undefined): Limits | undefined {
  const given = Object.fromEntries(Object.entries({ rpm: flags.rpm, tpm: flags.tpm, concurrency: flags.concurrency }).filter(([, v]) => v !== undefined));
  if (flags.limits === false) {
    if (Object.keys(given).length > 0) throw usageError('--no-limits removes every rate limit: do not give --rpm, --tpm or --concurrency with it');
    return {};
  }
  return Object.keys(given).length > 0 ? { ...current, ...given } : undefined;
}

export function limitsText(limits: Limits | undefined): string | undefined {
  if (!limits || Object.keys(limits).length === 0) return undefined;
  return Object.entries(limits)
    .map(([name, value]) => `${name} ${value}`)
    .join(', ');
}

export function budgetsText(budgets: Budget[] | undefined): string | undefined {
  if (!budgets || budgets.length === 0) return undefined;
  return budgets.map((b) => `${b.period}: ${[b.limitUsd !== undefined ? `$${b.limitUsd}` : '', b.limitTokens !== undefined ? `${b.limitTokens} tokens` : ''].filter(Boolean).join(' and ')}`).join('; ');
}
