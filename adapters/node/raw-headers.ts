import type { HeaderReader } from '../../src/index.js';

/**
 * A request's headers read straight from node:http's raw fields (RequestContext.headers): the
 * value of a name, repeated fields joined with ", " as Headers.get joins them. A call reads a
 * handful of names; scanning a few dozen strings for each costs less than the WHATWG Headers
 * that @hono/node-server would build of every field (validated, lower-cased and sorted), and
 * than node:http's own `headers` object, which drops some repeated fields instead of joining them.
 */
export class RawHeaders implements HeaderReader {
  /** `rawHeaders`: names and values in turn, as received. */
  constructor(private readonly raw: readonly string[]) {}

  get(name: string): string | null {
    const wanted = name.toLowerCase();
    const raw = this.raw;
    let value: string | null = null;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const field = raw[i]!;
      // Names are compared without case; a name of another length cannot match.
      if (field.length !== wanted.length || field.toLowerCase() !== wanted) continue;
      value = value === null ? raw[i + 1]! : `${value}, ${raw[i + 1]!}`;
    }
    return value;
  }
}
