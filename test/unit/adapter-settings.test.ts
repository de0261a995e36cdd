import { describe, expect, it } from 'vitest';
import { ConfigError, gatewaySettingsFromEnv, serverConfigFromEnv } from '../../adapters/shared/settings.js';
import { describeStartupError, ListenError } from '../../adapters/shared/startup-error.js';

const HOME = { homeDir: '/home/ada' };

describe('serverConfigFromEnv', () => {
  it('gives the defaults for an empty environment', () => {
    expect(serverConfigFromEnv({}, HOME)).toEqual({ home: '/home/ada/.routerly', host: '127.0.0.1', port: 3000, portVariable: 'ROUTERLY_PORT', graceMs: 30_000, settings: {} });
  });

  it('reads every variable, blank ones meaning the default', () => {
    const config = serverConfigFromEnv(
      {
        ROUTERLY_HOME: '/srv/routerly',
        ROUTERLY_HOST: '0.0.0.0',
        ROUTERLY_PORT: ' 8080 ',
        ROUTERLY_SECRET: 's'.repeat(32),
        ROUTERLY_SHUTDOWN_GRACE_MS: '0',
        ROUTERLY_MAX_BODY_BYTES: '1024',
        ROUTERLY_SESSION_TTL_SECONDS: '60',
        ROUTERLY_MAX_UPSTREAM_BODY_BYTES: '2048',
        ROUTERLY_MAX_UPSTREAM_EVENT_BYTES: '512',
        ROUTERLY_CONFIG_REFRESH_MS: '',
        ROUTERLY_DURABLE_USAGE: 'YES',
        ROUTERLY_TRUST_PROXY: '0',
      },
      HOME,
    );
    expect(config).toEqual({
      home: '/srv/routerly',
      host: '0.0.0.0',
      port: 8080,
      portVariable: 'ROUTERLY_PORT',
      secretFromEnv: 's'.repeat(32),
      graceMs: 0,
      settings: { maxBodyBytes: 1024, sessionTtlSeconds: 60, maxUpstreamBodyBytes: 2048, maxUpstreamEventBytes: 512, durableUsage: true },
    });
  });

  it('takes PORT only when ROUTERLY_PORT is unset, and says which one it used', () => {
    expect(serverConfigFromEnv({ PORT: '9000' }, HOME)).toMatchObject({ port: 9000, portVariable: 'PORT' });
    expect(serverConfigFromEnv({ PORT: '9000', ROUTERLY_PORT: '9001' }, HOME)).toMatchObject({ port: 9001, portVariable: 'ROUTERLY_PORT' });
    // A bad PORT does not matter when ROUTERLY_PORT decides.
    expect(serverConfigFromEnv({ PORT: 'http', ROUTERLY_PORT: '9001' }, HOME).port).toBe(9001);
  });

  it('joins the default home with the home folder as given', () => {
    expect(serverConfigFromEnv({}, { homeDir: '/' }).home).toBe('/.routerly');
    expect(serverConfigFromEnv({}, { homeDir: 'C:\\Users\\ada' }).home).toBe('C:\\Users\\ada\\.routerly');
  });

  it.each([
    [{ ROUTERLY_PORT: 'abc' }, 'ROUTERLY_PORT must be a port number from 0 to 65535, got "abc"'],
    [{ ROUTERLY_PORT: '65536' }, 'ROUTERLY_PORT must be a port number from 0 to 65535, got "65536"'],
    [{ PORT: '-1' }, 'PORT must be a port number from 0 to 65535, got "-1"'],
    [{ ROUTERLY_SHUTDOWN_GRACE_MS: '2147483648' }, 'ROUTERLY_SHUTDOWN_GRACE_MS must be a whole number of milliseconds from 0 to 2147483647, got "2147483648"'],
    [{ ROUTERLY_MAX_BODY_BYTES: '1.5' }, 'ROUTERLY_MAX_BODY_BYTES must be a whole number of bytes, at least 1, got "1.5"'],
    [{ ROUTERLY_SESSION_TTL_SECONDS: '0' }, 'ROUTERLY_SESSION_TTL_SECONDS must be a whole number of seconds, at least 1, got "0"'],
    [{ ROUTERLY_DURABLE_USAGE: 'maybe' }, 'ROUTERLY_DURABLE_USAGE must be true or false, got "maybe"'],
    [{ ROUTERLY_SECRET: 'short' }, 'ROUTERLY_SECRET must be at least 32 characters, it has 5'],
    [{ ROUTERLY_PORT: `1\n${'x'.repeat(80)}` }, `ROUTERLY_PORT must be a port number from 0 to 65535, got "1\\n${'x'.repeat(58)}…"`],
  ])('refuses %o with one line naming the variable', (env, message) => {
    const attempt = () => serverConfigFromEnv(env, HOME);
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
  });
});

describe('gatewaySettingsFromEnv', () => {
  it("reads a Worker's vars, which may be JSON numbers and booleans, and ignores its other bindings", () => {
    const bindings = { ROUTERLY_KV: { get() {} }, ROUTERLY_CONFIG_REFRESH_MS: 5000, ROUTERLY_DURABLE_USAGE: true, ROUTERLY_MAX_BODY_BYTES: '100' };
    expect(gatewaySettingsFromEnv(bindings)).toEqual({ configRefreshMs: 5000, durableUsage: true, maxBodyBytes: 100 });
  });

  it('leaves unset variables out, so the core keeps its defaults', () => {
    expect(gatewaySettingsFromEnv({ ROUTERLY_TRUST_PROXY: 'false' })).toEqual({});
  });
});

describe('describeStartupError', () => {
  const config = { home: '/srv/routerly', host: '127.0.0.1', port: 8080, portVariable: 'PORT' as const };
  const withCode = (code: string, message = code) => Object.assign(new Error(message), { code });

  it.each([
    // Node, Bun and Deno all set `code` on these.
    [withCode('EADDRINUSE'), 'PORT 8080: 127.0.0.1:8080 is already in use by another process'],
    [withCode('EACCES'), 'PORT 8080: permission denied to listen on 127.0.0.1:8080 (ports below 1024 need privileges)'],
    [withCode('EADDRNOTAVAIL'), 'ROUTERLY_HOST "127.0.0.1" is not an address of this machine'],
    // Node (getaddrinfo), Deno (a lookup message without a code), Bun (EINVAL from listen).
    [Object.assign(withCode('ENOTFOUND'), { syscall: 'getaddrinfo' }), 'ROUTERLY_HOST "127.0.0.1" does not resolve to an address (ENOTFOUND)'],
    [new Error('failed to lookup address information: Name or service not known'), 'ROUTERLY_HOST "127.0.0.1" does not resolve to an address'],
    [withCode('EINVAL'), 'ROUTERLY_HOST "127.0.0.1" does not resolve to an address (EINVAL)'],
    [new Error('something\n  else'), 'cannot listen on 127.0.0.1:8080 (PORT, ROUTERLY_HOST): something else'],
  ])('names the variable to fix when listening fails (%s)', (reason, line) => {
    expect(describeStartupError(new ListenError(reason), config)).toBe(line);
  });

  it('gives a config file its full path, and anything else on one line', () => {
    expect(describeStartupError(new Error('config/models.json is not valid JSON'), config)).toBe('/srv/routerly/config/models.json is not valid JSON');
    expect(describeStartupError(new Error('a\nb'))).toBe('a b');
    // Without a listen around it, a code is no reason to blame the port.
    expect(describeStartupError(withCode('EADDRINUSE', 'in use'), config)).toBe('in use');
  });
});
