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
export declare function hotRank(post: Rankable): number;
//# sourceMappingURL=ranking.d.ts.map