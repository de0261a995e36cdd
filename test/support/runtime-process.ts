/**
 * Reading a server process's console (adapters/shared/console-log.ts) from the outside. On a
 * pipe the console writes JSON Lines; the start banner is the line with `"event":"started"`.
 */

/** The gateway URL from the start banner in `stderr`, or undefined while there is none. */
export function startedUrl(stderr: string): string | undefined {
  for (const line of stderr.split('\n')) {
    if (!line.includes('"started"')) continue;
    try {
      const entry = JSON.parse(line) as { event?: unknown; url?: unknown };
      if (entry.event === 'started' && typeof entry.url === 'string') return entry.url;
    } catch {
      // Not a JSON line (or not a whole one yet).
    }
  }
  return undefined;
}
