/**
 * In-memory Store: for tests and for running without persistence.
 * Strings are immutable, so keeping the caller's string is already a copy.
 */
import { assertValidKey, assertValidPrefix, type Store } from '../src/store.js';

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
  };
}
