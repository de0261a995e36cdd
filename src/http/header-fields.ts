/**
 * The headers of a request the gateway sends upstream. WHATWG Headers validate, lower-case and
 * sort on every operation, and on Node each instance costs several objects; the gateway builds
 * one per call from names it controls (configured header names are validated when saved) only
 * to hand them to node:http, which validates them itself. So providers build a HeaderFields:
 * a plain record of lower-case names, with the part of the Headers API they use.
 */

/**
 * What the gateway reads of a client's request headers: a value by lower-case name, repeated
 * fields joined with ", " (as Headers.get gives them). WHATWG Headers is one; on Node the
 * adapter gives a view of node:http's raw headers instead (RequestContext.headers), since
 * @hono/node-server builds a WHATWG Headers of every field for the first one asked.
 */
export interface HeaderReader {
  get(name: string): string | null;
}

/** What the gateway reads and writes of a request's headers: WHATWG Headers and HeaderFields both are one. */
export interface HeaderMap extends HeaderReader {
  set(name: string, value: string): void;
  has(name: string): boolean;
  delete(name: string): void;
  forEach(callback: (value: string, name: string) => void): void;
}

export class HeaderFields implements HeaderMap {
  /** Lower-case name to value; no prototype, so a header named `constructor` is only a header. */
  readonly record: Record<string, string> = Object.create(null) as Record<string, string>;

  constructor(init?: Readonly<Record<string, string>>) {
    if (init) for (const name of Object.keys(init)) this.record[name.toLowerCase()] = init[name]!;
  }

  get(name: string): string | null {
    return this.record[name.toLowerCase()] ?? null;
  }

  set(name: string, value: string): void {
    this.record[name.toLowerCase()] = value;
  }

  has(name: string): boolean {
    return this.record[name.toLowerCase()] !== undefined;
  }

  delete(name: string): void {
    delete this.record[name.toLowerCase()];
  }

  forEach(callback: (value: string, name: string) => void): void {
    for (const name of Object.keys(this.record)) callback(this.record[name]!, name);
  }
}

/** `headers` as a fetch init takes them (spelled out rather than the DOM's HeadersInit, which an app compiled with Node's types alone lacks). */
export function headersInit(headers: HeaderMap): Headers | Record<string, string> {
  if (headers instanceof HeaderFields) return { ...headers.record };
  if (headers instanceof Headers) return headers;
  const record: Record<string, string> = {};
  headers.forEach((value, name) => (record[name] = value));
  return record;
}
