import type { Config } from '../config/config.js';

/** Whether a request's Origin is the server's own (same scheme-less host). */
export function isSameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?$/i;

/**
 * Whether `origin` is the forum's own for what the server keeps, not only
 * for what a browser sends: `Host` is whatever a script puts there, so it
 * counts only when it names this machine (the forum of `npm start`); behind
 * a public name, PUBLIC_URL says which origin is the forum's.
 */
export function isOwnOrigin(origin: string, host: string | undefined, config: Pick<Config, 'publicUrl'>): boolean {
  if (config.publicUrl !== undefined) return origin === config.publicUrl;
  return host !== undefined && LOOPBACK_HOST.test(host) && isSameOrigin(origin, host);
}

/** What an Origin may do: `all` for listed origins, `read` when `*` is configured. */
export function originAccess(origin: string, config: Pick<Config, 'corsOrigins' | 'corsAnyOriginReads'>): 'all' | 'read' | 'none' {
  if (config.corsOrigins.includes(origin)) return 'all';
  return config.corsAnyOriginReads ? 'read' : 'none';
}
