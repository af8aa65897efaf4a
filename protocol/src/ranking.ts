/** Seconds between the Unix epoch and the ranking epoch (2005-12-08T07:46:43Z). */
const RANK_EPOCH_SECONDS = 1134028003;
/** Seconds of age that weigh as much as a tenfold score. */
const RANK_DECAY_SECONDS = 45000;

/** What {@link hotRank} needs of a post. */
export interface Rankable {
  upvotes: number;
  downvotes: number;
  /** ISO 8601 creation time. */
  createdAt: string;
}

/**
 * "Hot" rank of a post: the order of magnitude of its score plus its
 * creation time, so a post's rank changes only when its votes do, and newer
 * posts need fewer votes to rank as high. The server sorts `GET /api/posts?sort=hot`
 * with this function and live views use it to place changed posts.
 *
 * @example
 * posts.sort((a, b) => hotRank(b) - hotRank(a));
 */
export function hotRank(post: Rankable): number {
  const score = post.upvotes - post.downvotes;
  const order = Math.log10(Math.max(Math.abs(score), 1));
  const sign = Math.sign(score);
  const seconds = Date.parse(post.createdAt) / 1000 - RANK_EPOCH_SECONDS;
  return Math.round((sign * order + seconds / RANK_DECAY_SECONDS) * 1e7) / 1e7;
}
