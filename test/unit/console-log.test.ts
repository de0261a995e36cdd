import { describe, expect, it } from 'vitest';
import { consoleColor, consoleLogSettings, createConsoleLog, type LogFormat, type LogLevel } from '../../adapters/shared/console-log.js';
import type { CallEvent } from '../../src/index.js';

const AT = new Date('2026-12-01T10:14:42.250Z');
/** HH:MM:SS of AT in this machine's time zone, as the human format shows it. */
const CLOCK = [AT.getHours(), AT.getMinutes(), AT.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');

function consoleWith(level: LogLevel, format: LogFormat, color = false) {
  const lines: string[] = [];
  const log = createConsoleLog({ level, format, color, now: () => AT, write: (line) => lines.push(line) });
  return { log, lines };
}

const CALL: CallEvent = {
  ts: '2026-12-01T10:14:41.050Z',
  requestId: 'req_0b1c',
  projectId: 'prj_main',
  projectName: 'main',
  endpoint: '/v1/chat/completions',
  model: 'gpt-4o-mini',
  stream: false,
  status: 200,
  outcome: 'ok',
  latencyMs: 1200,
  attempts: 2,
  inputTokens: 120,
  outputTokens: 45,
  costUsd: 0.0012,
};

describe('consoleLogSettings', () => {
  it('defaults to info, human on a terminal and JSON elsewhere', () => {
    expect(consoleLogSettings({}, true)).toEqual({ level: 'info', format: 'human' });
    expect(consoleLogSettings({}, false)).toEqual({ level: 'info', format: 'json' });
    expect(consoleLogSettings({ ROUTERLY_LOG_LEVEL: '', ROUTERLY_LOG_FORMAT: '  ' }, false)).toEqual({ level: 'info', format: 'json' });
  });

  it('reads both variables, whatever their case', () => {
    expect(consoleLogSettings({ ROUTERLY_LOG_LEVEL: 'WARN', ROUTERLY_LOG_FORMAT: 'json' }, true)).toEqual({ level: 'warn', format: 'json' });
    expect(consoleLogSettings({ ROUTERLY_LOG_LEVEL: ' debug ', ROUTERLY_LOG_FORMAT: 'Human' }, false)).toEqual({ level: 'debug', format: 'human' });
    expect(consoleLogSettings({ ROUTERLY_LOG_LEVEL: 'silent' }, false).level).toBe('silent');
  });

  it('refuses a bad value in one line naming the variable and what it may be', () => {
    expect(() => consoleLogSettings({ ROUTERLY_LOG_LEVEL: 'verbose' }, true)).toThrow(
      'ROUTERLY_LOG_LEVEL must be one of debug, info, warn, error, silent (got "verbose")',
    );
    expect(() => consoleLogSettings({ ROUTERLY_LOG_FORMAT: 'pretty\n' }, true)).toThrow('ROUTERLY_LOG_FORMAT must be one of human, json (got "pretty\\n")');
    try {
      consoleLogSettings({ ROUTERLY_LOG_FORMAT: `x${'y'.repeat(500)}\u001b[31m` }, true);
      expect.unreachable();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).not.toMatch(/[\n\u001b]/);
      expect(message.length).toBeLessThan(120);
    }
  });
});

describe('consoleColor', () => {
  it('colors a terminal unless NO_COLOR or a dumb terminal says not to', () => {
    expect(consoleColor({}, true)).toBe(true);
    expect(consoleColor({}, false)).toBe(false);
    expect(consoleColor({ NO_COLOR: '1' }, true)).toBe(false);
    expect(consoleColor({ TERM: 'dumb' }, true)).toBe(false);
  });
});

describe('call lines', () => {
  it('human: time, status, outcome, project, model, latency, attempts, tokens and cost on one line', () => {
    const { log, lines } = consoleWith('info', 'human');
    log.onCall(CALL);
    expect(lines).toEqual([`${CLOCK} 200 ok main gpt-4o-mini 1.2s 2 attempts 120→45 tok $0.0012\n`]);
  });

  it('human: a single attempt is not mentioned, a failure names its request id, a refusal says it was not sent', () => {
    const { log, lines } = consoleWith('info', 'human');
    log.onCall({ ...CALL, attempts: 1, latencyMs: 87, stream: true });
    log.onCall({ ...CALL, projectName: undefined, status: 502, outcome: 'upstream_error', attempts: 1, inputTokens: 0, outputTokens: 0, costUsd: 0 });
    log.onCall({ ...CALL, status: 429, outcome: 'budget_exceeded', attempts: 0, latencyMs: 3, inputTokens: 0, outputTokens: 0, costUsd: 0 });
    expect(lines).toEqual([
      `${CLOCK} 200 ok main gpt-4o-mini 87ms 120→45 tok $0.0012 stream\n`,
      `${CLOCK} 502 upstream_error prj_main gpt-4o-mini 1.2s req=req_0b1c\n`,
      `${CLOCK} 429 budget_exceeded main gpt-4o-mini 3ms not sent req=req_0b1c\n`,
    ]);
  });

  it('human: a project name that could break the line or the terminal is quoted and escaped', () => {
    const { log, lines } = consoleWith('info', 'human');
    log.onCall({ ...CALL, projectName: 'evil\n10:00:00 200 ok \u001b[2J' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/\u001b/);
    expect(lines[0]!.split('\n')).toHaveLength(2);
    expect(lines[0]).toContain('"evil\\n10:00:00 200 ok \\u001b[2J"');
  });

  it('human with color: status by class, and only when asked', () => {
    const colored = consoleWith('info', 'human', true);
    colored.log.onCall({ ...CALL, status: 503, outcome: 'upstream_error' });
    expect(colored.lines[0]).toContain('\u001b[31m503\u001b[39m');
    const plain = consoleWith('info', 'human', false);
    plain.log.onCall({ ...CALL, status: 503, outcome: 'upstream_error' });
    expect(plain.lines[0]).not.toContain('\u001b');
  });

  it('json: one object per line with stable keys and event "call"', () => {
    const { log, lines } = consoleWith('info', 'json');
    log.onCall(CALL);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    const { ts, startedAt, level, event, message, ...fields } = JSON.parse(lines[0]!);
    expect({ ts, startedAt, level, event }).toEqual({ ts: AT.toISOString(), startedAt: CALL.ts, level: 'info', event: 'call' });
    expect(message).toBe('200 ok main gpt-4o-mini 1.2s 2 attempts 120→45 tok $0.0012');
    const { ts: _ts, ...rest } = CALL;
    expect(fields).toEqual(rest);
    // A failure's request id is a field of its own, not repeated in the message.
    log.onCall({ ...CALL, status: 502, outcome: 'upstream_error' });
    expect(JSON.parse(lines[1]!)).toMatchObject({ message: '502 upstream_error main gpt-4o-mini 1.2s 2 attempts 120→45 tok $0.0012', requestId: 'req_0b1c' });
  });

  it('is info: hidden at warn and above', () => {
    for (const level of ['warn', 'error', 'silent'] as const) {
      const { log, lines } = consoleWith(level, 'json');
      log.onCall(CALL);
      expect(lines).toEqual([]);
    }
  });
});

describe('the logger', () => {
  it('filters by level: debug < info < warn < error < silent', () => {
    const seen = (level: LogLevel) => {
      const { log, lines } = consoleWith(level, 'json');
      log.logger.debug('d');
      log.logger.info('i');
      log.logger.warn('w');
      log.logger.error('e');
      return lines.map((line) => JSON.parse(line).message);
    };
    expect(seen('debug')).toEqual(['d', 'i', 'w', 'e']);
    expect(seen('info')).toEqual(['i', 'w', 'e']);
    expect(seen('warn')).toEqual(['w', 'e']);
    expect(seen('error')).toEqual(['e']);
    expect(seen('silent')).toEqual([]);
  });

  it('human: a level tag for warnings and errors, fields as key=value, quoted when they need it', () => {
    const { log, lines } = consoleWith('debug', 'human');
    log.logger.info('usage flushed', { records: 3 });
    log.logger.warn('provider reported no usage', { model: 'gpt', stream: true, requestId: 'req_1' });
    log.logger.error('unhandled error', { path: '/v1/x', error: 'TypeError: a b=c', nested: { a: 1 } });
    log.logger.debug('tick');
    expect(lines).toEqual([
      `${CLOCK} usage flushed records=3\n`,
      `${CLOCK} WARN provider reported no usage model=gpt stream=true requestId=req_1\n`,
      `${CLOCK} ERROR unhandled error path=/v1/x error="TypeError: a b=c" nested="{\\"a\\":1}"\n`,
      `${CLOCK} DEBUG tick\n`,
    ]);
  });

  it('json: ts, level and message are the line\'s own, whatever the fields say', () => {
    const { log, lines } = consoleWith('info', 'json');
    log.logger.warn('careful', { level: 'info', ts: 'then', model: 'gpt' });
    expect(JSON.parse(lines[0]!)).toEqual({ ts: AT.toISOString(), level: 'warn', message: 'careful', model: 'gpt' });
  });

  it('never prints a secret, even one handed in a field', () => {
    for (const format of ['human', 'json'] as const) {
      const { log, lines } = consoleWith('info', format);
      log.logger.error('upstream refused', {
        authorization: 'Bearer sk-live-123',
        apiKey: 'sk-ant-456',
        token: 'rly_789',
        password: 'hunter2',
        tokenId: 'tok_1',
        inputTokens: 12,
      });
      const text = lines.join('');
      for (const secret of ['sk-live-123', 'sk-ant-456', 'rly_789', 'hunter2']) expect(text).not.toContain(secret);
      expect(text).toMatch(/tokenId(=|":")tok_1/);
      expect(text).toMatch(/inputTokens(=|":)12/);
      expect(text).toContain('[redacted]');
    }
  });
});

describe('the start banner', () => {
  const INFO = { url: 'http://127.0.0.1:8787', dashboardUrl: 'http://127.0.0.1:8787/dashboard', home: '/home/ada/.routerly', runtime: 'node 20.18.0', needsSetup: true };

  it('human: URL, dashboard, data folder, runtime and the next step while no user exists', () => {
    const { log, lines } = consoleWith('info', 'human');
    log.started(INFO);
    const text = lines.join('');
    expect(lines.every((line) => line.endsWith('\n') && line.indexOf('\n') === line.length - 1)).toBe(true);
    expect(text).toContain('node 20.18.0');
    expect(text).toMatch(/gateway +http:\/\/127\.0\.0\.1:8787\n/);
    expect(text).toMatch(/dashboard +http:\/\/127\.0\.0\.1:8787\/dashboard\n/);
    expect(text).toMatch(/data +\/home\/ada\/\.routerly\n/);
    expect(text).toContain('next step  open http://127.0.0.1:8787/dashboard to create the first admin, or run `routerly setup`');
  });

  it('human: no next step once set up', () => {
    const { log, lines } = consoleWith('info', 'human');
    log.started({ ...INFO, needsSetup: false });
    expect(lines.join('')).not.toContain('next step');
    expect(lines).toHaveLength(4);
  });

  it('json: one line, event "started"', () => {
    const { log, lines } = consoleWith('info', 'json');
    log.started(INFO);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      ts: AT.toISOString(),
      level: 'info',
      message: 'Routerly listening on http://127.0.0.1:8787',
      event: 'started',
      url: INFO.url,
      dashboardUrl: INFO.dashboardUrl,
      home: INFO.home,
      runtime: INFO.runtime,
      needsSetup: true,
      nextStep: 'open http://127.0.0.1:8787/dashboard to create the first admin, or run `routerly setup`',
    });
  });

  it('is info: ROUTERLY_LOG_LEVEL=warn keeps the console quiet', () => {
    const { log, lines } = consoleWith('warn', 'human');
    log.started(INFO);
    expect(lines).toEqual([]);
  });
});
