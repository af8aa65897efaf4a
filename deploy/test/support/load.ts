import type { Comment, LivePost, LiveView, NewsForumClient } from '@news-forum/sdk';

/** One live client: its views and every change its socket delivered. */
export interface Watcher {
  forum: NewsForumClient;
  posts: LiveView<LivePost>;
  comments: LiveView<Comment>;
  /** `id:version` (or `id:deleted`) of each change received, in order. */
  received: string[];
  /** Status changes of the socket, `status: error`, for diagnostics. */
  statuses: string[];
}

/** Opens the views a reader keeps: the front page (newest 100) and one thread, and records every change. */
export function watch(forum: NewsForumClient, threadId: string): Watcher {
  const received: string[] = [];
  const key = (change: { old_val: { id: string; version: number } | null; new_val: { id: string; version: number } | null }) =>
    change.new_val ? `${change.new_val.id}:${change.new_val.version}` : `${change.old_val!.id}:deleted`;
  const statuses: string[] = [];
  forum.live.on('status', (event) => statuses.push(`${event.status}${event.error ? `: ${event.error.message}` : ''}`));
  forum.live.posts.on('status', (event) => statuses.push(`posts ${event.status}${event.error ? `: ${event.error.message}` : ''}`));
  forum.live.posts.on('change', (change) => received.push(key(change)));
  forum.live.comments(threadId).on('change', (change) => received.push(key(change)));
  return {
    forum,
    posts: forum.live.posts.watch({ sort: 'new', limit: 100 }),
    comments: forum.live.comments(threadId).watch(),
    received,
    statuses,
  };
}

/** Entries received more than once. */
export function duplicates(received: string[]): string[] {
  const seen = new Set<string>();
  return received.filter((entry) => {
    if (seen.has(entry)) return true;
    seen.add(entry);
    return false;
  });
}

/** What the writers got acknowledged, and what failed after the SDK's retries. */
export interface WriteLedger {
  /** Last acknowledged vote per `login|postId`. */
  votes: Map<string, 1 | -1>;
  /** Pairs whose last write failed: their state in the database is unknown. */
  uncertain: Set<string>;
  comments: string[];
  attempts: number;
  /** Writes the API acknowledged (2xx). */
  acknowledged: number;
  failures: { what: string; status: number | undefined; message: string }[];
}

export function emptyLedger(): WriteLedger {
  return { votes: new Map(), uncertain: new Set(), comments: [], attempts: 0, acknowledged: 0, failures: [] };
}

/**
 * Writers vote (up or down) on the posts and comment on the thread, each at
 * its own pace, until `stop()`; every acknowledged write lands in the ledger.
 */
export function startWriters(
  writers: { login: string; forum: NewsForumClient }[],
  postIds: string[],
  threadId: string,
  ledger: WriteLedger,
) {
  let running = true;
  const loops = writers.map(async ({ login, forum }, w) => {
    let n = 0;
    while (running) {
      n += 1;
      ledger.attempts += 1;
      if (n % 4 === 0) {
        const result = await forum.comments.create(threadId, { text: `comment ${n} from ${login}` });
        if (result.data) {
          ledger.comments.push(result.data.id);
          ledger.acknowledged += 1;
        } else ledger.failures.push({ what: 'comment', status: result.error?.status, message: String(result.error?.message) });
      } else {
        const postId = postIds[(n + w) % postIds.length]!;
        const vote: 1 | -1 = (n + w) % 3 === 0 ? -1 : 1;
        const result = await (vote === 1 ? forum.posts.upvote(postId) : forum.posts.downvote(postId));
        const pair = `${login}|${postId}`;
        if (result.data) {
          ledger.acknowledged += 1;
          ledger.votes.set(pair, vote);
          ledger.uncertain.delete(pair);
        } else {
          ledger.uncertain.add(pair);
          ledger.failures.push({ what: 'vote', status: result.error?.status, message: String(result.error?.message) });
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 250 + Math.random() * 250));
    }
  });
  return {
    /** Stops writing; resolves when every write under way has been answered. */
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}
