import { hostRefusal } from '../config/base-url.js';
import type { Logger } from '../deps.js';
import type { UpstreamSend } from '../http/upstream.js';

/** URLs judged so far, per setting: a URL's verdict does not change, and this runs on every upstream call. */
const CACHE_LIMIT = 1000;

/**
 * Wraps the outbound fetch so that no call goes to a cloud metadata endpoint (or, with the
 * `forbidPrivateAddresses` setting, to a loopback or private address) by the address written
 * in the URL, whatever the runtime. Model base URLs are checked when they are saved; this
 * also covers models stored before those rules, and settings changed since. Names that
 * resolve to such addresses are the adapter's to catch where it resolves them (Node's
 * outbound fetch checks every address at connect time).
 */
export function guardOutboundFetch(fetchFn: typeof fetch, forbidPrivate: () => boolean, logger: Logger): typeof fetch {
  const refusalOf = outboundRefusal(forbidPrivate, logger);
  return (input, init) => {
    const refused = refusalOf(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    return refused ? Promise.reject(refused) : fetchFn(input, init);
  };
}

/** The same rules for the upstream sender every proxied call goes through. */
export function guardUpstream(send: UpstreamSend, forbidPrivate: () => boolean, logger: Logger): UpstreamSend {
  const refusalOf = outboundRefusal(forbidPrivate, logger);
  return (request, control) => {
    const refused = refusalOf(request.url);
    return refused ? Promise.reject(refused) : send(request, control);
  };
}

/** The error a call to `url` is refused with (logged), or undefined when it may go. */
function outboundRefusal(forbidPrivate: () => boolean, logger: Logger): (url: string) => TypeError | undefined {
  // By the whole URL, not its host: a model's endpoint URL repeats on every call, and parsing it
  // each time cost a URL object per call.
  const verdicts = [new Map<string, string | null>(), new Map<string, string | null>()];
  return (url) => {
    const strict = forbidPrivate();
    const cache = verdicts[strict ? 1 : 0]!;
    let refusal = cache.get(url);
    if (refusal === undefined) {
      refusal = hostRefusal(hostOf(url), { forbidPrivateAddresses: strict }) ?? null;
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(url, refusal);
    }
    if (refusal === null) return undefined;
    logger.warn('outbound call refused', { host: hostOf(url), reason: refusal });
    return new TypeError(`outbound call refused: ${refusal}`);
  };
}

/** The host of an absolute URL as WHATWG URL normalises it (decimal, hex and octal IPv4 spellings included). */
function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}
