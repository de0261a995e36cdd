import { describe, expect, it } from 'vitest';
import { baseUrlProblem, classifyAddress, classifyHost, parseIPv6 } from '../../src/config/base-url.js';
import { ModelInput, ModelUpdate, StoredModel } from '../../src/config/schemas.js';
import { GOOD_URLS, MALFORMED_URLS, METADATA_URLS, PRIVATE_URLS } from '../support/base-urls.js';
import { guardOutboundFetch } from '../../src/proxy/outbound-guard.js';


describe('baseUrl rules', () => {
  it.each(METADATA_URLS)('refuses the metadata endpoint %s', (url) => {
    expect(baseUrlProblem(url)).toMatch(/metadata/);
    expect(ModelInput.safeParse({ id: 'm', provider: 'custom', baseUrl: url }).success).toBe(false);
    expect(ModelUpdate.safeParse({ baseUrl: url }).success).toBe(false);
  });

  it.each(MALFORMED_URLS)('refuses %s (user-info, query, fragment, scheme)', (url) => {
    expect(baseUrlProblem(url)).toBeDefined();
    expect(ModelUpdate.safeParse({ baseUrl: url }).success).toBe(false);
  });

  it.each(GOOD_URLS)('accepts %s', (url) => {
    expect(baseUrlProblem(url)).toBeUndefined();
    expect(ModelInput.safeParse({ id: 'm', provider: 'custom', baseUrl: url }).success).toBe(true);
  });

  it.each(PRIVATE_URLS)('refuses %s only with forbidPrivateAddresses', (url) => {
    expect(baseUrlProblem(url)).toBeUndefined();
    expect(baseUrlProblem(url, { forbidPrivateAddresses: true })).toMatch(/forbidPrivateAddresses/);
  });

  it('keeps public addresses allowed with forbidPrivateAddresses', () => {
    for (const url of ['https://api.openai.com/v1', 'http://8.8.8.8/v1', 'http://172.32.0.1/v1', 'http://[2001:db8::1]/v1', 'http://ollama.internal:11434/v1']) {
      expect(baseUrlProblem(url, { forbidPrivateAddresses: true }), url).toBeUndefined();
    }
  });

  it('names the problem in the validation error', () => {
    const result = ModelInput.safeParse({ id: 'm', provider: 'custom', baseUrl: 'http://[::ffff:169.254.169.254]/v1' });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['baseUrl']);
    expect(result.error!.issues[0]!.message).toContain('metadata');
  });

  it('still loads a stored model whose baseUrl predates the rules (the Node fetch refuses it at call time)', () => {
    const stored = { id: 'm', provider: 'custom', baseUrl: 'http://169.254.169.254/v1', createdAt: 'x', updatedAt: 'y' };
    expect(StoredModel.safeParse(stored).success).toBe(true);
  });
});

describe('address classes', () => {
  it.each([
    ['169.254.169.254', 'metadata'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['::ffff:0:a9fe:a9fe', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['fd00:ec2::254%eth0', 'metadata'],
    ['[fd00:ec2::254]', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['127.0.0.1', 'private'],
    ['::1', 'private'],
    ['::', 'private'],
    ['0.0.0.0', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['fe80::1%lo0', 'private'],
    ['100.100.100.199', 'private'],
    ['8.8.8.8', 'public'],
    ['2606:4700::1111', 'public'],
    ['fd00:ec2::253', 'private'],
  ])('%s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it('tells names from addresses', () => {
    expect(classifyAddress('example.com')).toBeUndefined();
    expect(classifyAddress('1.2.3')).toBeUndefined();
    expect(classifyAddress('256.1.1.1')).toBeUndefined();
    expect(classifyHost('metadata.google.internal.')).toBe('metadata');
    expect(classifyHost('api.openai.com')).toBe('public');
  });

  it('parses IPv6 forms strictly', () => {
    expect(parseIPv6('::')).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIPv6('1::8')).toEqual([1, 0, 0, 0, 0, 0, 0, 8]);
    expect(parseIPv6('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
    for (const bad of ['1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1::2::3', ':1', '1.2.3.4::', '12345::', '1:2:3:4:5:6:7:8::', 'g::1']) {
      expect(parseIPv6(bad), bad).toBeUndefined();
    }
  });
});

describe('the outbound guard every upstream call goes through', () => {
  const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
  it('refuses metadata addresses always, private ones only with the setting, and lets others through', async () => {
    let strict = false;
    const sent: string[] = [];
    const fetchFn = guardOutboundFetch((async (input: RequestInfo | URL) => {
      sent.push(String(input));
      return new Response('ok');
    }) as typeof fetch, () => strict, logger);
    await expect(fetchFn('http://169.254.169.254/latest/meta-data')).rejects.toThrow(/metadata/);
    await expect(fetchFn('http://0xa9fea9fe/v1/chat/completions')).rejects.toThrow(/metadata/);
    await expect(fetchFn('http://127.0.0.1:11434/v1/chat/completions')).resolves.toBeInstanceOf(Response);
    strict = true;
    await expect(fetchFn('http://127.0.0.1:11434/v1/chat/completions')).rejects.toThrow(/private/);
    await expect(fetchFn('https://api.openai.com/v1/chat/completions')).resolves.toBeInstanceOf(Response);
    expect(sent).toEqual(['http://127.0.0.1:11434/v1/chat/completions', 'https://api.openai.com/v1/chat/completions']);
  });
});
