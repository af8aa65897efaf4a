import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';
import { CachedRoutes } from './cached-routes.js';
import { CommentsModel } from './comments-model.js';
import { PostsModel } from './posts-model.js';
import { VoteCache } from './vote-cache.js';

export interface ReadOptions {
  /** Posts held per sort; at least a few of the largest pages. */
  postsPerSort: number;
  /** Comments held per post. */
  commentsPerPost: number;
  /** Posts whose comments are held. */
  commentPosts: number;
  /** How long a reader's read waits for the model to apply that reader's own write before the store answers instead. */
  fenceWaitMs: number;
}

// 250 comments: the largest page (200) of a post with more is still answered; 200 posts of them stay in tens of MB.
export const DEFAULT_READ_OPTIONS: ReadOptions = { postsPerSort: 300, commentsPerPost: 250, commentPosts: 200, fenceWaitMs: 500 };

/** The read models of a node, fed by the store's change feeds. */
export interface ReadModels {
  posts: PostsModel;
  comments: CommentsModel;
  /** Signed-in readers' own votes, for `myVote` on pages from memory. */
  votes: VoteCache;
  routes: CachedRoutes;
  options: ReadOptions;
  close(): Promise<void>;
}

/** Starts following the feeds and reading the first pages; memory answers as soon as they are read. */
export function startReadModels(store: Store, logger: Logger, overrides: Partial<ReadOptions> = {}): ReadModels {
  const options = { ...DEFAULT_READ_OPTIONS, ...overrides };
  const posts = new PostsModel(store, logger, options.postsPerSort);
  const comments = new CommentsModel(store, logger, { capacity: options.commentsPerPost, posts: options.commentPosts });
  return {
    posts,
    comments,
    votes: new VoteCache(store),
    routes: new CachedRoutes(),
    options,
    async close() {
      await Promise.all([posts.close(), comments.close()]);
    },
  };
}
