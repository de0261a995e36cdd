// JSON between the Node-side counters test and its test worker, with one addition: numbers JSON
// cannot spell (NaN, ±Infinity) travel as {"$number": "NaN"}, so that the conformance suite's
// malformed arguments reach the Durable Object driver as they were written, not as null.

const TAG = '$number';

export function encode(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { [TAG]: String(v) } : v));
}

export function decode<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (typeof v === 'object' && v !== null && Object.keys(v).length === 1 && TAG in v) return Number((v as Record<string, string>)[TAG]);
    return v;
  }) as T;
}

/** What the test worker answers: the operation's result, or the error it threw. */
export type WireAnswer<T> = { result: T } | { error: { name: string; message: string } };
