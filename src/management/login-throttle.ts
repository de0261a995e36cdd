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
  /** Failed logins one address may make, across all accounts, before it must wait. Default 20. */
  addressBurst?: number;
  /** After the burst, one more failed login per this many ms for that address. Default 30 s (120 an hour). */
  addressRefillMs?: number;
  /** A failure record is forgotten this long after its lockout (or its last attempt) ends. Default 1 h. */
  forgetAfterMs?: number;
  /** Most records kept per table (address-account pairs, and addresses); the least recent go first. Default 10,000. */
  maxTracked?: number;
}

/** One login being checked: settle it exactly once. */
export interface LoginAttempt {
  /** The password was right: forget this pair's failures and give the address its attempt back. */
  succeeded(): void;
  /** The password was wrong. It was counted when the attempt began, so this only settles it. */
  failed(): void;
  /** The password was never checked (the hashing queue was full): take the attempt back. */
  abandoned(): void;
}

interface PairRecord {
  count: number;
  lockedUntil: number;
  touchedAt: number;
}

interface AddressRecord {
  /** Failed logins the address may still make, as of `at`; refills continuously up to the burst. */
  tokens: number;
  at: number;
}

/**
 * A Map that keeps at most `max` entries in least-recently-written order. Each write first
 * drops stale entries from the old end (amortised O(1): an entry is dropped once), then
 * the oldest entries while over the cap, so no sequence of keys grows it without bound.
 */
class BoundedTable<V> {
  private readonly entries = new Map<string, V>();

  constructor(
    private readonly max: number,
    private readonly isStale: (value: V, now: number) => boolean,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string, now: number): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined && this.isStale(value, now)) {
      this.entries.delete(key);
      return undefined;
    }
    return value;
  }

  set(key: string, value: V, now: number): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    for (const [oldKey, oldValue] of this.entries) {
      if (this.entries.size <= this.max && !this.isStale(oldValue, now)) break;
      this.entries.delete(oldKey);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

/**
 * Slows password guessing without letting a guesser lock out the account's owner.
 *
 * - Per account and client address together: after five wrong passwords from one address
 *   for one account, that address waits a lockout that doubles (30 s, 1 min, … up to 15 min)
 *   before its next attempt on that account. A right password clears it. The owner at
 *   another address is not affected.
 * - Per client address, across accounts: an address may fail 20 logins at once, then one
 *   more every 30 s, so spraying one password over many emails is limited too.
 *
 * An attempt is counted when it begins, not when its hash is done, so concurrent guesses
 * cannot slip past a limit. Both tables are capped and forget old records, so random
 * emails or addresses cannot grow memory without bound. Kept in memory: per process (per
 * isolate on Workers), a brake rather than an audit log.
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
  private readonly addressRefillMs: number;
  private readonly pairs: BoundedTable<PairRecord>;
  private readonly addresses: BoundedTable<AddressRecord>;

  constructor(
    private readonly now: () => number,
    options: LoginThrottleOptions = {},
  ) {
    this.freeAttempts = options.freeAttempts ?? 5;
    this.firstLockMs = options.firstLockMs ?? 30_000;
    this.maxLockMs = options.maxLockMs ?? 15 * 60_000;
    this.addressBurst = options.addressBurst ?? 20;
    this.addressRefillMs = options.addressRefillMs ?? 30_000;
    const forgetAfterMs = options.forgetAfterMs ?? 60 * 60_000;
    const maxTracked = options.maxTracked ?? 10_000;
    this.pairs = new BoundedTable(maxTracked, (record, now) => now >= Math.max(record.lockedUntil, record.touchedAt) + forgetAfterMs);
    // A bucket that has refilled is the same as no bucket.
    this.addresses = new BoundedTable(maxTracked, (record, now) => this.tokensAt(record, now) >= this.addressBurst);
  }

  /** Records held, for tests and metrics. */
  get tracked(): { pairs: number; addresses: number } {
    return { pairs: this.pairs.size, addresses: this.addresses.size };
  }

  /**
   * Throws 429 (with `retry-after`) while this address is locked out of this account or has
   * used up its failed logins; otherwise counts the attempt as a failure until it is settled.
   */
  begin(account: string, address: string): LoginAttempt {
    const now = this.now();
    const pairKey = `${address}|${account}`;
    const pair = this.pairs.get(pairKey, now);
    if (pair && pair.lockedUntil > now) {
      throw tooMany('too many failed logins for this account: try again later', pair.lockedUntil - now);
    }
    const perAddress = address !== UNKNOWN_ADDRESS;
    const bucket = perAddress ? this.addresses.get(address, now) : undefined;
    const tokens = bucket ? this.tokensAt(bucket, now) : this.addressBurst;
    if (perAddress && tokens < 1) {
      throw tooMany('too many failed logins from this address: try again later', (1 - tokens) * this.addressRefillMs);
    }

    const before = pair && { count: pair.count, lockedUntil: pair.lockedUntil };
    const count = (pair?.count ?? 0) + 1;
    const charged: PairRecord = { count, lockedUntil: now + this.lockMs(count), touchedAt: now };
    this.pairs.set(pairKey, charged, now);
    if (perAddress) this.addresses.set(address, { tokens: tokens - 1, at: now }, now);

    let settled = false;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      action();
    };
    const refundAddress = () => {
      if (!perAddress) return;
      const at = this.now();
      const current = this.addresses.get(address, at);
      if (current) this.addresses.set(address, { tokens: Math.min(this.addressBurst, this.tokensAt(current, at) + 1), at }, at);
    };
    return {
      succeeded: () =>
        settle(() => {
          this.pairs.delete(pairKey);
          refundAddress();
        }),
      failed: () => settle(() => undefined),
      abandoned: () =>
        settle(() => {
          const at = this.now();
          const current = this.pairs.get(pairKey, at);
          if (current === charged) {
            // Nothing counted since: put the record back as it was.
            if (before) this.pairs.set(pairKey, { ...before, touchedAt: at }, at);
            else this.pairs.delete(pairKey);
          } else if (current) {
            current.count = Math.max(0, current.count - 1);
          }
          refundAddress();
        }),
    };
  }

  /** The lockout after the `count`th failure: none for the free attempts, then doubling up to the cap. */
  private lockMs(count: number): number {
    if (count < this.freeAttempts) return 0;
    return Math.min(this.maxLockMs, this.firstLockMs * 2 ** Math.min(count - this.freeAttempts, 30));
  }

  private tokensAt(record: AddressRecord, now: number): number {
    return Math.min(this.addressBurst, record.tokens + Math.max(0, now - record.at) / this.addressRefillMs);
  }
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
