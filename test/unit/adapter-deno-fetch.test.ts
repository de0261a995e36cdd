import { describe, expect, it } from 'vitest';
import { createDenoFetch } from '../../adapters/deno/fetch.js';

/** A fetch that records what it was called with and answers 200. */
function recorder() {
  const calls: Array<{ input: unknown; init: RequestInit | undefined }> = [];
  const base = ((input: unknown, init?: RequestInit) => {
    calls.push({ input, init });
    return Promise.resolve(new Response('ok'));
  }) as typeof fetch;
  return { calls, base };
}

describe('createDenoFetch', () => {
  it('sends a string body as a stream of its UTF-8 bytes, keeping method, headers and signal', async () => {
    const { calls, base } = recorder();
    const signal = new AbortController().signal;
    const answer = await createDenoFetch(base)('http://provider.test/v1/chat', { method: 'POST', headers: { 'x-a': '1' }, body: '{"q":"héllo"}', signal });
    expect(await answer.text()).toBe('ok');
    const init = calls[0]!.init as RequestInit & { duplex?: string };
    expect(init.body).toBeInstanceOf(ReadableStream);
    expect(init).toMatchObject({ method: 'POST', headers: { 'x-a': '1' }, signal, duplex: 'half' });
    expect(await new Response(init.body).text()).toBe('{"q":"héllo"}');
  });

  it('passes every other call through untouched', async () => {
    const { calls, base } = recorder();
    const denoFetch = createDenoFetch(base);
    const bytes = new Uint8Array([1, 2]);
    await denoFetch('http://provider.test/v1/models');
    await denoFetch('http://provider.test/x', { method: 'POST', body: bytes });
    expect(calls[0]).toEqual({ input: 'http://provider.test/v1/models', init: undefined });
    expect(calls[1]!.init!.body).toBe(bytes);
  });
});
