/**
 * ROUTERLY_REDIS_COUNTERS_ON_FAILURE=open: Counters that, while Redis is out of reach, let calls
 * through instead of refusing them. The gateway's own policy is closed (src/limits/call-limits.ts
 * turns a counters failure into a 503, so no budget or rate limit is passed unchecked); an
 * operator who prefers serving to counting during an outage wraps the Redis counters in this.
 *
 * While Redis is out of reach: `reserve` admits (nothing is counted, so values read as if every
 * counter started at 0), `read` gives 0s, `add` and `initialize` count nothing. Calls served then
 * are charged to no budget and no rate limit: budgets can be overspent by what they cost. The
 * outage is logged once when it begins and once when it ends, never per call.
 *
 * Only a failure to reach Redis opens: a malformed argument (TypeError, RangeError) or an error
 * Redis answered with (a script error) still rejects, as they would with any counters.
 */
import { ReplyError } from 'ioredis';
import type { CounterEntry, Counters } from '../../src/counters/port.js';
import type { Logger } from '../../src/deps.js';

/** Whether `error` says Redis could not be reached or did not answer in time (not that it refused). */
export function isUnreachable(error: unknown): boolean {
  return error instanceof Error && !(error instanceof TypeError) && !(error instanceof RangeError) && !(error instanceof (ReplyError as typeof Error));
}

export function countersFailingOpen(counters: Counters, logger: Logger): Counters {
  let down = false;

  async function guard<R>(operation: () => Promise<R>, whenDown: () => R): Promise<R> {
    let result: R;
    try {
      result = await operation();
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      if (!down) {
        down = true;
        logger.error('Redis is out of reach: budgets and rate limits are not counted until it answers (ROUTERLY_REDIS_COUNTERS_ON_FAILURE=open)', {
          error: String(error),
        });
      }
      return whenDown();
    }
    if (down) {
      down = false;
      logger.info('Redis answers again: budgets and rate limits are counted again');
    }
    return result;
  }

  /** Each entry's counter as if it had started at 0: the running sum of the amounts given for its key. */
  const fromZero = (entries: readonly CounterEntry[]) => {
    const sums = new Map<string, number>();
    return entries.map(({ key, amount }) => {
      const value = (sums.get(key) ?? 0) + amount;
      sums.set(key, value);
      return value;
    });
  };

  return {
    durable: counters.durable,
    reserve: (entries, now) => guard(() => counters.reserve(entries, now), () => ({ ok: true, values: fromZero(entries) })),
    add: (entries, now) => guard(() => counters.add(entries, now), () => fromZero(entries)),
    read: (keys, now) => guard(() => counters.read(keys, now), () => keys.map(() => 0)),
    initialize: (entries, now) => guard(() => counters.initialize(entries, now), () => fromZero(entries)),
  };
}
