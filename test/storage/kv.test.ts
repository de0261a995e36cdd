/**
 * Runs the conformance suite against a real Workers KV namespace, simulated by miniflare
 * (which boots workerd), both as-is and with list pages cut to 3 keys so cursors get exercised.
 */
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKvStore, type KVNamespaceLike } from '../../storage/kv.js';
import { collect, describeStoreConformance } from './conformance.js';

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
    put: (key, value, options) => inner.put(key, value, options),
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

describe('kv driver readLines', () => {
  /** The namespace, counting the values read. */
  function countingReads(inner: KVNamespaceLike) {
    const reads: string[] = [];
    const counted: KVNamespaceLike = {
      get: (key, type) => {
        reads.push(key);
        return inner.get(key, type);
      },
      put: (key, value, options) => inner.put(key, value, options),
      delete: (key) => inner.delete(key),
      list: (options) => inner.list(options),
    };
    return { kv: counted, reads };
  }

  it('writes each piece with its count of line breaks', async () => {
    await emptyNamespace();
    const store = createKvStore(kv);
    await store.append('data/log.jsonl', 'a\nb\n');
    await store.append('data/log.jsonl', 'no break');
    const { keys } = await kv.list({ prefix: 'data/log.jsonl~' });
    expect(keys.map(({ metadata }) => metadata)).toEqual([{ newlines: 2, endsWithNewline: true }, { newlines: 0, endsWithNewline: false }]);
  });

  it('skips whole pieces by their metadata without reading them, across list pages', async () => {
    await emptyNamespace();
    for (let i = 0; i < 10; i++) await createKvStore(kv).append('data/log.jsonl', `${2 * i}\n${2 * i + 1}\n`);
    const { kv: counted, reads } = countingReads(withSmallPages(kv, 3));
    expect(await collect(createKvStore(counted).readLines('data/log.jsonl', { fromLine: 15 }))).toEqual(['15', '16', '17', '18', '19']);
    // The document, then only the pieces that hold line 15 and after.
    expect(reads).toHaveLength(1 + 3);
    reads.length = 0;
    expect(await collect(createKvStore(counted).readLines('data/log.jsonl', { fromLine: 16 }))).toEqual(['16', '17', '18', '19']);
    expect(reads).toHaveLength(1 + 2);
    reads.length = 0;
    expect(await collect(createKvStore(counted).readLines('data/log.jsonl', { fromLine: 20 }))).toEqual([]);
    expect(reads).toHaveLength(1);
  });

  it('reads pieces without metadata (older or foreign writers) to count their lines', async () => {
    await emptyNamespace();
    const store = createKvStore(kv);
    await store.append('data/log.jsonl', '0\n1\n');
    const [{ name }] = (await kv.list({ prefix: 'data/log.jsonl~' })).keys as [{ name: string }];
    await kv.put(name, '0\n1\n'); // the same piece, without metadata
    await kv.put(`${name.slice(0, -1)}${name.at(-1) === 'f' ? 'e' : 'f'}`, 'x'); // stray metadata-less piece
    await store.append('data/log.jsonl', '\n2\n3\n');
    await kv.put(`data/log.jsonl~${'9'.repeat(16)}00000000`, '4\n5', { metadata: { newlines: 'many' } });
    await kv.put(`data/log.jsonl~${'9'.repeat(16)}00000001`, '\n6', { metadata: { newlines: 1 } });
    const all = await collect(store.readLines('data/log.jsonl'));
    for (let fromLine = 0; fromLine <= all.length; fromLine++) {
      expect(await collect(store.readLines('data/log.jsonl', { fromLine }))).toEqual(all.slice(fromLine));
    }
    expect(all.slice(-3)).toEqual(['4', '5', '6']);
  });
});
