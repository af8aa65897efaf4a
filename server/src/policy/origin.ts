import type { Config } from '../config/config.js';

/** Whether a request's Origin is the server's own (same scheme-less host). */
export function isSameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** What an Origin may do: `all` for listed origins, `read` when `*` is configured. */
export function originAccess(origin: string, config: Pick<Config, 'corsOrigins' | 'corsAnyOriginReads'>): 'all' | 'read' | 'none' {
  if (config.corsOrigins.includes(origin)) return 'all';
  return config.corsAnyOriginReads ? 'read' : 'none';
}
