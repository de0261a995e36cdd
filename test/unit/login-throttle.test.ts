import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors.js';
import { LoginThrottle } from '../../src/management/login-throttle.js';

describe('LoginThrottle', () => {
  it('allows five failures, then locks with a doubling wait, and a success clears it', () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now);
    for (let i = 0; i < 4; i++) {
      throttle.check('a@x');
      throttle.failed('a@x');
    }
    throttle.check('a@x');
    throttle.failed('a@x');
    const locked = (() => {
      try {
        throttle.check('a@x');
      } catch (error) {
        return error as GatewayError;
      }
    })();
    expect(locked?.status).toBe(429);
    expect(locked?.options.headers?.['retry-after']).toBe('30');
    throttle.check('b@x');
    now += 30_000;
    throttle.check('a@x');
    throttle.failed('a@x');
    expect(() => throttle.check('a@x')).toThrow(GatewayError);
    now += 59_999;
    expect(() => throttle.check('a@x')).toThrow(GatewayError);
    now += 1;
    throttle.succeeded('a@x');
    throttle.check('a@x');
  });

  it('caps the lockout at 15 minutes', () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now);
    for (let i = 0; i < 30; i++) throttle.failed('a@x');
    now += 15 * 60_000 - 1;
    expect(() => throttle.check('a@x')).toThrow(GatewayError);
    now += 1;
    throttle.check('a@x');
  });
});
