import { describe, expect, it } from 'vitest';
import { memoryCounters } from '../../src/counters/memory.js';
import type { Counters } from '../../src/counters/port.js';
import { GatewayError } from '../../src/errors.js';
import { clientAddressKey, LoginThrottle, UNKNOWN_ADDRESS, type LoginThrottleOptions } from '../../src/management/login-throttle.js';

const A = '203.0.113.1';
const B = '198.51.100.7';

/** A throttle over fresh in-memory counters, on a clock the test moves. */
function throttleAt(start = 0, options: LoginThrottleOptions = {}, counters = memoryCounters()) {
  const clock = { now: start };
  const throttle = new LoginThrottle({ counters, now: () => clock.now }, options);
  return { clock, throttle, counters };
}

/** The 429 `begin` throws, or undefined when it let the attempt through (and settled it as `outcome`). */
async function tryLogin(throttle: LoginThrottle, account: string, address: string, outcome: 'failed' | 'succeeded' = 'failed'): Promise<GatewayError | undefined> {
  try {
    await (await throttle.begin(account, address))[outcome]();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(429);
    return error as GatewayError;
  }
}

describe('LoginThrottle: per account and address', () => {
  it('allows five failures, then locks with a doubling wait, and a success clears it', async () => {
    const { clock, throttle } = throttleAt();
    for (let i = 0; i < 5; i++) expect(await tryLogin(throttle, 'a@x', A)).toBeUndefined();
    const locked = await tryLogin(throttle, 'a@x', A);
    expect(locked?.message).toMatch(/this account/);
    expect(locked?.options.headers?.['retry-after']).toBe('30');
    expect(await tryLogin(throttle, 'b@x', A)).toBeUndefined();
    clock.now += 30_000;
    expect(await tryLogin(throttle, 'a@x', A)).toBeUndefined();
    expect((await tryLogin(throttle, 'a@x', A))?.options.headers?.['retry-after']).toBe('60');
    clock.now += 59_999;
    expect(await tryLogin(throttle, 'a@x', A)).toBeDefined();
    clock.now += 1;
    expect(await tryLogin(throttle, 'a@x', A, 'succeeded')).toBeUndefined();
    for (let i = 0; i < 5; i++) expect(await tryLogin(throttle, 'a@x', A)).toBeUndefined();
    expect((await tryLogin(throttle, 'a@x', A))?.options.headers?.['retry-after']).toBe('30');
  });

  it('caps the lockout at 15 minutes', async () => {
    const { clock, throttle } = throttleAt(0, { addressBurst: 1000 });
    for (let i = 0; i < 30; i++) {
      clock.now += 15 * 60_000;
      expect(await tryLogin(throttle, 'a@x', A)).toBeUndefined();
    }
    expect((await tryLogin(throttle, 'a@x', A))?.options.headers?.['retry-after']).toBe('900');
    clock.now += 15 * 60_000 - 1;
    expect(await tryLogin(throttle, 'a@x', A)).toBeDefined();
    clock.now += 1;
    expect(await tryLogin(throttle, 'a@x', A)).toBeUndefined();
  });

  it('locks again after a success whose own lockout outlasts the next ones', async () => {
    // A success on the 12th attempt set (and took back) a 15-minute lock; the next lockouts are shorter.
    const { clock, throttle } = throttleAt(0, { addressBurst: 1000 });
    for (let i = 0; i < 11; i++) {
      clock.now += 15 * 60_000;
      await tryLogin(throttle, 'a@x', A);
    }
    clock.now += 15 * 60_000;
    expect(await tryLogin(throttle, 'a@x', A, 'succeeded')).toBeUndefined();
    for (let i = 0; i < 5; i++) expect(await tryLogin(throttle, 'a@x', A)).toBeUndefined();
    expect((await tryLogin(throttle, 'a@x', A))?.options.headers?.['retry-after']).toBe('30');
    clock.now += 30_000;
    expect(await tryLogin(throttle, 'a@x', A)).toBeUndefined();
    expect((await tryLogin(throttle, 'a@x', A))?.options.headers?.['retry-after']).toBe('60');
  });

  it('does not lock the owner out at another address while one address is locked out of the account', async () => {
    const { throttle } = throttleAt();
    for (let i = 0; i < 50; i++) await tryLogin(throttle, 'owner@x', A);
    expect(await tryLogin(throttle, 'owner@x', A)).toBeDefined();
    // The owner, elsewhere: a wrong password or two, then the right one.
    expect(await tryLogin(throttle, 'owner@x', B)).toBeUndefined();
    expect(await tryLogin(throttle, 'owner@x', B, 'succeeded')).toBeUndefined();
    // And A is still locked: B's success clears only B's record.
    expect(await tryLogin(throttle, 'owner@x', A)).toBeDefined();
  });

  it('counts an attempt when it begins, so concurrent guesses cannot pass the limit', async () => {
    const { throttle } = throttleAt();
    const begun = await Promise.allSettled(Array.from({ length: 12 }, () => throttle.begin('a@x', A)));
    const pending = begun.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    expect(pending).toHaveLength(5);
    for (const outcome of begun) if (outcome.status === 'rejected') expect((outcome.reason as GatewayError).status).toBe(429);
    await expect(throttle.begin('a@x', A)).rejects.toThrow(GatewayError);
    for (const attempt of pending) await attempt.failed();
    await expect(throttle.begin('a@x', A)).rejects.toThrow(GatewayError);
  });

  it('holds across throttles that share counters (what Workers isolates do through the Durable Object)', async () => {
    const counters = memoryCounters();
    const isolates = Array.from({ length: 3 }, () => throttleAt(0, {}, counters).throttle);
    const begun = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => isolates[i % 3]!.begin('a@x', A)));
    expect(begun.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(5);
    // The address limit too: 15 more accounts fail from A through the three, then A is refused on a 21st.
    for (let i = 0; i < 15; i++) expect(await tryLogin(isolates[i % 3]!, `other${i}@x`, A)).toBeUndefined();
    expect((await tryLogin(isolates[0]!, 'last@x', A))?.message).toMatch(/from this address/);
  });

  it('gives an abandoned attempt back (its password was never checked)', async () => {
    const { throttle } = throttleAt(0, { addressBurst: 5 });
    for (let i = 0; i < 4; i++) await tryLogin(throttle, 'a@x', A);
    for (let i = 0; i < 10; i++) await (await throttle.begin('a@x', A)).abandoned();
    expect(await tryLogin(throttle, 'a@x', A)).toBeUndefined();
    expect(await tryLogin(throttle, 'a@x', A)).toBeDefined();
  });

  it('settles an attempt only once', async () => {
    const { throttle } = throttleAt();
    for (let i = 0; i < 4; i++) await tryLogin(throttle, 'a@x', A);
    const attempt = await throttle.begin('a@x', A);
    await attempt.failed();
    await attempt.abandoned();
    await attempt.succeeded();
    expect(await tryLogin(throttle, 'a@x', A)).toBeDefined();
  });

  it('keeps an attempt counted when settling it fails, and says so', async () => {
    const memory = memoryCounters();
    let broken = false;
    // Counters that stop answering after the attempt began (a Durable Object out of reach).
    const flaky: Counters = { ...memory, durable: false, add: (entries, now) => (broken ? Promise.reject(new Error('unreachable')) : memory.add(entries, now)) };
    const warnings: string[] = [];
    const throttle = new LoginThrottle({ counters: flaky, now: () => 0, logger: { info() {}, warn: (message) => void warnings.push(message), error() {} } });
    for (let i = 0; i < 4; i++) await tryLogin(throttle, 'a@x', A);
    const attempt = await throttle.begin('a@x', A);
    broken = true;
    await attempt.succeeded();
    expect(warnings).toEqual(['login throttling could not settle an attempt']);
    broken = false;
    expect(await tryLogin(throttle, 'a@x', A)).toBeDefined();
  });
});

describe('LoginThrottle: per address across accounts', () => {
  it('stops an address spraying many emails, with retry-after, and lets it go on as its window slides', async () => {
    // Windows of 20 × 30 s = 10 minutes; the clock starts at one's beginning.
    const { clock, throttle } = throttleAt();
    for (let i = 0; i < 20; i++) expect(await tryLogin(throttle, `user${i}@x`, A)).toBeUndefined();
    const refused = await tryLogin(throttle, 'user20@x', A);
    expect(refused?.message).toMatch(/this address/);
    // The 20 leave the last 10 minutes 30 s into the next window, as far as the estimate goes.
    expect(refused?.options.headers?.['retry-after']).toBe('630');
    // Other addresses are not affected, not even for the same emails.
    expect(await tryLogin(throttle, 'user20@x', B)).toBeUndefined();
    clock.now += 630_000 - 1;
    expect((await tryLogin(throttle, 'user21@x', A))?.options.headers?.['retry-after']).toBe('1');
    clock.now += 1;
    expect(await tryLogin(throttle, 'user21@x', A)).toBeUndefined();
    // Then one more every 30 s while the burst slides out.
    expect((await tryLogin(throttle, 'user22@x', A))?.options.headers?.['retry-after']).toBe('30');
    clock.now += 30_000;
    expect(await tryLogin(throttle, 'user22@x', A)).toBeUndefined();
    expect(await tryLogin(throttle, 'user23@x', A)).toBeDefined();
    // Once the burst's window is wholly past, a fresh 20 minus what the last window still holds.
    clock.now += 20 * 60_000;
    for (let i = 0; i < 20; i++) expect(await tryLogin(throttle, `again${i}@x`, A)).toBeUndefined();
    expect(await tryLogin(throttle, 'again20@x', A)).toBeDefined();
  });

  it('never lets an address fail more often than the old token bucket did (20 at once, then one per 30 s)', async () => {
    const { clock, throttle } = throttleAt(123_456_789);
    const admitted: number[] = [];
    // One try a second for two hours, each for a new account.
    for (let i = 0; i < 7200; i++, clock.now += 1000) {
      if ((await tryLogin(throttle, `spray${i}@x`, A)) === undefined) admitted.push(clock.now);
    }
    for (const span of [1000, 60_000, 10 * 60_000, 30 * 60_000]) {
      for (const start of admitted) {
        const within = admitted.filter((t) => t >= start && t < start + span).length;
        expect(within).toBeLessThanOrEqual(20 + span / 30_000);
      }
    }
    // And at length about 120 an hour get through.
    expect(admitted.length).toBeGreaterThanOrEqual(220);
    expect(admitted.length).toBeLessThanOrEqual(260);
  });

  it('does not count right passwords against the address (many users behind one NAT)', async () => {
    const { throttle } = throttleAt();
    for (let i = 0; i < 100; i++) expect(await tryLogin(throttle, `user${i}@x`, A, 'succeeded')).toBeUndefined();
    for (let i = 0; i < 20; i++) expect(await tryLogin(throttle, `user${i}@x`, A)).toBeUndefined();
    expect(await tryLogin(throttle, 'user99@x', A, 'succeeded')).toBeDefined();
  });

  it('without a client address, throttles per account only (the documented weaker mode)', async () => {
    const { throttle } = throttleAt();
    for (let i = 0; i < 100; i++) expect(await tryLogin(throttle, `user${i}@x`, UNKNOWN_ADDRESS)).toBeUndefined();
    for (let i = 0; i < 5; i++) await tryLogin(throttle, 'owner@x', UNKNOWN_ADDRESS);
    expect(await tryLogin(throttle, 'owner@x', UNKNOWN_ADDRESS)).toBeDefined();
  });
});

describe('LoginThrottle: memory', () => {
  it('holds what the last hour of attempts left, and forgets the rest as it goes', async () => {
    const { clock, throttle, counters } = throttleAt();
    let peak = 0;
    // 20,000 random emails from random addresses and 20,000 without an address, 10 a second each: 2,000 s.
    for (let i = 0; i < 20_000; i++) {
      const address = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      await tryLogin(throttle, `${crypto.randomUUID()}@x`, address);
      await tryLogin(throttle, `${crypto.randomUUID()}@x`, UNKNOWN_ADDRESS);
      clock.now += 100;
      peak = Math.max(peak, counters.size);
    }
    // Each attempt leaves a failure count (an hour) and a random address one window count (20 minutes):
    // all still live here, 20,000 + 20,000 + 20,000, and the table holds no more than that.
    expect(peak).toBeLessThanOrEqual(60_000);
    // Two hours on, the next attempts sweep them out: a table keeps about twice what is live.
    clock.now += 2 * 60 * 60_000;
    for (let i = 0; i < 30_000; i++) await tryLogin(throttle, 'late@x', UNKNOWN_ADDRESS, 'succeeded');
    expect(counters.size).toBeLessThanOrEqual(1024 + 2);
  });

  it('holds only what the burst allowed when one address sprays 100k random emails', async () => {
    const { throttle, counters } = throttleAt();
    let refused = 0;
    for (let i = 0; i < 100_000; i++) {
      if (await tryLogin(throttle, `${crypto.randomUUID()}@x`, A)) refused++;
    }
    expect(refused).toBe(100_000 - 20);
    // Twenty failure counts and the address's window: a refused attempt counts nothing.
    expect(counters.size).toBe(21);
  });

  it('forgets an address-account pair an hour after its last failure', async () => {
    const { clock, throttle } = throttleAt();
    for (let i = 0; i < 5; i++) await tryLogin(throttle, 'a@x', A);
    clock.now += 30_000 + 60 * 60_000;
    // Forgotten: five more free attempts, not the doubled lockout of a sixth failure.
    for (let i = 0; i < 5; i++) expect(await tryLogin(throttle, 'a@x', A)).toBeUndefined();
    expect((await tryLogin(throttle, 'a@x', A))?.options.headers?.['retry-after']).toBe('30');
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
