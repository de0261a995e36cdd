import type { CounterEntry, Counters } from '../counters/port.js';
import type { Logger } from '../deps.js';
import { GatewayError } from '../errors.js';

/** The address of a client the gateway could not identify (see `clientAddressKey`). */
export const UNKNOWN_ADDRESS = 'unknown';

export interface LoginThrottleOptions {
  /** Wrong passwords one address may try for one account before it is locked out. Default 5. */
  freeAttempts?: number;
  /** The first lockout; each further failure doubles it. Default 30 s. */
  firstLockMs?: number;
  /** The longest lockout. Default 15 min. */
  maxLockMs?: number;
  /** Failed logins one address may make at once, across all accounts. Default 20. */
  addressBurst?: number;
  /**
   * After those, one more failed login per this many ms, on average. Failures are counted in
   * windows of `addressBurst × addressRefillMs` (see LoginThrottle). Default 30 s (120 an hour).
   */
  addressRefillMs?: number;
  /** An address's failures on an account are forgotten this long after its last lockout (or failure) ends. Default 1 h. */
  forgetAfterMs?: number;
}

/** What the throttle counts through, and where it reports a settling that did not go through. */
export interface LoginThrottleDeps {
  counters: Counters;
  now: () => number;
  logger?: Logger;
}

/** One login being checked: settle it exactly once (later calls do nothing). */
export interface LoginAttempt {
  /** The password was right: forget this pair's failures and give the address its attempt back. */
  succeeded(): Promise<void>;
  /** The password was wrong. It was counted when the attempt began, so this only settles it. */
  failed(): Promise<void>;
  /** The password was never checked (the hashing queue was full): take the attempt back. */
  abandoned(): Promise<void>;
}

/**
 * Rounds of read-then-reserve one attempt may take while other attempts on the same account
 * and address are counted between its read and its reserve. Each round lets at least one of
 * them through, and from the lockout on each one through locks the rest out, so a burst needs
 * about `freeAttempts` + 1 rounds; past this many the attempt is refused rather than retried.
 */
const MAX_ROUNDS = 10;

/**
 * Slows password guessing without letting a guesser lock out the account's owner.
 *
 * - Per account and client address together: after five wrong passwords from one address
 *   for one account, that address waits a lockout that doubles (30 s, 1 min, … up to 15 min)
 *   before its next attempt on that account. A right password clears it. The owner at
 *   another address is not affected.
 * - Per client address, across accounts: an address may fail 20 logins at once, and about
 *   120 an hour (one per 30 s) after that, so spraying one password over many emails is
 *   limited too. Failures are counted in fixed 10-minute windows (20 × 30 s), and the last
 *   10 minutes are estimated from this window's count plus the share of the previous one's
 *   that still falls in them (as Cloudflare's rate limiting counts): a burst of 20 waits
 *   until it has slid out (up to 10.5 minutes), steady guessing gets one failure every 30 s,
 *   and no stretch of time lets through more than 20 plus one per 30 s of it (the bound of
 *   the token bucket this replaced, which the unit tests check).
 *
 * Everything is counted through the Counters port, so the throttle holds wherever the counters
 * do: in one process with the in-memory driver, across every isolate and location on Workers
 * (one Durable Object). The keys, each with its window or expiry so that the counters forget
 * them and memory stays bounded by the logins of the last hour:
 *
 * - `login:failures:<address>|<account>`: failures counted, until `forgetAfterMs` after the last
 *   lockout (or failure) ends;
 * - `login:lock:<address>|<account>`: the end of the pair's last lockout (epoch ms); it expires then,
 *   or later when an earlier lockout set it a later expiry (so it is compared with now);
 * - `login:address:<address>:<window>`: the address's failures in one window of
 *   `addressBurst × addressRefillMs`, kept through the next window, which reads it.
 *
 * An attempt is counted when it begins, before its password is hashed, so concurrent guesses
 * cannot slip past a limit: it reads the pair's failures and lock, then reserves its failure
 * with the count it read as the limit (a compare-and-set), together with the lock that failure
 * brings (set the same way) and the address's share, all or nothing. An attempt counted on the
 * same pair in between makes the reserve refuse, and the attempt looks again. Settling adds
 * back what the attempt reserved, so it too is one atomic step of the counters.
 *
 * With no client address (`UNKNOWN_ADDRESS`: the runtime gave none), every client shares one
 * address. Then only the per-account lockout applies, and as before anyone can lock an
 * account; the per-address limit is skipped, since it would lock every account at once.
 */
export class LoginThrottle {
  private readonly freeAttempts: number;
  private readonly firstLockMs: number;
  private readonly maxLockMs: number;
  private readonly addressBurst: number;
  private readonly addressWindowMs: number;
  private readonly forgetAfterMs: number;

  constructor(
    private readonly deps: LoginThrottleDeps,
    options: LoginThrottleOptions = {},
  ) {
    this.freeAttempts = options.freeAttempts ?? 5;
    this.firstLockMs = options.firstLockMs ?? 30_000;
    this.maxLockMs = options.maxLockMs ?? 15 * 60_000;
    this.addressBurst = options.addressBurst ?? 20;
    this.addressWindowMs = this.addressBurst * (options.addressRefillMs ?? 30_000);
    this.forgetAfterMs = options.forgetAfterMs ?? 60 * 60_000;
  }

  /**
   * Throws 429 (with `retry-after`) while this address is locked out of this account or has
   * used up its failed logins; otherwise counts the attempt as a failure until it is settled.
   */
  async begin(account: string, address: string): Promise<LoginAttempt> {
    const { counters } = this.deps;
    const now = this.deps.now();
    const pair = `${address}|${account}`;
    const failuresKey = `login:failures:${pair}`;
    const lockKey = `login:lock:${pair}`;
    const window = address === UNKNOWN_ADDRESS ? undefined : this.addressWindow(address, now);

    for (let round = 0; round < MAX_ROUNDS; round++) {
      const [failures, lock, , previous] = await counters.read([failuresKey, lockKey, ...(window ? [window.key, window.previousKey] : [])], now);
      // A lock's value is its end: a lock that ended stays readable until its counter expires.
      if (lock! > now) throw lockedOut(lock! - now);

      const count = failures! + 1;
      const lockUntil = count >= this.freeAttempts ? now + this.lockMs(count) : undefined;
      // Both pair entries compare and set: their limits are the values just read plus this attempt, so
      // the reserve refuses if another attempt on this pair was counted, or set a lock, since the read.
      const charge: CounterEntry[] = [{ key: failuresKey, amount: 1, limit: count, expiresAt: (lockUntil ?? now) + this.forgetAfterMs }];
      if (lockUntil !== undefined) charge.push({ key: lockKey, amount: lockUntil - lock!, limit: lockUntil, expiresAt: lockUntil });
      if (window) charge.push({ key: window.key, amount: 1, limit: this.addressAllowance(previous!, window, now), expiresAt: window.expiresAt });

      const result = await counters.reserve(charge, now);
      if (result.ok) return this.attempt(charge, result.values[0]!);
      const refused = charge[result.refused!]!;
      const value = result.values[result.refused!]!;
      if (refused.key === lockKey && value > now) throw lockedOut(value - now);
      if (refused.key === window?.key) throw tooMany('too many failed logins from this address: try again later', this.addressWaitMs(value, previous!, window, now));
      // Another attempt on this pair was counted (or its lock moved) between the read and the reserve: look again.
    }
    throw tooMany('too many logins for this account at once: try again later', 1000);
  }

  /** Settling: a success takes back what this attempt and the failures before it counted; an abandoned attempt, its own part. */
  private attempt(charge: readonly CounterEntry[], failuresAfter: number): LoginAttempt {
    const [failures, ...rest] = charge;
    const giveBack = (entry: CounterEntry, amount = entry.amount): CounterEntry => ({ key: entry.key, amount: -amount, expiresAt: entry.expiresAt });
    let settled = false;
    const settle = async (entries: CounterEntry[]) => {
      if (settled) return;
      settled = true;
      if (entries.length === 0) return;
      try {
        await this.deps.counters.add(entries, this.deps.now());
      } catch (error) {
        // The attempt stays counted: the pair or address may stay limited a little longer, never less.
        this.deps.logger?.warn('login throttling could not settle an attempt', { error: String(error) });
      }
    };
    return {
      succeeded: () => settle([giveBack(failures!, failuresAfter), ...rest.map((entry) => giveBack(entry))]),
      failed: () => settle([]),
      abandoned: () => settle(charge.map((entry) => giveBack(entry))),
    };
  }

  /** The lockout after the `count`th failure: none for the free attempts, then doubling up to the cap. */
  private lockMs(count: number): number {
    if (count < this.freeAttempts) return 0;
    return Math.min(this.maxLockMs, this.firstLockMs * 2 ** Math.min(count - this.freeAttempts, 30));
  }

  /** The window of the per-address limit that holds `now`, and the one before it. */
  private addressWindow(address: string, now: number): AddressWindow {
    const index = Math.floor(now / this.addressWindowMs);
    return {
      key: `login:address:${address}:${index}`,
      previousKey: `login:address:${address}:${index - 1}`,
      start: index * this.addressWindowMs,
      // Read as the previous window all through the next one.
      expiresAt: (index + 2) * this.addressWindowMs,
    };
  }

  /** Failures this window may hold now: the burst, less the previous window's share of the last window-length. */
  private addressAllowance(previous: number, window: AddressWindow, now: number): number {
    return this.addressBurst - (previous * (window.start + this.addressWindowMs - now)) / this.addressWindowMs;
  }

  /** How long until an address refused with `current` failures in this window may fail once more. */
  private addressWaitMs(current: number, previous: number, window: AddressWindow, now: number): number {
    const length = this.addressWindowMs;
    const nextStart = window.start + length;
    if (current + 1 <= this.addressBurst) {
      // Refused for the previous window's share: wait until enough of it has slid out.
      return previous > 0 ? nextStart - ((this.addressBurst - current - 1) * length) / previous - now : 0;
    }
    // This window is full: in the next one it is the previous window, and slides out in turn.
    return Math.max(nextStart, nextStart + length - ((this.addressBurst - 1) * length) / current) - now;
  }
}

interface AddressWindow {
  key: string;
  previousKey: string;
  start: number;
  expiresAt: number;
}

function lockedOut(waitMs: number): GatewayError {
  return tooMany('too many failed logins for this account: try again later', waitMs);
}

function tooMany(message: string, waitMs: number): GatewayError {
  return new GatewayError('rate_limited', message, { headers: { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) } });
}

/**
 * The key the throttle counts a client address under: IPv4 as is (also when IPv4-mapped or
 * with a port), IPv6 by its /64 (one subscriber usually holds a whole /64, so counting single
 * IPv6 addresses would hand each attacker 2^64 fresh ones). Anything that is not an IP
 * address is `UNKNOWN_ADDRESS`: a value a client could vary freely must not buy it fresh
 * (account, address) pairs, so it falls back to per-account throttling.
 */
export function clientAddressKey(raw: string | undefined | null): string {
  if (!raw) return UNKNOWN_ADDRESS;
  let text = raw.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) text = bracketed[1]!;
  const v4WithPort = /^([\d.]+):\d+$/.exec(text);
  if (v4WithPort) text = v4WithPort[1]!;
  const v4 = ipv4(text);
  if (v4) return v4;
  const groups = ipv6Groups(text.replace(/%.*$/, ''));
  if (!groups) return UNKNOWN_ADDRESS;
  // ::ffff:a.b.c.d is an IPv4 client on a dual-stack socket.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

function ipv4(text: string): string | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.map(Number).join('.');
}

/** The eight 16-bit groups of an IPv6 address, or undefined when `text` is not one. */
function ipv6Groups(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  // A dotted IPv4 tail may only end the address.
  const parse = (half: string, mayEndInIpv4: boolean): number[] | undefined => {
    if (half === '') return [];
    const groups: number[] = [];
    const pieces = half.split(':');
    for (const [i, piece] of pieces.entries()) {
      if (mayEndInIpv4 && i === pieces.length - 1 && piece.includes('.')) {
        const v4 = ipv4(piece);
        if (!v4) return undefined;
        const [a, b, c, d] = v4.split('.').map(Number) as [number, number, number, number];
        groups.push((a << 8) | b, (c << 8) | d);
      } else if (/^[0-9a-f]{1,4}$/.test(piece)) {
        groups.push(parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return groups;
  };
  const head = parse(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? parse(halves[1]!, true) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return undefined;
  return [...head, ...Array<number>(missing).fill(0), ...tail];
}
