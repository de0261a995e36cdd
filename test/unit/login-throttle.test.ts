import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors.js';
import { clientAddressKey, LoginThrottle, UNKNOWN_ADDRESS } from '../../src/management/login-throttle.js';

const A = '203.0.113.1';
const B = '198.51.100.7';

/** The 429 `begin` throws, or undefined when it let the attempt through (and settled it as `outcome`). */
function tryLogin(throttle: LoginThrottle, account: string, address: string, outcome: 'failed' | 'succeeded' = 'failed'): GatewayError | undefined {
  try {
    throttle.begin(account, address)[outcome]();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(429);
    return error as GatewayError;
  }
}

describe('LoginThrottle: per account and address', () => {
  it('allows five failures, then locks with a doubling wait, and a success clears it', () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now);
    for (let i = 0; i < 5; i++) expect(tryLogin(throttle, 'a@x', A)).toBeUndefined();
    const locked = tryLogin(throttle, 'a@x', A);
    expect(locked?.message).toMatch(/this account/);
    expect(locked?.options.headers?.['retry-after']).toBe('30');
    expect(tryLogin(throttle, 'b@x', A)).toBeUndefined();
    now += 30_000;
    expect(tryLogin(throttle, 'a@x', A)).toBeUndefined();
    expect(tryLogin(throttle, 'a@x', A)?.options.headers?.['retry-after']).toBe('60');
    now += 59_999;
    expect(tryLogin(throttle, 'a@x', A)).toBeDefined();
    now += 1;
    expect(tryLogin(throttle, 'a@x', A, 'succeeded')).toBeUndefined();
    for (let i = 0; i < 5; i++) expect(tryLogin(throttle, 'a@x', A)).toBeUndefined();
  });

  it('caps the lockout at 15 minutes', () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now, { addressBurst: 1000 });
    for (let i = 0; i < 30; i++) {
      now += 15 * 60_000;
      expect(tryLogin(throttle, 'a@x', A)).toBeUndefined();
    }
    expect(tryLogin(throttle, 'a@x', A)?.options.headers?.['retry-after']).toBe('900');
    now += 15 * 60_000 - 1;
    expect(tryLogin(throttle, 'a@x', A)).toBeDefined();
    now += 1;
    expect(tryLogin(throttle, 'a@x', A)).toBeUndefined();
  });

  it('does not lock the owner out at another address while one address is locked out of the account', () => {
    const throttle = new LoginThrottle(() => 0);
    for (let i = 0; i < 50; i++) tryLogin(throttle, 'owner@x', A);
    expect(tryLogin(throttle, 'owner@x', A)).toBeDefined();
    // The owner, elsewhere: a wrong password or two, then the right one.
    expect(tryLogin(throttle, 'owner@x', B)).toBeUndefined();
    expect(tryLogin(throttle, 'owner@x', B, 'succeeded')).toBeUndefined();
    // And A is still locked: B's success clears only B's record.
    expect(tryLogin(throttle, 'owner@x', A)).toBeDefined();
  });

  it('counts an attempt when it begins, so concurrent guesses cannot pass the limit', () => {
    const throttle = new LoginThrottle(() => 0);
    const pending = Array.from({ length: 5 }, () => throttle.begin('a@x', A));
    expect(() => throttle.begin('a@x', A)).toThrow(GatewayError);
    for (const attempt of pending) attempt.failed();
    expect(() => throttle.begin('a@x', A)).toThrow(GatewayError);
  });

  it('gives an abandoned attempt back (its password was never checked)', () => {
    const throttle = new LoginThrottle(() => 0, { addressBurst: 5 });
    for (let i = 0; i < 4; i++) tryLogin(throttle, 'a@x', A);
    for (let i = 0; i < 10; i++) throttle.begin('a@x', A).abandoned();
    expect(tryLogin(throttle, 'a@x', A)).toBeUndefined();
    expect(tryLogin(throttle, 'a@x', A)).toBeDefined();
  });

  it('settles an attempt only once', () => {
    const throttle = new LoginThrottle(() => 0);
    for (let i = 0; i < 4; i++) tryLogin(throttle, 'a@x', A);
    const attempt = throttle.begin('a@x', A);
    attempt.failed();
    attempt.abandoned();
    attempt.succeeded();
    expect(tryLogin(throttle, 'a@x', A)).toBeDefined();
  });
});

describe('LoginThrottle: per address across accounts', () => {
  it('stops an address spraying many emails, with retry-after, and lets it go on at the refill rate', () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now);
    for (let i = 0; i < 20; i++) expect(tryLogin(throttle, `user${i}@x`, A)).toBeUndefined();
    const refused = tryLogin(throttle, 'user20@x', A);
    expect(refused?.message).toMatch(/this address/);
    expect(refused?.options.headers?.['retry-after']).toBe('30');
    // Other addresses are not affected, not even for the same emails.
    expect(tryLogin(throttle, 'user20@x', B)).toBeUndefined();
    now += 29_999;
    expect(tryLogin(throttle, 'user21@x', A)?.options.headers?.['retry-after']).toBe('1');
    now += 1;
    expect(tryLogin(throttle, 'user21@x', A)).toBeUndefined();
    expect(tryLogin(throttle, 'user22@x', A)).toBeDefined();
    now += 20 * 30_000;
    for (let i = 0; i < 20; i++) expect(tryLogin(throttle, `again${i}@x`, A)).toBeUndefined();
    expect(tryLogin(throttle, 'again20@x', A)).toBeDefined();
  });

  it('does not count right passwords against the address (many users behind one NAT)', () => {
    const throttle = new LoginThrottle(() => 0);
    for (let i = 0; i < 100; i++) expect(tryLogin(throttle, `user${i}@x`, A, 'succeeded')).toBeUndefined();
    for (let i = 0; i < 20; i++) expect(tryLogin(throttle, `user${i}@x`, A)).toBeUndefined();
    expect(tryLogin(throttle, 'user99@x', A, 'succeeded')).toBeDefined();
  });

  it('without a client address, throttles per account only (the documented weaker mode)', () => {
    const throttle = new LoginThrottle(() => 0);
    for (let i = 0; i < 100; i++) expect(tryLogin(throttle, `user${i}@x`, UNKNOWN_ADDRESS)).toBeUndefined();
    for (let i = 0; i < 5; i++) tryLogin(throttle, 'owner@x', UNKNOWN_ADDRESS);
    expect(tryLogin(throttle, 'owner@x', UNKNOWN_ADDRESS)).toBeDefined();
    expect(throttle.tracked.addresses).toBe(0);
  });
});

describe('LoginThrottle: memory', () => {
  it('stays bounded under 100k random emails from random addresses', () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now, { maxTracked: 1000 });
    for (let i = 0; i < 100_000; i++) {
      const address = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      tryLogin(throttle, `${crypto.randomUUID()}@x`, address);
      tryLogin(throttle, `${crypto.randomUUID()}@x`, UNKNOWN_ADDRESS);
      now += 1;
    }
    expect(throttle.tracked.pairs).toBeLessThanOrEqual(1000);
    expect(throttle.tracked.addresses).toBeLessThanOrEqual(1000);
  });

  it('stays bounded under 100k random emails from one address, which are refused after its burst', () => {
    const throttle = new LoginThrottle(() => 0);
    let refused = 0;
    for (let i = 0; i < 100_000; i++) {
      try {
        throttle.begin(`${crypto.randomUUID()}@x`, A).failed();
      } catch {
        refused++;
      }
    }
    expect(refused).toBe(100_000 - 20);
    expect(throttle.tracked).toEqual({ pairs: 20, addresses: 1 });
  });

  it('forgets records once they are stale', () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now);
    for (let i = 0; i < 10; i++) tryLogin(throttle, `user${i}@x`, A);
    for (let i = 0; i < 10; i++) tryLogin(throttle, `user${i}@x`, `10.0.0.${i}`);
    expect(throttle.tracked).toEqual({ pairs: 20, addresses: 11 });
    now += 2 * 60 * 60_000;
    tryLogin(throttle, 'late@x', B);
    expect(throttle.tracked).toEqual({ pairs: 1, addresses: 1 });
  });
});

describe('clientAddressKey', () => {
  it.each([
    ['203.0.113.1', '203.0.113.1'],
    [' 203.0.113.1 ', '203.0.113.1'],
    ['203.0.113.1:51234', '203.0.113.1'],
    ['::ffff:203.0.113.1', '203.0.113.1'],
    ['::FFFF:cb00:7101', '203.0.113.1'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:ffff::1', '2001:db8:1:2::/64'],
    ['[2001:db8:1:2::1]:443', '2001:db8:1:2::/64'],
    ['2001:DB8::1', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['', UNKNOWN_ADDRESS],
    [undefined, UNKNOWN_ADDRESS],
    ['unknown', UNKNOWN_ADDRESS],
    ['evil-spoofed-name', UNKNOWN_ADDRESS],
    ['1.2.3.256', UNKNOWN_ADDRESS],
    ['1:2:3:4:5:6:7:8:9', UNKNOWN_ADDRESS],
    ['1::2::3', UNKNOWN_ADDRESS],
    ['1.2.3.4::', UNKNOWN_ADDRESS],
  ])('%s → %s', (raw, key) => {
    expect(clientAddressKey(raw)).toBe(key);
  });
});
