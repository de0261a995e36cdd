/** The Workers adapter's StaticAssets port over the ASSETS binding (adapters/cloudflare-workers/assets.ts). */
import { describe, expect, it } from 'vitest';
import { assetsFromBinding } from '../../adapters/cloudflare-workers/assets.js';

/** A binding that serves `files` by path, as the assets binding does with html_handling "none", and records what it was asked. */
function fakeBinding(files: Record<string, { body: string; type: string }>, status?: number) {
  const asked: string[] = [];
  return {
    asked,
    async fetch(request: Request): Promise<Response> {
      const path = new URL(request.url).pathname;
      asked.push(path);
      if (status !== undefined) return new Response(null, { status, headers: { location: '/' } });
      const file = files[path];
      return file ? new Response(file.body, { headers: { 'content-type': file.type } }) : new Response('not found', { status: 404 });
    },
  };
}

describe('the ASSETS binding as StaticAssets', () => {
  it('maps a found file to its body and content type, and a missing one to null', async () => {
    const binding = fakeBinding({ '/index.html': { body: '<!doctype html>', type: 'text/html; charset=utf-8' }, '/assets/app-1a.js': { body: 'export {}', type: 'text/javascript' } });
    const assets = assetsFromBinding(binding);
    const index = await assets.get('index.html');
    expect(index?.contentType).toBe('text/html; charset=utf-8');
    expect(await new Response(index!.body).text()).toBe('<!doctype html>');
    expect((await assets.get('assets/app-1a.js'))?.contentType).toBe('text/javascript');
    expect(await assets.get('assets/gone.js')).toBeNull();
    expect(binding.asked).toEqual(['/index.html', '/assets/app-1a.js', '/assets/gone.js']);
  });

  it('asks for names with spaces or reserved characters encoded, segment by segment', async () => {
    const binding = fakeBinding({});
    await assetsFromBinding(binding).get('assets/a b#c?.js');
    expect(binding.asked).toEqual(['/assets/a%20b%23c%3F.js']);
  });

  it('says the binding is misconfigured when it redirects, rather than calling the file missing', async () => {
    await expect(assetsFromBinding(fakeBinding({}, 307)).get('index.html')).rejects.toThrow(/ASSETS binding answered 307.*html_handling/);
  });
});
