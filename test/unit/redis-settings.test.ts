import { describe, expect, it } from 'vitest';
import { ConfigError, redactedRedisUrl, redisConfigFromEnv, serverConfigFromEnv } from '../../adapters/shared/settings.js';

const HOME = { homeDir: '/home/ada' };
const SECRET = 's'.repeat(32);

describe('ROUTERLY_REDIS_URL and its companions', () => {
  it('changes nothing while unset: files stay the default', () => {
    expect(serverConfigFromEnv({}, HOME).redis).toBeUndefined();
    expect(serverConfigFromEnv({ ROUTERLY_REDIS_URL: ' ' }, HOME).redis).toBeUndefined();
    expect(serverConfigFromEnv({}, HOME).settings.configRefreshMs).toBeUndefined();
  });

  it('reads the URL, the prefix (default routerly:) and the counters policy (default closed)', () => {
    expect(serverConfigFromEnv({ ROUTERLY_REDIS_URL: 'redis://cache:6379/2', ROUTERLY_SECRET: SECRET }, HOME).redis).toEqual({
      url: 'redis://cache:6379/2',
      prefix: 'routerly:',
      countersOnFailure: 'closed',
    });
    expect(redisConfigFromEnv({ ROUTERLY_REDIS_URL: 'rediss://u:p@cache', ROUTERLY_REDIS_PREFIX: '{prod}:', ROUTERLY_REDIS_COUNTERS_ON_FAILURE: ' Open ' })).toEqual({
      url: 'rediss://u:p@cache',
      prefix: '{prod}:',
      countersOnFailure: 'open',
    });
  });

  it('re-reads config every second as the backstop of the change notices, unless told otherwise', () => {
    const env = { ROUTERLY_REDIS_URL: 'redis://cache', ROUTERLY_SECRET: SECRET };
    expect(serverConfigFromEnv(env, HOME).settings.configRefreshMs).toBe(1000);
    expect(serverConfigFromEnv({ ...env, ROUTERLY_CONFIG_REFRESH_MS: '250' }, HOME).settings.configRefreshMs).toBe(250);
    // A node cut off from Redis serves its config for a minute, then 503 (ROUTERLY_CONFIG_MAX_STALE_MS).
    expect(serverConfigFromEnv(env, HOME).settings.configMaxStaleMs).toBe(60_000);
    expect(serverConfigFromEnv({ ...env, ROUTERLY_CONFIG_MAX_STALE_MS: '5000' }, HOME).settings.configMaxStaleMs).toBe(5000);
    expect(serverConfigFromEnv({}, HOME).settings.configMaxStaleMs).toBeUndefined();
  });

  it('refuses to start without ROUTERLY_SECRET: a secret generated per node would lock the others out', () => {
    expect(() => serverConfigFromEnv({ ROUTERLY_REDIS_URL: 'redis://cache' }, HOME)).toThrow(
      new ConfigError('ROUTERLY_REDIS_URL is set but ROUTERLY_SECRET is not: every node sharing Redis needs the same ROUTERLY_SECRET (at least 32 characters)'),
    );
  });

  it.each([
    [{ ROUTERLY_REDIS_URL: 'localhost:6379' }, 'ROUTERLY_REDIS_URL must be a redis:// or rediss:// URL with a host, got "localhost:6379"'],
    [{ ROUTERLY_REDIS_URL: 'http://:hunter2@cache' }, 'ROUTERLY_REDIS_URL must be a redis:// or rediss:// URL with a host, got "http://:***@cache/"'],
    [{ ROUTERLY_REDIS_COUNTERS_ON_FAILURE: 'maybe' }, 'ROUTERLY_REDIS_COUNTERS_ON_FAILURE must be closed or open, got "maybe"'],
  ])('refuses %j in one line, never showing a password', (env, message) => {
    expect(() => redisConfigFromEnv(env)).toThrow(new ConfigError(message));
  });

  it('hides the password of a URL shown in a log or a message', () => {
    expect(redactedRedisUrl('redis://:hunter2@cache:6379/0')).toBe('redis://:***@cache:6379/0');
    expect(redactedRedisUrl('redis://app:hunter2@cache')).toBe('redis://app:***@cache');
    expect(redactedRedisUrl('redis://cache')).toBe('redis://cache');
    expect(redactedRedisUrl('not a url //user:hunter2@cache')).toBe('not a url //***@cache');
  });
});
