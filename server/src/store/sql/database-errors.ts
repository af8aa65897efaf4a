import { accountGone, StoreError } from '../store-error.js';

const UNREACHABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
// pg reports a lost connection only through its message.
const UNREACHABLE_MESSAGE =
  /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|after calling end on the pool|PGlite is closed/i;

/**
 * The foreign keys from a post or comment to its author's account
 * (migration 2; votes' went with migration 15). Only a write by an account
 * that a concurrent deleteUser removed violates them.
 */
const ACCOUNT_KEYS = new Set(['posts_author_fkey', 'comments_author_fkey']);

/** Conflicts PostgreSQL resolves by aborting one side (serialization failure, deadlock): the work is tried again. */
export const RETRYABLE_STATES: ReadonlySet<string> = new Set(['40001', '40P01']);
/** Times a conflicting statement or transaction is tried before the conflict is answered as `unavailable`. */
export const RETRY_ATTEMPTS = 3;

/**
 * The database refused for now: a statement or a lock wait timed out (57014,
 * 55P03), or it is out of connections, memory or disk (class 53). Another
 * try may succeed, so the client is told so (503), not that the server
 * failed; which resource ran out goes to the log, not to the client.
 */
function refusedForNow(state: string): string | undefined {
  if (state === '57014' || state === '55P03') return 'The database is busy: try again';
  if (state.startsWith('53')) return 'The database is short of resources: try again later';
  return undefined;
}

/**
 * The database could not read or write its own files: class 58 (a file
 * missing or already there, an I/O error), or 42501 from a file's
 * permissions (an errno of EACCES, EPERM or EROFS becomes 42501, as a
 * privilege on a table does: told apart by PostgreSQL's "could not" wording).
 * The directory or the disk failed, not the request: 503, so the client
 * tries again.
 */
function isFileError(error: unknown): boolean {
  const state = sqlState(error) ?? '';
  return state.startsWith('58') || (state === '42501' && /^could not /.test((error as Error).message));
}

/** A conflict still there after its retries, as the 503 it is to the client; any other error as it is. */
export function conflictLeft(error: unknown): unknown {
  return RETRYABLE_STATES.has(sqlState(error) ?? '')
    ? new StoreError('unavailable', 'The database is busy: try again', { cause: error })
    : error;
}

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

/**
 * Rethrows unreachable-database errors, a busy database's and one that cannot use its files as `unavailable`
 * (so the API answers 503, not 500), a write that references a deleted account (foreign key
 * violation, 23503) as `account-gone`, and data exceptions as `invalid`.
 */
export function rethrowDatabaseError(error: unknown): never {
  if (error instanceof StoreError) throw error;
  if (isUnreachable(error)) throw new StoreError('unavailable', 'The database is unavailable', { cause: error });
  const refused = refusedForNow(sqlState(error) ?? '');
  if (refused) throw new StoreError('unavailable', refused, { cause: error });
  if (isFileError(error)) throw new StoreError('unavailable', 'The database cannot use its files: try again', { cause: error });
  if (sqlState(error) === '23503' && ACCOUNT_KEYS.has(String((error as { constraint?: unknown }).constraint))) throw accountGone(error);
  // Class 22 (data exception: NUL bytes, out-of-range numbers or dates) can only come from what a client sent.
  if (sqlState(error)?.startsWith('22'))
    throw new StoreError('invalid', 'A value in the request cannot be stored or compared', { cause: error });
  throw error;
}
