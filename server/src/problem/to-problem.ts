import { StoreError, type StoreErrorKind } from '../store/store-error.js';
import { ProblemError, type ProblemKind } from './problem-error.js';

const PROBLEM_OF: Record<StoreErrorKind, ProblemKind> = {
  'not-found': 'not-found',
  conflict: 'conflict',
  'idempotency-mismatch': 'idempotency-mismatch',
  invalid: 'bad-request',
  unavailable: 'unavailable',
  'account-gone': 'unauthorized',
  'thread-locked': 'thread-locked',
  'edit-window-closed': 'edit-window-closed',
  'last-admin': 'last-admin',
};

/**
 * The problem an error is answered with, over HTTP and in socket
 * acknowledgements alike: a ProblemError as it is, a StoreError by its
 * kind, anything else (a bug) as `internal`, which tells nothing.
 */
export function toProblem(error: unknown): ProblemError {
  if (error instanceof ProblemError) return error;
  if (error instanceof StoreError) return new ProblemError(PROBLEM_OF[error.kind], error.detail, { cause: error });
  return new ProblemError('internal', undefined, { cause: error });
}
