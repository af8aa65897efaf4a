import type { OperationId } from '../http/handler.js';
import { ProblemError } from '../problem/problem-error.js';
import type { BanRecord } from '../store/store.js';

/** What a banned account may not do: write content, vote, edit, flag. Signing out or deleting its own things stays open. */
export const REFUSED_WHEN_BANNED: ReadonlySet<OperationId> = new Set<OperationId>([
  'createPost',
  'createComment',
  'commentOnPage',
  'upvotePost',
  'downvotePost',
  'retractVote',
  'editPost',
  'editComment',
  'flagPost',
  'flagComment',
]);

const MAX_BAN_MS = 100 * 365.25 * 24 * 3_600_000;

/** Whether the ban holds at `now`: bans end by themselves, checked at each write rather than by a timer. */
export function banHolds(ban: BanRecord | undefined, now = Date.now()): ban is BanRecord {
  return ban !== undefined && (ban.until === null || Date.parse(ban.until) > now);
}

/** Throws 403 `account-banned` naming the ban's end while the ban holds. */
export function refuseBanned(ban: BanRecord | undefined): void {
  if (!banHolds(ban)) return;
  throw new ProblemError(
    'account-banned',
    ban.until === null ? 'This account is banned for good' : `This account is banned until ${ban.until}`,
    {
      extensions: { bannedUntil: ban.until },
    },
  );
}

/** Checks a requested ban end: null (for good), or a time in the future at most 100 years ahead; returned with milliseconds. */
export function banEnd(until: string | null, now = Date.now()): string | null {
  if (until === null) return null;
  const at = Date.parse(until);
  if (Number.isNaN(at) || at <= now || at - now > MAX_BAN_MS) {
    throw new ProblemError('validation', 'A ban ends in the future, at most 100 years ahead, or never (null)', {
      errors: [{ pointer: '/body/until', detail: 'must be in the future and at most 100 years ahead' }],
    });
  }
  return new Date(at).toISOString();
}
