/**
 * Runs the conformance suite against a real Workers KV namespace, simulated by miniflare
 * (which boots workerd), both as-is and with list pages cut to 3 keys so cursors get exercised.
 */
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKvStore, type KVNamespaceLike } from '../../storage/kv.js';
import { describeStoreConformance } from './conformance.js';

let mf: Miniflare;
let kv: KVNamespaceLike;

beforeAll(async () => {
  mf = new Miniflare({
    modules: true,
    script: 'export default { fetch() { return new Response("ok") } }',
    kvNamespaces: ['KV'],
  });
  kv = await mf.getKVNamespace('KV');
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
});

/** Tests share one namespace, so each starts from an empty one. */
async function emptyNamespace(): Promise<void> {
  for (;;) {
    const page = await kv.list({ prefix: '' });
    if (page.keys.length === 0) return;
    await Promise.all(page.keys.map(({ name }) => kv.delete(name)));
  }
}

/** The same namespace, but `list` returns at most `pageSize` keys per call. */
function withSmallPages(inner: KVNamespaceLike, pageSize: number): KVNamespaceLike {
  return {
    get: (key, type) => inner.get(key, type),
    put: (key, value) => inner.put(key, value),
    delete: (key) => inner.delete(key),
    list: (options) => inner.list({ ...options, limit: Math.min(options.limit ?? pageSize, pageSize) }),
  };
}

describeStoreConformance('kv (miniflare)', async () => {
  await emptyNamespace();
  return { store: createKvStore(kv) };
});

describeStoreConformance('kv (miniflare, 3 keys per list page)', async () => {
  await emptyNamespace();
  return { store: createKvStore(withSmallPages(kv, 3)) };
});

describe('kv driver specifics', () => {
  it('stores each appended piece under its own entry, in append order', async () => {
    await emptyNamespace();
    const store = createKvStore(kv);
    for (let i = 0; i < 5; i++) await store.append('data/log.jsonl', `${i}\n`);
    const { keys } = await kv.list({ prefix: '' });
    const names = keys.map(({ name }) => name);
    expect(names).toHaveLength(5);
    for (const name of names) expect(name).toMatch(/^data\/log\.jsonl~\d{16}[0-9a-f]{8}$/);
    const values = await Promise.all(names.map((name) => kv.get(name, 'text')));
    expect(values).toEqual(['0\n', '1\n', '2\n', '3\n', '4\n']);
  });

  it('ignores entries in the namespace that are not valid store keys', async () => {
    await emptyNamespace();
    await kv.put('has space', 'foreign');
    await kv.put('ok.json', 'mine');
    expect(await createKvStore(kv).list('')).toEqual(['ok.json']);
  });

  it('refuses a log key too long to leave room for piece suffixes', async () => {
    await emptyNamespace();
    const store = createKvStore(kv);
    await expect(store.append('a'.repeat(500), 'x')).rejects.toThrow(/too long for a KV log/);
    await store.append('a'.repeat(487), 'x');
    expect(await store.get('a'.repeat(487))).toBe('x');
  });
});
