/**
 * ConfigState with other gateways writing the same store (GatewayDeps.configChanges): their notices
 * refresh it at once, its own changes are made on what is stored (under their lock) and announced,
 * and a store that fails keeps the config in memory, said once.
 */
import { describe, expect, it } from 'vitest';
import { ConfigState } from '../../src/config/state.js';
import { createGateway } from '../../src/gateway.js';
import { GatewayError } from '../../src/errors.js';
import { deriveKeys } from '../../src/crypto/keys.js';
import type { ConfigChanges } from '../../src/deps.js';
import type { Store } from '../../src/store.js';
import { createMemoryStore } from '../../storage/memory.js';

/** Notices between the ConfigStates of one test, as Redis pub/sub carries them between nodes; one lock for all. */
function changesHub() {
  const listeners = new Map<string, () => void>();
  let lock: Promise<unknown> = Promise.resolve();
  const published: string[] = [];
  return {
    published,
    node(name: string): ConfigChanges {
      return {
        exclusive<T>(write: () => Promise<T>): Promise<T> {
          const run = lock.then(write, write);
          lock = run.catch(() => undefined);
          return run;
        },
        async publish() {
          published.push(name);
          for (const [other, listener] of listeners) if (other !== name) listener();
        },
        subscribe(onChange) {
          listeners.set(name, onChange);
        },
      };
    },
  };
}

function recordingLogger() {
  const lines: string[] = [];
  const log = (level: string) => (message: string) => lines.push(`${level}: ${message}`);
  return { lines, logger: { info: log('info'), warn: log('warn'), error: log('error') } };
}

/** A store that can be made to fail every read, as a Redis out of reach does. */
function breakableStore(): Store & { broken: boolean; reads: number } {
  const inner = createMemoryStore();
  const store = {
    ...inner,
    broken: false,
    reads: 0,
    async get(key: string) {
      store.reads++;
      if (store.broken) throw new Error('Stream isn’t writeable and enableOfflineQueue options is false');
      return inner.get(key);
    },
  };
  return store;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));
const addProject = (state: ConfigState, id: string) =>
  state.update('projects', async (projects) => ({ next: [...projects, { id, name: id, models: [], tokens: [], createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' }], result: undefined }));

describe('ConfigState shared with other gateways', () => {
  it('takes another node’s change as soon as it is announced, without waiting for a request or a period', async () => {
    const store = createMemoryStore();
    const hub = changesHub();
    const { encryption } = await deriveKeys('k'.repeat(40));
    const a = new ConfigState(store, encryption, { now: () => 0, logger: recordingLogger().logger, changes: hub.node('a') });
    const b = new ConfigState(store, encryption, { now: () => 0, logger: recordingLogger().logger, changes: hub.node('b') });
    await Promise.all([a.load(), b.load()]);
    await addProject(a, 'prj_1');
    expect(hub.published).toEqual(['a']);
    await settle();
    expect([...b.index.projects.keys()]).toEqual(['prj_1']);
  });

  it('makes each change on what is stored: two nodes changing one file at once both keep their change', async () => {
    const store = createMemoryStore();
    const hub = changesHub();
    const { encryption } = await deriveKeys('k'.repeat(40));
    // No notices reach b's memory in time (its subscription is elsewhere): only the re-read under the lock saves a's change.
    const silentHub = changesHub();
    const a = new ConfigState(store, encryption, { now: () => 0, logger: recordingLogger().logger, changes: hub.node('a') });
    const b = new ConfigState(store, encryption, { now: () => 0, logger: recordingLogger().logger, changes: { ...hub.node('b'), subscribe: silentHub.node('b').subscribe } });
    await Promise.all([a.load(), b.load()]);
    await addProject(a, 'prj_a');
    await addProject(b, 'prj_b');
    expect(JSON.parse((await store.get('config/projects.json'))!).map((p: { id: string }) => p.id)).toEqual(['prj_a', 'prj_b']);
  });

  it('keeps serving the last good config when the store fails, says so once, and asks again once a period', async () => {
    const store = breakableStore();
    const { lines, logger } = recordingLogger();
    let now = 0;
    const { encryption } = await deriveKeys('k'.repeat(40));
    const state = new ConfigState(store, encryption, { now: () => now, refreshMs: 1000, logger });
    await state.load();
    await addProject(state, 'prj_1');
    store.broken = true;
    const background: Promise<unknown>[] = [];
    const request = () => state.refreshIfStale((p) => background.push(p));
    now = 1500;
    for (let i = 0; i < 100; i++) request();
    await Promise.all(background);
    const readsAfterFirst = store.reads;
    now = 1600;
    for (let i = 0; i < 100; i++) request();
    await Promise.all(background);
    // Within the period after a failed attempt, no request asks the store again.
    expect(store.reads).toBe(readsAfterFirst);
    now = 2600;
    request();
    await Promise.all(background);
    expect(store.reads).toBeGreaterThan(readsAfterFirst);
    expect([...state.index.projects.keys()]).toEqual(['prj_1']);
    expect(lines.filter((line) => line.startsWith('error'))).toEqual(['error: config refresh failed: serving the config in memory until the store answers']);
    store.broken = false;
    now = 4000;
    request();
    await Promise.all(background);
    expect(lines.at(-1)).toBe('info: config refresh works again');
  });

  it('serves the config in memory for configMaxStaleMs once re-reading fails, then answers 503 (health too) until a re-read succeeds', async () => {
    const store = breakableStore();
    let now = 0;
    const gateway = createGateway({ store, secret: 's'.repeat(40), now: () => now, settings: { configRefreshMs: 1000, configMaxStaleMs: 5000 } });
    await gateway.ready();
    const background: Promise<unknown>[] = [];
    const get = async (path: string, init?: RequestInit) => {
      const response = await gateway.fetch(new Request(`http://gw${path}`, init), { waitUntil: (p) => background.push(p) });
      await Promise.all(background);
      return response;
    };
    const call = () => get('/v1/chat/completions', { method: 'POST', headers: { authorization: 'Bearer sk-nope', 'content-type': 'application/json' }, body: '{}' });
    expect((await get('/health')).status).toBe(200);
    store.broken = true;
    now = 2000;
    expect((await get('/health')).status).toBe(200);
    now = 6500;
    expect((await get('/health')).status).toBe(200);
    expect((await call()).status).toBe(401);
    now = 7100;
    const stale = await get('/health');
    expect(stale.status).toBe(503);
    expect(await stale.json()).toMatchObject({ status: 'stale' });
    const refused = await call();
    expect(refused.status).toBe(503);
    expect((await refused.json()) as unknown).toMatchObject({ error: { type: 'server_error' } });
    store.broken = false;
    now = 9000;
    // This request starts the re-read; once it has succeeded the node serves again.
    await get('/health');
    expect((await get('/health')).status).toBe(200);
    expect((await call()).status).toBe(401);
  });

  it('answers a config change the store cannot take with a 503, and one it refuses as before', async () => {
    const store = breakableStore();
    const { encryption } = await deriveKeys('k'.repeat(40));
    const state = new ConfigState(store, encryption, { now: () => 0, logger: recordingLogger().logger, changes: changesHub().node('a') });
    await state.load();
    store.broken = true;
    const error = await addProject(state, 'prj_1').catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(503);
    store.broken = false;
    const refused = await state.update('projects', () => Promise.reject(new GatewayError('conflict', 'taken'))).catch((thrown: unknown) => thrown);
    expect((refused as GatewayError).code).toBe('conflict');
  });

  it('refreshes once more when a notice comes while a refresh is already reading', async () => {
    const store = createMemoryStore();
    const hub = changesHub();
    const { encryption } = await deriveKeys('k'.repeat(40));
    const a = new ConfigState(store, encryption, { now: () => 0, logger: recordingLogger().logger, changes: hub.node('a') });
    const b = new ConfigState(store, encryption, { now: () => 0, logger: recordingLogger().logger });
    await Promise.all([a.load(), b.load()]);
    // a is told twice, the second time while the first refresh reads: the write in between must land.
    const first = a.refresh();
    await b.update('settings', async () => ({ next: { defaultTimeouts: { idleMs: 777 } }, result: undefined }));
    const second = a.refresh();
    expect(second).not.toBe(first);
    await Promise.all([first, second]);
    expect(a.snapshot.settings).toEqual({ defaultTimeouts: { idleMs: 777 } });
    // Notices that come before a queued refresh begins share it.
    expect(a.refresh()).toBe(a.refresh());
  });
});
