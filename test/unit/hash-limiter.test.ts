import { afterEach, describe, expect, it, vi } from 'vitest';
import { HashingBusyError, HashLimiter, hashPassword, passwordHashing, verifyPassword } from '../../src/crypto/password.js';

/** A job that runs until released, recording how many jobs ran at once. */
function jobs() {
  let running = 0;
  let peak = 0;
  const releases: (() => void)[] = [];
  const started: number[] = [];
  const job = (id: number) => async () => {
    running++;
    peak = Math.max(peak, running);
    started.push(id);
    await new Promise<void>((resolve) => releases.push(resolve));
    running--;
    return id;
  };
  return { job, releases, started, peak: () => peak };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('HashLimiter', () => {
  it('runs at most `concurrency` at once, in arrival order, and refuses beyond `maxWaiting` at once', async () => {
    const limiter = new HashLimiter(2, 3);
    const { job, releases, started, peak } = jobs();
    const results = [0, 1, 2, 3, 4].map((id) => limiter.run(job(id)));
    await expect(limiter.run(job(99))).rejects.toBeInstanceOf(HashingBusyError);
    await tick();
    expect(started).toEqual([0, 1]);
    expect(limiter.load).toEqual({ running: 2, waiting: 3 });
    while (releases.length > 0) {
      releases.shift()!();
      await tick();
    }
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(peak()).toBe(2);
    expect(limiter.load).toEqual({ running: 0, waiting: 0 });
  });

  it('frees the slot when a job fails', async () => {
    const limiter = new HashLimiter(1, 0);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(() => {
      throw new Error('sync boom');
    })).rejects.toThrow('sync boom');
    expect(await limiter.run(async () => 7)).toBe(7);
    expect(limiter.load).toEqual({ running: 0, waiting: 0 });
  });
});

describe('password hashing goes through the limiter', () => {
  afterEach(() => vi.restoreAllMocks());

  it('never derives more than two hashes at once, however many logins arrive', async () => {
    const original = crypto.subtle.deriveBits.bind(crypto.subtle);
    let running = 0;
    let peak = 0;
    vi.spyOn(crypto.subtle, 'deriveBits').mockImplementation(async (...args) => {
      running++;
      peak = Math.max(peak, running);
      try {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return await original(...args);
      } finally {
        running--;
      }
    });
    const stored = await hashPassword('correct horse battery', 1000);
    const outcomes = await Promise.allSettled(Array.from({ length: 40 }, () => verifyPassword('correct horse battery', stored)));
    expect(peak).toBe(passwordHashing.concurrency);
    expect(peak).toBe(2);
    const busy = outcomes.filter((o) => o.status === 'rejected');
    expect(busy.length).toBe(40 - passwordHashing.concurrency - passwordHashing.maxWaiting);
    for (const o of busy) expect((o as PromiseRejectedResult).reason).toBeInstanceOf(HashingBusyError);
    for (const o of outcomes) if (o.status === 'fulfilled') expect(o.value).toBe(true);
  });
});
