import { useEffect, useState } from 'preact/hooks';

/**
 * Client-side routes under /dashboard/: the gateway answers every such path with the app
 * (src/dashboard/serve.ts), so a reload or a pasted link lands on the same page.
 */
export const BASE = '/dashboard';

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((listener) => listener());
window.addEventListener('popstate', notify);

/** The path within the dashboard (`/models/gpt-4o`), without the base; `/` for the overview. */
export function currentPath(): string {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  return path === '' ? '/' : path;
}

export function href(path: string): string {
  return BASE + (path.startsWith('/') ? path : '/' + path);
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  const url = href(path);
  if (url === location.pathname + location.search) return;
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  window.scrollTo(0, 0);
  notify();
}

/** The current dashboard path and query, re-rendering on navigation. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const listener = () => setTick((tick) => tick + 1);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return { path: currentPath(), query: new URLSearchParams(location.search) };
}

/** Replaces the query string (filters that a reload or a shared link keeps). */
export function setQuery(values: Record<string, string | undefined>): void {
  const params = new URLSearchParams(location.search);
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined || value === '') params.delete(name);
    else params.set(name, value);
  }
  const search = params.toString();
  history.replaceState(null, '', location.pathname + (search ? '?' + search : ''));
  notify();
}

/** `pattern` like `/projects/:id` against `path`: the decoded parameters, or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean);
  const have = path.split('/').filter(Boolean);
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const part = want[i]!;
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(have[i]!);
    else if (part !== have[i]) return null;
  }
  return params;
}
