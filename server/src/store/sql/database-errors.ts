import { ProblemError } from '../../problem/problem-error.js';

const UNREACHABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// pg reports a lost connection only through its message.
const UNREACHABLE_MESSAGE = /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|after calling end on the pool|PGlite is closed/i;

/** The SQLSTATE of a database error, if it is one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** True when the error means the database could not be reached (as opposed to a bad statement). */
export function isUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && UNREACHABLE_ERRNO.has(code)) return true;
  const state = sqlState(error);
  // 08: connection exception; 57P0x: the server is shutting down or starting.
  if (state !== undefined) return state.startsWith('08') || /^57P0[1-3]$/.test(state);
  return UNREACHABLE_MESSAGE.test(error.message);
}

/** Rethrows unreachable-database errors as `unavailable` so the API answers 503, not 500. */
export function rethrowDatabaseError(error: unknown): never {
  if (!(error instanceof ProblemError) && isUnreachable(error)) {
    throw new ProblemError('unavailable', 'The database is unavailable', { cause: error });
  }
  throw error;
}
