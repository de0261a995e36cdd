/**
 * The core's StaticAssets port over the Workers static assets binding (`[assets]` in
 * wrangler.toml, binding ASSETS, the built dashboard/dist). The Worker runs first for every
 * request (run_worker_first), so /dashboard goes through the core's handler, which picks the file,
 * falls back to index.html for client-side routes and sets the CSP; this only fetches one file.
 */
import type { StaticAssets } from '../../src/index.js';

/** The part of the assets binding (a Fetcher) used here, typed structurally like the other bindings. */
export interface AssetsBindingLike {
  fetch(request: Request): Promise<Response>;
}

/**
 * `path` is relative to the dashboard's root and already checked by the core (no `..`, no
 * backslash). The binding serves the folder at its own root, whatever the host; wrangler.toml
 * sets `html_handling = "none"`, so `index.html` is served as itself rather than redirected to `/`.
 */
export function assetsFromBinding(binding: AssetsBindingLike): StaticAssets {
  return {
    async get(path) {
      const url = `https://assets.invalid/${path.split('/').map(encodeURIComponent).join('/')}`;
      const response = await binding.fetch(new Request(url));
      if (response.status === 404) {
        await response.body?.cancel();
        return null;
      }
      if (!response.ok) {
        await response.body?.cancel();
        // A redirect or an error is a misconfigured binding, not a missing file: say so instead of answering 404.
        throw new Error(`the ASSETS binding answered ${response.status} for /${path}: check [assets] in wrangler.toml (html_handling = "none")`);
      }
      const contentType = response.headers.get('content-type');
      return { body: response.body ?? '', ...(contentType ? { contentType } : {}) };
    },
  };
}
