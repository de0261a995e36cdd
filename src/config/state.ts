import type { ConfigChanges, Logger } from '../deps.js';
import { GatewayError } from '../errors.js';
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
  /** Loads, refreshes and writes, one at a time and in order. */
  private writes: Promise<unknown> = Promise.resolve();
  /** A refresh waiting in `writes` that has not begun reading: later notices share it. */
  private queuedRefresh: Promise<void> | undefined;
  /** When the last refresh began: a failing store is asked again after `refreshMs`, not on every request. */
  private refreshStartedAt = Number.NEGATIVE_INFINITY;
  /** The last refresh failed: said once, until one succeeds again. */
  private refreshFailing = false;
  /** When the first of the refreshes failing since the last success began; undefined while they succeed. */
  private failingSince: number | undefined;
  private subscribed = false;

  constructor(
    private readonly store: Store,
    private readonly encryptionKey: CryptoKey,
    private readonly options: { now: () => number; refreshMs?: number; logger: Logger; changes?: ConfigChanges },
  ) {}

  get snapshot(): ConfigSnapshot {
    return this.current;
  }

  get index(): ConfigIndex {
    return this.currentIndex;
  }

  /**
   * Reads every config file and builds the index. With `changes`, listens for other gateways'
   * notices first, so none sent while this load reads is missed (its refresh runs after it).
   */
  load(): Promise<void> {
    const { changes } = this.options;
    if (changes && !this.subscribed) {
      this.subscribed = true;
      changes.subscribe(() => void this.refresh());
    }
    const loaded = this.writes.then(() => this.read());
    this.writes = loaded.catch(() => undefined);
    return loaded;
  }

  /** Writes every config file that does not exist yet, so the whole layout is on disk for people to read. */
  async materialize(): Promise<void> {
    for (const file of [...this.missing]) {
      await this.update(file, async (current) => ({ next: current, result: undefined }));
    }
  }

  /**
   * Where config may change behind our back (other isolates or nodes sharing the store), starts a
   * background re-read once the snapshot is older than `refreshMs`; requests meanwhile
   * go on with the snapshot they have.
   */
  refreshIfStale(waitUntil: (promise: Promise<unknown>) => void): void {
    const { refreshMs } = this.options;
    if (refreshMs === undefined || this.queuedRefresh) return;
    // Counted from the last attempt too: while the store fails, it is asked once a period, not once a request.
    if (this.options.now() - Math.max(this.loadedAt, this.refreshStartedAt) < refreshMs) return;
    waitUntil(this.refresh());
  }

  /** How long re-reading the config has been failing, in ms (0 while it succeeds). */
  failingFor(now: number): number {
    return this.failingSince === undefined ? 0 : now - this.failingSince;
  }

  /**
   * Re-reads the config from the store, after the loads and writes queued before it (a re-read that
   * overlapped a write could install what it read before that write, undoing it in memory until the
   * next refresh). A refresh that has not begun yet is shared. Never rejects: when the store cannot
   * be read, the config in memory stays, and the failure is logged once until a refresh succeeds.
   */
  refresh(): Promise<void> {
    if (this.queuedRefresh) return this.queuedRefresh;
    const refresh = this.writes.then(async () => {
      // From here on a new notice queues a new refresh: this one may read too early for it.
      this.queuedRefresh = undefined;
      this.refreshStartedAt = this.options.now();
      try {
        await this.read();
        if (this.refreshFailing) this.options.logger.info('config refresh works again');
        this.refreshFailing = false;
        this.failingSince = undefined;
      } catch (error) {
        if (!this.refreshFailing) this.options.logger.error('config refresh failed: serving the config in memory until the store answers', { error: String(error) });
        this.refreshFailing = true;
        this.failingSince ??= this.refreshStartedAt;
      }
    });
    this.queuedRefresh = refresh;
    this.writes = refresh;
    return refresh;
  }

  /**
   * Replaces one config file with what `change` returns, one change at a time. `change`
   * may throw to refuse (nothing is written then); its result is validated before it
   * is stored. With `changes` (other gateways write too), the change runs under their lock, on
   * the config re-read from the store, and is announced once stored.
   */
  update<F extends ConfigFile, R = void>(
    file: F,
    change: (current: ConfigSnapshot[F], snapshot: ConfigSnapshot) => Promise<{ next: ConfigSnapshot[F]; result: R }>,
  ): Promise<R> {
    const apply = async (): Promise<R> => {
      const { next, result } = await change(structuredClone(this.current[file]), this.current);
      const valid = FILES[file].schema.parse(next) as ConfigSnapshot[F];
      await unavailableIfFails(this.store.put(FILES[file].key, `${JSON.stringify(valid, null, 2)}\n`));
      this.missing.delete(file);
      await this.install({ ...this.current, [file]: valid });
      return result;
    };
    const { changes, logger } = this.options;
    const run = !changes
      ? apply
      : () => {
          let entered = false;
          const exclusive = changes.exclusive(async () => {
            entered = true;
            // Another node's change may not have reached this memory yet: change what is stored.
            await unavailableIfFails(this.read());
            const result = await apply();
            // Stored already: a lost notice only delays the others until their periodic re-read.
            await changes.publish().catch((error: unknown) => logger.warn('config change stored, but other nodes could not be told', { file, error: String(error) }));
            return result;
          });
          // The lock could not be taken (the store shared with the other nodes is out of reach).
          return exclusive.catch((error: unknown) => {
            throw entered ? error : storeUnavailable(error);
          });
        };
    const done = this.writes.then(run, run);
    this.writes = done.catch(() => undefined);
    return done;
  }

  /** Reads every file and installs the snapshot they make; rejects, changing nothing, on any failure. */
  private async read(): Promise<void> {
    const entries = await Promise.all(
      (Object.keys(FILES) as ConfigFile[]).map(async (file) => [file, await this.readFile(file)] as const),
    );
    const snapshot = Object.fromEntries(entries.map(([file, content]) => [file, content ?? FILES[file].empty()]));
    await this.install(snapshot as unknown as ConfigSnapshot);
    this.missing = new Set(entries.filter(([, content]) => content === null).map(([file]) => file));
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

/** A store that cannot be read or written makes a config change a 503, not an unexplained 500. */
function storeUnavailable(error: unknown): unknown {
  if (error instanceof GatewayError || error instanceof ConfigError) return error;
  return new GatewayError('not_ready', 'the config store cannot be changed right now: try again shortly', { headers: { 'retry-after': '1' } });
}

async function unavailableIfFails<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw storeUnavailable(error);
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
