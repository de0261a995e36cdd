// The server's console, shared by the Node, Bun and Deno entries: the start banner, one line per
// proxied call, and the gateway's own log messages, filtered by ROUTERLY_LOG_LEVEL and written
// for a person (a terminal) or for a log collector (JSON Lines), as ROUTERLY_LOG_FORMAT says.
// Runtime-neutral: the caller hands in where lines go and whether that is a terminal.

import type { CallEvent, Logger } from '../../src/index.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFormat = 'human' | 'json';

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
const FORMATS: readonly LogFormat[] = ['human', 'json'];

/**
 * ROUTERLY_LOG_LEVEL (default info) and ROUTERLY_LOG_FORMAT (default: human when isTTY, else json).
 * Values are read without regard to case or surrounding spaces; an empty one is the default.
 * Throws Error with a one-line message naming the variable on a bad value.
 */
export function consoleLogSettings(env: Record<string, string | undefined>, isTTY: boolean): { level: LogLevel; format: LogFormat } {
  return {
    level: oneOf('ROUTERLY_LOG_LEVEL', env.ROUTERLY_LOG_LEVEL, LEVELS) ?? 'info',
    format: oneOf('ROUTERLY_LOG_FORMAT', env.ROUTERLY_LOG_FORMAT, FORMATS) ?? (isTTY ? 'human' : 'json'),
  };
}

function oneOf<T extends string>(name: string, raw: string | undefined, allowed: readonly T[]): T | undefined {
  const value = raw?.trim().toLowerCase();
  if (!value) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  const shown = raw!.length > 40 ? `${raw!.slice(0, 40)}…` : raw!;
  throw new Error(`${name} must be one of ${allowed.join(', ')} (got ${oneLine(JSON.stringify(shown))})`);
}

/**
 * Color for a human console: on a terminal, unless NO_COLOR is set (https://no-color.org) or
 * TERM is `dumb`. JSON lines never have color.
 */
export function consoleColor(env: Record<string, string | undefined>, isTTY: boolean): boolean {
  return isTTY && !env.NO_COLOR && env.TERM !== 'dumb';
}

export interface StartInfo {
  url: string;
  dashboardUrl: string;
  /** Where data lives (ROUTERLY_HOME). */
  home: string;
  /** With ROUTERLY_REDIS_URL: where data lives instead (the URL without its password, and the key prefix). */
  redis?: { url: string; prefix: string };
  /** This node's id among those sharing Redis (GatewayDeps.instanceId). */
  node?: string;
  /** `node`, `bun`, `deno`, possibly with a version. */
  runtime: string;
  /** No user exists yet: the banner says how to create the first admin. */
  needsSetup: boolean;
}

/** The gateway's Logger, plus debug messages an adapter may write (shown at ROUTERLY_LOG_LEVEL=debug). */
export interface ConsoleLogger extends Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
}

export interface ConsoleLog {
  /** The gateway's Logger (GatewayDeps.logger), filtered by level, formatted. */
  logger: ConsoleLogger;
  /** One line per finished proxied call (info level): GatewayDeps.onCall. */
  onCall(event: CallEvent): void;
  /** The start banner: URL, dashboard URL, data dir, runtime, and the next step when needsSetup (info level). */
  started(info: StartInfo): void;
}

export interface ConsoleLogOptions {
  level: LogLevel;
  format: LogFormat;
  /** Receives each line, its newline included (`(line) => process.stderr.write(line)`). */
  write(line: string): void;
  /** ANSI colors in the human format; see consoleColor. Default false. */
  color?: boolean;
  /** The clock for each line's time. Default: the current time. */
  now?: () => Date;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };
type Severity = Exclude<LogLevel, 'silent'>;

export function createConsoleLog(options: ConsoleLogOptions): ConsoleLog {
  const threshold = RANK[options.level];
  const now = options.now ?? (() => new Date());
  const paint = options.color ? ansi : plain;
  const human = options.format === 'human';
  const emit = (text: string) => options.write(`${text}\n`);
  const json = (level: Severity, message: string, fields: Record<string, unknown>) => {
    // The line's own keys come first and stay: a field of the same name does not replace them.
    const line: Record<string, unknown> = { ts: now().toISOString(), level, message };
    for (const key in fields) if (!(key in line)) line[key] = fields[key];
    emit(JSON.stringify(line));
  };

  const log =
    (level: Severity) =>
    (message: string, fields?: Record<string, unknown>): void => {
      if (RANK[level] < threshold) return;
      const safe = fields ? redacted(fields) : {};
      if (!human) return json(level, message, safe);
      const tag = level === 'info' ? '' : `${paint(LEVEL_COLOR[level], level.toUpperCase())} `;
      const rest = Object.entries(safe).map(([key, value]) => ` ${paint('dim', `${oneLine(key)}=`)}${humanValue(value)}`);
      emit(`${paint('dim', clock(now()))} ${tag}${oneLine(message)}${rest.join('')}`);
    };

  return {
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },

    onCall(event) {
      if (RANK.info < threshold) return;
      // JSON has the request id as a field of its own; a terminal shows it on failures, to look the call up.
      if (!human) return json('info', callSummary(event, plain, false), { event: 'call', ...callFields(event) });
      emit(`${paint('dim', clock(now()))} ${callSummary(event, paint, true)}`);
    },

    started(info) {
      if (RANK.info < threshold) return;
      const nextStep = info.needsSetup ? `open ${info.dashboardUrl} to create the first admin, or run \`routerly setup\`` : undefined;
      if (!human) {
        const { url, dashboardUrl, home, redis, node, runtime, needsSetup } = info;
        const shared = redis ? { redis, node } : {};
        return json('info', `Routerly listening on ${url}`, { event: 'started', url, dashboardUrl, home, ...shared, runtime, needsSetup, ...(nextStep ? { nextStep } : {}) });
      }
      emit(`${paint('dim', clock(now()))} ${paint('bold', 'Routerly')} is running on ${oneLine(info.runtime)}`);
      const rows: Array<[string, string]> = [
        ['gateway', paint('cyan', oneLine(info.url))],
        ['dashboard', paint('cyan', oneLine(info.dashboardUrl))],
        ['data', info.redis ? `${oneLine(info.redis.url)} (keys ${oneLine(info.redis.prefix)}*)` : oneLine(info.home)],
        ...(info.node ? [['node', oneLine(info.node)] as [string, string]] : []),
      ];
      if (nextStep) rows.push(['next step', paint('yellow', oneLine(nextStep))]);
      for (const [label, value] of rows) emit(`  ${paint('dim', label.padEnd(10))} ${value}`);
    },
  };
}

/** The JSON fields of a call line: the event's own, the project name only when it has one. */
function callFields(event: CallEvent): Record<string, unknown> {
  const { ts, ...rest } = event;
  return { startedAt: ts, ...rest };
}

/** `200 ok main gpt-4o-mini 1.2s 2 attempts 120→45 tok $0.0012 stream`, and the request id when the call did not succeed. */
function callSummary(event: CallEvent, paint: Paint, withRequestId: boolean): string {
  const color = event.status >= 500 ? 'red' : event.status >= 400 ? 'yellow' : 'green';
  const ok = event.outcome === 'ok';
  const parts = [
    paint(color, String(event.status)),
    paint(ok ? 'green' : color === 'green' ? 'yellow' : color, oneLine(event.outcome)),
    humanValue(event.projectName ?? event.projectId),
    humanValue(event.model),
    duration(event.latencyMs),
  ];
  if (event.attempts !== 1) parts.push(event.attempts === 0 ? 'not sent' : `${event.attempts} attempts`);
  if (event.inputTokens > 0 || event.outputTokens > 0) parts.push(`${event.inputTokens}→${event.outputTokens} tok`);
  if (event.costUsd > 0) parts.push(dollars(event.costUsd));
  if (event.stream) parts.push('stream');
  if (!ok && withRequestId) parts.push(paint('dim', `req=${oneLine(event.requestId)}`));
  return parts.join(' ');
}

function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

/** Two significant digits below a dollar, cents above: `$0.0012`, `$0.000034`, `$1.25`; `<$0.000001` for less. */
function dollars(usd: number): string {
  if (usd >= 1) return `$${usd.toFixed(2)}`;
  return usd < 1e-6 ? '<$0.000001' : `$${Number(usd.toPrecision(2)).toFixed(Math.max(2, 1 - Math.floor(Math.log10(usd))))}`;
}

/** HH:MM:SS in the machine's time zone: a terminal is read by someone in it. */
function clock(date: Date): string {
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/**
 * Field names whose string values are secrets. The gateway's messages never carry one; this is
 * the second line of defense, for a message someone adds later.
 */
const SECRET_FIELD = /^(authorization|proxy-authorization|cookie|set-cookie|password|passwd|secret|(api|access|refresh|session|bearer|auth)?[-_]?token|(api|secret|private|master)[-_]?key|apikey|x-api-key)$/i;

function redacted(fields: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const key in fields) {
    if (SECRET_FIELD.test(key) && fields[key] !== undefined && typeof fields[key] !== 'number' && typeof fields[key] !== 'boolean') {
      out ??= { ...fields };
      out[key] = '[redacted]';
    }
  }
  return out ?? fields;
}

/**
 * A field value on a human line: bare when it is one plain word, quoted otherwise, so a value
 * with spaces or `=` cannot pass for another field.
 */
function humanValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value instanceof Error) value = value.message;
  const text = typeof value === 'string' ? value : safeJson(value);
  return /^[^\s"=\\]+$/.test(text) && text === oneLine(text) ? text : oneLine(JSON.stringify(text));
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Control characters escaped: a project name, a path or a provider's error text could otherwise
 * break a line in two or send escape sequences to the operator's terminal.
 */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

type Color = 'dim' | 'bold' | 'red' | 'yellow' | 'green' | 'cyan' | 'magenta';
type Paint = (color: Color, text: string) => string;
const CODES: Record<Color, [number, number]> = { dim: [2, 22], bold: [1, 22], red: [31, 39], yellow: [33, 39], green: [32, 39], cyan: [36, 39], magenta: [35, 39] };
const LEVEL_COLOR: Record<Severity, Color> = { debug: 'magenta', info: 'dim', warn: 'yellow', error: 'red' };
const ansi: Paint = (color, text) => `\u001b[${CODES[color][0]}m${text}\u001b[${CODES[color][1]}m`;
const plain: Paint = (_color, text) => text;
