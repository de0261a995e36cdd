import type { Logger } from '../deps.js';
import { open } from '../crypto/secret-box.js';
import type { UpstreamTarget } from '../ir/target.js';
import { providerEntry, type ProviderEntry } from '../providers/registry.js';
import type { Store } from '../store.js';
import { z } from 'zod';
import {
  Settings,
  StoredModel,
  StoredProject,
  StoredRole,
  StoredUser,
  type ProjectRole,
  type Timeouts,
  type StoredToken,
} from './schemas.js';
import { DEFAULT_ROLES, effectiveRoles } from './roles.js';

/** Each config file and the schema its content must satisfy. */
const FILES = {
  models: { key: 'config/models.json', schema: z.array(StoredModel), empty: (): StoredModel[] => [] },
  projects: { key: 'config/projects.json', schema: z.array(StoredProject), empty: (): StoredProject[] => [] },
  users: { key: 'config/users.json', schema: z.array(StoredUser), empty: (): StoredUser[] => [] },
  roles: { key: 'config/roles.json', schema: z.array(StoredRole), empty: (): StoredRole[] => DEFAULT_ROLES },
  settings: { key: 'config/settings.json', schema: Settings, empty: (): Settings => ({}) },
} as const;

export type ConfigFile = keyof typeof FILES;
export interface ConfigSnapshot {
  models: StoredModel[];
  projects: StoredProject[];
  users: StoredUser[];
  roles: StoredRole[];
  settings: Settings;
}

export const DEFAULT_TIMEOUTS: Required<Timeouts> = { connectMs: 60_000, totalMs: 900_000, idleMs: 300_000 };

/**
 * A model ready for the request path: key decrypted, defaults applied. It is the
 * UpstreamTarget the providers send to, with the config and provider entry besides.
 */
export interface ResolvedModel extends UpstreamTarget {
  config: StoredModel;
  /** The provider (or preset) that serves this model: its codecs and passthrough. */
  provider: ProviderEntry;
  timeouts: Required<Timeouts>;
}

/** The lookups the request path makes, built once per config change. */
export interface ConfigIndex {
  models: Map<string, ResolvedModel>;
  projects: Map<string, StoredProject>;
  tokens: Map<string, { project: StoredProject; token: StoredToken }>;
  usersByEmail: Map<string, StoredUser>;
  usersById: Map<string, StoredUser>;
  /** The stored roles, with the built-ins always present and `admin` always holding `*` (roles.ts). */
  roles: Map<string, StoredRole>;
  /** Each user's project memberships, for the management API's access checks. */
  membershipsByUser: Map<string, ProjectMembership[]>;
}

export interface ProjectMembership {
  project: StoredProject;
  role: ProjectRole;
}

export class ConfigError extends Error {}

/**
 * Routerly's configuration held in memory. The request path only reads `index`; the
 * management API changes a file through `update`, which writes it to the store and then
 * swaps in a new index, so no request ever reads the store or parses config.
 */
export class ConfigState {
  private current!: ConfigSnapshot;
  /** Files that were absent at load (their defaults are in memory only until `materialize`). */
  private missing = new Set<ConfigFile>();
  private currentIndex!: ConfigIndex;
  private loadedAt = 0;
  private writes: Promise<unknown> = Promise.resolve();
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly encryptionKey: CryptoKey,
    private readonly options: { now: () => number; refreshMs?: number; logger: Logger },
  ) {}

  get snapshot(): ConfigSnapshot {
    return this.current;
  }

  get index(): ConfigIndex {
    return this.currentIndex;
  }

  async load(): Promise<void> {
    const entries = await Promise.all(
      (Object.keys(FILES) as ConfigFile[]).map(async (file) => [file, await this.readFile(file)] as const),
    );
    const snapshot = Object.fromEntries(entries.map(([file, content]) => [file, content ?? FILES[file].empty()]));
    this.missing = new Set(entries.filter(([, content]) => content === null).map(([file]) => file));
    await this.install(snapshot as unknown as ConfigSnapshot);
  }

  /** Writes every config file that does not exist yet, so the whole layout is on disk for people to read. */
  async materialize(): Promise<void> {
    for (const file of [...this.missing]) {
      await this.update(file, async (current) => ({ next: current, result: undefined }));
    }
  }

  /**
   * Where config may change behind our back (other isolates sharing the store), starts a
   * background re-read once the snapshot is older than `refreshMs`; requests meanwhile
   * go on with the snapshot they have.
   */
  refreshIfStale(waitUntil: (promise: Promise<unknown>) => void): void {
    const { refreshMs } = this.options;
    if (refreshMs === undefined || this.refreshing || this.options.now() - this.loadedAt < refreshMs) return;
    // In the same queue as writes: a re-read that overlapped a write could install what it
    // read before that write, undoing it in memory until the next refresh.
    const refresh = this.writes
      .then(() => this.load())
      .catch((error: unknown) => this.options.logger.error('config refresh failed', { error: String(error) }))
      .finally(() => {
        this.refreshing = undefined;
      });
    this.refreshing = refresh;
    this.writes = refresh;
    waitUntil(refresh);
  }

  /**
   * Replaces one config file with what `change` returns, one change at a time. `change`
   * may throw to refuse (nothing is written then); its result is validated before it
   * is stored.
   */
  update<F extends ConfigFile, R = void>(
    file: F,
    change: (current: ConfigSnapshot[F], snapshot: ConfigSnapshot) => Promise<{ next: ConfigSnapshot[F]; result: R }>,
  ): Promise<R> {
    const run = async (): Promise<R> => {
      const { next, result } = await change(structuredClone(this.current[file]), this.current);
      const valid = FILES[file].schema.parse(next) as ConfigSnapshot[F];
      await this.store.put(FILES[file].key, `${JSON.stringify(valid, null, 2)}\n`);
      this.missing.delete(file);
      await this.install({ ...this.current, [file]: valid });
      return result;
    };
    const done = this.writes.then(run, run);
    this.writes = done.catch(() => undefined);
    return done;
  }

  private async readFile<F extends ConfigFile>(file: F): Promise<ConfigSnapshot[F] | null> {
    const { key, schema } = FILES[file];
    const text = await this.store.get(key);
    if (text === null) return null;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ConfigError(`${key} is not valid JSON`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ConfigError(`${key} is invalid: ${z.prettifyError(parsed.error)}`);
    return parsed.data as ConfigSnapshot[F];
  }

  private async install(snapshot: ConfigSnapshot): Promise<void> {
    this.currentIndex = await buildIndex(snapshot, this.encryptionKey);
    this.current = snapshot;
    this.loadedAt = this.options.now();
  }
}

/**
 * A model as calls use it: its base URL (its own or its provider's default, without a trailing
 * slash), its upstream name, its key (already decrypted), and its timeouts over the settings'
 * defaults. The config index resolves every stored model with it; a model test call resolves
 * a form's unsaved values the same way.
 */
export function resolveModel(config: StoredModel, settings: Settings, apiKey: string | undefined): ResolvedModel {
  const provider = providerEntry(config);
  return {
    config,
    provider,
    baseUrl: (config.baseUrl ?? provider.defaultBaseUrl ?? '').replace(/\/+$/, ''),
    upstreamModel: config.upstreamModel ?? config.id,
    apiKey,
    timeouts: { ...DEFAULT_TIMEOUTS, ...settings.defaultTimeouts, ...config.timeouts },
  };
}

async function buildIndex(snapshot: ConfigSnapshot, encryptionKey: CryptoKey): Promise<ConfigIndex> {
  const models = new Map<string, ResolvedModel>();
  for (const config of snapshot.models) {
    const apiKey = config.apiKeySealed ? await open(encryptionKey, config.apiKeySealed, config.id) : undefined;
    models.set(config.id, resolveModel(config, snapshot.settings, apiKey));
  }
  const projects = new Map(snapshot.projects.map((p) => [p.id, p]));
  const tokens = new Map<string, { project: StoredProject; token: StoredToken }>();
  const membershipsByUser = new Map<string, ProjectMembership[]>();
  for (const project of snapshot.projects) {
    for (const token of project.tokens) tokens.set(token.hash, { project, token });
    for (const { userId, role } of project.members ?? []) {
      const list = membershipsByUser.get(userId) ?? [];
      list.push({ project, role });
      membershipsByUser.set(userId, list);
    }
  }
  return {
    models,
    projects,
    tokens,
    usersByEmail: new Map(snapshot.users.map((u) => [u.email, u])),
    usersById: new Map(snapshot.users.map((u) => [u.id, u])),
    roles: new Map(effectiveRoles(snapshot.roles).map((r) => [r.id, r])),
    membershipsByUser,
  };
}
