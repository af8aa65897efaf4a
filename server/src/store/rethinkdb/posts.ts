import type { PostSort } from '@news-forum/protocol';
import { type CursorKeys, decodeCursor, encodeCursor } from '../cursor.js';
import { pageSize, toPage } from '../pages.js';
import type { NewPostRecord, Page, PageRequest, PostDates, StoredPost } from '../store.js';
import { StoreError } from '../store-error.js';
import { type PostDoc, rankOf, toPost } from './documents.js';
import { isId, isInstant, isScore, storedId } from './ids.js';
import { forgetPosts } from './notifications.js';
import { HARD, r, type Term, type WriteResult } from './reql.js';
import type { Context } from './tables.js';

/** A keyset ordering of posts: its index (named after the sort) and the cursor keys of a post. */
interface PostOrder {
  kinds: readonly ('string' | 'number')[];
  valid: (keys: CursorKeys) => boolean;
  keys: (doc: PostDoc) => CursorKeys;
}

const POST_ORDERS: Record<PostSort, PostOrder> = {
  hot: { kinds: ['number', 'string'], valid: ([, id]) => isId(id), keys: (doc) => [doc.hot, doc.id] },
  new: {
    kinds: ['string', 'string'],
    valid: ([at, id]) => isInstant(at) && isId(id),
    keys: (doc) => [doc.createdAt, doc.id],
  },
  top: {
    kinds: ['number', 'string', 'string'],
    valid: ([score, at, id]) => isScore(score) && isInstant(at) && isId(id),
    keys: (doc) => [doc.score, doc.createdAt, doc.id],
  },
};

/** Inserts the post with `id` (of the page `pageUrl`, if given); the caller checks the author's account. */
export async function insertPost(ctx: Context, id: string, post: NewPostRecord, pageUrl?: string): Promise<StoredPost> {
  const createdAt = new Date().toISOString();
  const doc: PostDoc = {
    id,
    title: post.title,
    url: post.url,
    text: post.text,
    author: post.author,
    createdAt,
    upvotes: 0,
    downvotes: 0,
    score: 0,
    commentCount: 0,
    version: 1,
    hot: rankOf(0, createdAt),
    rankedScore: 0,
    ...(pageUrl !== undefined && { pageUrl }),
  };
  await ctx.db.run(ctx.table('posts').insert(doc, { ...HARD, conflict: 'error' }));
  return toPost(doc);
}

export async function getPost(ctx: Context, id: string): Promise<StoredPost | null> {
  const key = storedId(id);
  return key === undefined ? null : toPost(await ctx.db.run<PostDoc | null>(ctx.table('posts').get(key)));
}

export async function getPostDoc(ctx: Context, id: string): Promise<PostDoc | null> {
  return ctx.db.run<PostDoc | null>(ctx.table('posts').get(id));
}

export async function listPosts(ctx: Context, sort: PostSort, page: PageRequest, includeHidden = false): Promise<Page<StoredPost>> {
  if (!Object.hasOwn(POST_ORDERS, sort)) throw new StoreError('invalid', `Unknown sort ${String(sort)}`);
  const order = POST_ORDERS[sort];
  const limit = pageSize(page);
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, sort, order.kinds, order.valid);
  const posts = ctx.table('posts');
  // Cursor keys are data: they reach ReQL as values of `between`, never as query text.
  const range = after
    ? posts.between(r.minval, [...after.slice(0, -1), String(after.at(-1)).toLowerCase()], { index: sort, rightBound: 'open' })
    : posts;
  const rows = await ctx.db.run<PostDoc[]>(
    range
      .orderBy({ index: r.desc(sort) })
      .filter((row: Term) => (includeHidden ? true : row('hidden').default(false).not()))
      .limit(limit + 1)
      .coerceTo('array'),
  );
  const { items, nextCursor } = toPage(rows, limit, (doc) => encodeCursor(sort, order.keys(doc)));
  return { items: items.map((doc) => toPost(doc)), nextCursor };
}

export async function listPostDates(ctx: Context, limit: number): Promise<PostDates[]> {
  return ctx.db.run<PostDates[]>(
    ctx
      .table('posts')
      .orderBy({ index: r.desc('new') })
      .filter((row: Term) => row('hidden').default(false).not())
      .limit(limit)
      .pluck('id', 'createdAt', 'editedAt')
      .coerceTo('array'),
  );
}

/**
 * Deletes the selected posts with their comments and votes; returns the
 * posts it deleted. A comment or vote written meanwhile finds its post gone
 * when it moves the counters, and removes itself.
 */
export async function removePosts(ctx: Context, selection: Term): Promise<PostDoc[]> {
  const result = await ctx.db.run<WriteResult<PostDoc>>(selection.delete({ ...HARD, returnChanges: true }));
  const deleted = (result.changes ?? []).flatMap((change) => (change.old_val ? [change.old_val] : []));
  if (deleted.length > 0) {
    const ids = r.args(deleted.map((post) => post.id));
    await Promise.all([
      ctx.db.run(ctx.table('comments').getAll(ids, { index: 'postId' }).delete(HARD)),
      ctx.db.run(ctx.table('votes').getAll(ids, { index: 'postId' }).delete(HARD)),
      forgetPosts(
        ctx,
        deleted.map((post) => post.id),
      ),
    ]);
  }
  return deleted;
}

export async function deletePost(ctx: Context, id: string): Promise<boolean> {
  const key = storedId(id);
  if (key === undefined) return false;
  return (await removePosts(ctx, ctx.table('posts').get(key))).length > 0;
}
