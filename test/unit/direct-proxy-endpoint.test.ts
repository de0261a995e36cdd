import { describe, expect, it } from 'vitest';
import { directProxyEndpoint } from '../../src/proxy/routes.js';

describe('directProxyEndpoint: proxied calls that skip the router', () => {
  it('matches a POST to each proxied path, with or without a query', () => {
    for (const path of ['/v1/chat/completions', '/v1/messages', '/v1/messages/count_tokens', '/v1/responses', '/v1/embeddings']) {
      expect(directProxyEndpoint('POST', `http://127.0.0.1:3000${path}`)?.path).toBe(path);
      expect(directProxyEndpoint('POST', `https://gw.example.com${path}?beta=true`)?.path).toBe(path);
      expect(directProxyEndpoint('POST', `http://[::1]:8080${path}#x`)?.path).toBe(path);
    }
  });

  it('leaves everything else to the router, which answers it as before', () => {
    expect(directProxyEndpoint('GET', 'http://h/v1/chat/completions')).toBeUndefined();
    expect(directProxyEndpoint('OPTIONS', 'http://h/v1/messages')).toBeUndefined();
    // Hono decodes and matches strictly: a trailing slash or an escape is its call to make.
    expect(directProxyEndpoint('POST', 'http://h/v1/chat/completions/')).toBeUndefined();
    expect(directProxyEndpoint('POST', 'http://h/v1/chat%2Fcompletions')).toBeUndefined();
    expect(directProxyEndpoint('POST', 'http://h/v1/%63hat/completions')).toBeUndefined();
    expect(directProxyEndpoint('POST', 'http://h/api/projects')).toBeUndefined();
    expect(directProxyEndpoint('POST', 'http://h')).toBeUndefined();
    expect(directProxyEndpoint('POST', '/v1/chat/completions')).toBeUndefined();
  });
});
