/**
 * In-memory Store: for tests and for running without persistence.
 * Strings are immutable, so keeping the caller's string is already a copy.
 */
import { assertValidKey, assertValidPrefix, fromLineOption, LineSplitter, type Store } from '../src/store.js';

export function createMemoryStore(): Store {
  const values = new Map<string, string>();

  return {
    async get(key) {
      assertValidKey(key);
      return values.get(key) ?? null;
    },

    async put(key, value) {
      assertValidKey(key);
      values.set(key, value);
    },

    async append(key, text) {
      assertValidKey(key);
      values.set(key, (values.get(key) ?? '') + text);
    },

    async delete(key) {
      assertValidKey(key);
      values.delete(key);
    },

    async list(prefix) {
      assertValidPrefix(prefix);
      return [...values.keys()].filter((key) => key.startsWith(prefix)).sort();
    },

    async *readLines(key, options) {
      assertValidKey(key);
      const lines = new LineSplitter(fromLineOption(options));
      // The text as it is now: later appends make a new string and do not disturb this read.
      const text = values.get(key);
      if (text === undefined) return;
      yield* lines.push(text);
      yield* lines.end();
    },
  };
}
