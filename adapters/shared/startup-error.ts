import { oneLine } from './home.js';
import { ConfigError, shown, type ServerConfig } from './settings.js';

/**
 * The server could not listen where it was told to. Each runtime reports that its own way
 * (Node: `syscall: 'listen'` or a failed `getaddrinfo`; Bun and Deno: an error with a `code`
 * or a lookup message, thrown by Bun.serve / Deno.serve), so the start wraps whatever listening
 * threw in this, and the message below is the same on all three.
 */
export class ListenError extends Error {
  override name = 'ListenError';
  constructor(readonly reason: unknown) {
    super(oneLine(reason), { cause: reason });
  }
}

/**
 * The one line printed when a start fails: a ConfigError as is, a failed listen naming
 * ROUTERLY_PORT or ROUTERLY_HOST, a bad config file with its full path, anything else on one line.
 */
export function describeStartupError(error: unknown, config?: Pick<ServerConfig, 'home' | 'host' | 'port' | 'portVariable'>): string {
  if (error instanceof ConfigError) return error.message;
  if (config && error instanceof ListenError) return describeListenError(error.reason, config);
  const message = oneLine(error);
  // The gateway names config files relative to the home ("config/models.json is not valid JSON").
  if (config && message.startsWith('config/')) return `${config.home}${config.home.includes('\\') ? '\\' : '/'}${message}`;
  return message;
}

function describeListenError(reason: unknown, config: Pick<ServerConfig, 'host' | 'port' | 'portVariable'>): string {
  const { code, syscall } = (reason ?? {}) as { code?: unknown; syscall?: unknown };
  const where = `${config.host}:${config.port}`;
  const port = `${config.portVariable} ${config.port}`;
  if (code === 'EADDRINUSE') return `${port}: ${where} is already in use by another process`;
  if (code === 'EACCES') return `${port}: permission denied to listen on ${where} (ports below 1024 need privileges)`;
  if (code === 'EADDRNOTAVAIL') return `ROUTERLY_HOST ${shown(config.host)} is not an address of this machine`;
  // Node: getaddrinfo ENOTFOUND; Deno: "failed to lookup address information"; Bun: EINVAL from listen.
  const message = oneLine(reason);
  if (syscall === 'getaddrinfo' || /lookup address/i.test(message) || code === 'EINVAL') {
    return `ROUTERLY_HOST ${shown(config.host)} does not resolve to an address${typeof code === 'string' ? ` (${code})` : ''}`;
  }
  return `cannot listen on ${where} (${config.portVariable}, ROUTERLY_HOST): ${message}`;
}
