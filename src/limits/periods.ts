import type { BudgetPeriod } from '../config/tenancy.js';

/** One window of a period: its name (part of a counter key) and its bounds, epoch ms, end exclusive. Shared: never changed once made. */
export interface PeriodWindow {
  readonly id: string;
  readonly start: number;
  /** Infinity for `total`, which never resets. */
  readonly end: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MINUTE = 60_000;

/**
 * The window of `period` that holds `now`, on calendar boundaries in UTC: hours and days as
 * the clock has them, weeks from Monday 00:00, months from the 1st.
 */
export function periodWindow(period: BudgetPeriod, now: number): PeriodWindow {
  // Every call with a budget asks for its windows: the last one of each period is kept (windows
  // are never changed once made), and only a new hour, day, week or month makes a new one.
  const last = lastWindows[period];
  if (last !== undefined && now >= last.start && now < last.end) return last;
  const window = computeWindow(period, now);
  lastWindows[period] = window;
  return window;
}

const lastWindows: Partial<Record<BudgetPeriod, PeriodWindow>> = {};

function computeWindow(period: BudgetPeriod, now: number): PeriodWindow {
  switch (period) {
    case 'hour': {
      const start = now - (now % HOUR);
      return { id: new Date(start).toISOString().slice(0, 13), start, end: start + HOUR };
    }
    case 'day': {
      const start = now - (now % DAY);
      return { id: new Date(start).toISOString().slice(0, 10), start, end: start + DAY };
    }
    case 'week': {
      const day = now - (now % DAY);
      // getUTCDay: Sunday 0 … Saturday 6; days since Monday: (d + 6) % 7.
      const start = day - ((new Date(day).getUTCDay() + 6) % 7) * DAY;
      return { id: `w${new Date(start).toISOString().slice(0, 10)}`, start, end: start + 7 * DAY };
    }
    case 'month': {
      const date = new Date(now);
      const start = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
      const end = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
      return { id: new Date(start).toISOString().slice(0, 7), start, end };
    }
    case 'total':
      return { id: 'total', start: 0, end: Number.POSITIVE_INFINITY };
  }
}

/** The one-minute window rate limits count in (fixed windows, aligned to the clock's minutes). */
export function minuteWindow(now: number): PeriodWindow {
  if (lastMinute !== undefined && now >= lastMinute.start && now < lastMinute.end) return lastMinute;
  const start = now - (now % MINUTE);
  lastMinute = { id: String(start / MINUTE), start, end: start + MINUTE };
  return lastMinute;
}

let lastMinute: PeriodWindow | undefined;

/**
 * How long a counter of a window is kept after the window ends: a call that started in the
 * window may settle (replace its reservation by its cost) a while later, and must find it.
 * Minute windows (rate limits) are many and small: an hour covers any call's length.
 */
export const SETTLE_GRACE_MS = { budget: DAY, minute: HOUR } as const;

/** `expiresAt` for a counter of this window. */
export function windowExpiry(window: PeriodWindow, grace: number = SETTLE_GRACE_MS.budget): number {
  return Number.isFinite(window.end) ? window.end + grace : Number.MAX_SAFE_INTEGER;
}

/** A wait as OpenAI writes it in x-ratelimit-reset-*: Go's duration format ("1s", "6m0s", "12ms"). */
export function goDuration(ms: number): string {
  const whole = Math.max(0, Math.ceil(ms));
  if (whole < 1000) return `${whole}ms`;
  const seconds = Math.ceil(whole / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** An instant as Anthropic writes it in anthropic-ratelimit-*-reset: RFC 3339, whole seconds. */
export function rfc3339Seconds(ms: number): string {
  return `${new Date(Math.ceil(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}
