import { describe, expect, it } from 'vitest';
import { ConfigState } from '../../src/config/state.js';
import { deriveKeys } from '../../src/crypto/keys.js';
import type { Store } from '../../src/store.js';
import { createMemoryStore } from '../../storage/memory.js';

const logger = { info() {}, warn() {}, error() {} };

/** A store whose reads can be held, to interleave a refresh with a write. */
function gatedStore(): Store & { hold(): () => void } {
  const inner = createMemoryStore();
  let gate: Promise<void> | undefined;
  return {
    ...inner,
    async get(key) {
      const value = await inner.get(key);
      await gate;
      return value;
    },
    hold() {
      let release!: () => void;
      gate = new Promise((resolve) => (release = resolve));
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

describe('ConfigState', () => {
  it('never lets a background refresh undo a write made while it was reading', async () => {
    const store = gatedStore();
    let now = 0;
    const { encryption } = await deriveKeys('k'.repeat(40));
    const state = new ConfigState(store, encryption, { now: () => now, refreshMs: 1000, logger });
    await state.load();
    now = 5000;
    const release = store.hold();
    const background: Promise<unknown>[] = [];
    state.refreshIfStale((p) => background.push(p));
    const write = state.update('settings', async () => ({ next: { defaultTimeouts: { idleMs: 1234 } }, result: undefined }));
    release();
    await Promise.all([write, ...background]);
    expect(state.snapshot.settings).toEqual({ defaultTimeouts: { idleMs: 1234 } });
    expect(state.index.models.size).toBe(0);
  });

  it('refuses to load a config file that is not valid JSON or not the right shape', async () => {
    const { encryption } = await deriveKeys('k'.repeat(40));
    for (const text of ['{ torn', '[{"id": 1}]']) {
      const store = createMemoryStore();
      await store.put('config/models.json', text);
      await expect(new ConfigState(store, encryption, { now: Date.now, logger }).load()).rejects.toThrow(/config\/models\.json/);
    }
  });

  it('writes nothing when a change is refused', async () => {
    const store = createMemoryStore();
    const { encryption } = await deriveKeys('k'.repeat(40));
    const state = new ConfigState(store, encryption, { now: Date.now, logger });
    await state.load();
    await expect(state.update('projects', async () => { throw new Error('no'); })).rejects.toThrow('no');
    expect(await store.get('config/projects.json')).toBeNull();
    // The queue survives a refused change.
    await state.update('settings', async () => ({ next: {}, result: undefined }));
    expect(await store.get('config/settings.json')).toBe('{}\n');
  });
});
