import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NewPagePostRecord, StoredPost } from '../store.js';
import { accountGone } from '../store-error.js';
import type { CommentDoc, PostDoc } from './documents.js';
import { getPost, insertPost, removePosts } from './posts.js';
import { HARD, r, type Term, type WriteResult } from './reql.js';
import type { Context } from './tables.js';
import { userExists } from './users.js';

/**
 * Which post is a page's: one document per page, inserted with conflict
 * `error`, so of concurrent first comments exactly one claims the page and
 * creates its post; the others wait for that post.
 */
export interface PageClaimDoc {
  /** sha256 of the normalised URL: primary keys are limited to 127 bytes. */
  id: string;
  pageUrl: string;
  postId: string;
  createdAt: string;
}

// How long a claim may name a post that does not exist yet (its claimer is still inserting it).
const CLAIM_GRACE_MS = 5_000;
const POLL_MS = 25;

export function pageClaimId(pageUrl: string): string {
  return createHash('sha256').update(pageUrl).digest('hex');
}

function claimOf(ctx: Context, pageUrl: string) {
  return ctx.table('page_claims').get(pageClaimId(pageUrl));
}

export async function getPagePost(ctx: Context, pageUrl: string): Promise<StoredPost | null> {
  const claim = await ctx.db.run<PageClaimDoc | null>(claimOf(ctx, pageUrl));
  return claim ? getPost(ctx, claim.postId) : null;
}

/** The post a claim names, once its claimer has inserted it; null when it never comes (the post was deleted). */
async function postOfClaim(ctx: Context, claim: PageClaimDoc): Promise<StoredPost | null> {
  for (;;) {
    const post = await getPost(ctx, claim.postId);
    if (post) return post;
    if (Date.now() - Date.parse(claim.createdAt) > CLAIM_GRACE_MS) return null;
    await sleep(POLL_MS);
  }
}

export async function ensurePagePost(ctx: Context, page: NewPagePostRecord): Promise<StoredPost> {
  for (;;) {
    const claim = await ctx.db.run<PageClaimDoc | null>(claimOf(ctx, page.pageUrl));
    if (claim) {
      const post = await postOfClaim(ctx, claim);
      if (post) return post;
      // The page's post was deleted: free the page, unless someone claimed it again meanwhile.
      await ctx.db.run(
        claimOf(ctx, page.pageUrl).replace((doc: Term) => r.branch(doc.ne(null).and(doc('postId').eq(claim.postId)), null, doc), HARD),
      );
      continue;
    }
    if (!(await userExists(ctx, page.author))) throw accountGone();
    const id = randomUUID();
    const mine: PageClaimDoc = { id: pageClaimId(page.pageUrl), pageUrl: page.pageUrl, postId: id, createdAt: new Date().toISOString() };
    const result = await ctx.db.run<WriteResult<PageClaimDoc>>(ctx.table('page_claims').insert(mine, { ...HARD, conflict: 'error' }));
    if (result.inserted !== 1) continue;
    const post = await insertPost(ctx, id, { title: page.title, url: page.pageUrl, text: null, author: page.author }, page.pageUrl);
    // The account's deletion may have swept its posts before this one existed.
    if (!(await userExists(ctx, page.author))) {
      await removePosts(ctx, ctx.table('posts').get(id));
      await ctx.db.run(claimOf(ctx, page.pageUrl).delete(HARD));
      throw accountGone();
    }
    return post;
  }
}

/** The claims of restored page posts. */
export function claimsOf(posts: readonly StoredPost[]): PageClaimDoc[] {
  return posts.flatMap((post) =>
    post.pageUrl === undefined
      ? []
      : [{ id: pageClaimId(post.pageUrl), pageUrl: post.pageUrl, postId: post.id, createdAt: post.createdAt }],
  );
}

/**
 * Gives each page post of `login` to the author of its oldest comment, the
 * page's discussion being the readers' and not its first commenter's. Run by
 * deleteUser after the comments of `login` went and before its posts go:
 * page posts nobody else commented on stay with `login` and go with it (their
 * claims are freed by the next first comment, see ensurePagePost).
 */
export async function handOverPagePosts(ctx: Context, login: string): Promise<void> {
  const posts = await ctx.db.run<PostDoc[]>(
    ctx
      .table('posts')
      .getAll(login, { index: 'author' })
      .filter((post: Term) => post.hasFields('pageUrl'))
      .coerceTo('array'),
  );
  await Promise.all(
    posts.map(async (post) => {
      const [heir] = await ctx.db.run<CommentDoc[]>(
        ctx
          .table('comments')
          .between([post.id, r.minval, r.minval], [post.id, r.maxval, r.maxval], { index: 'thread' })
          .orderBy({ index: 'thread' })
          .filter((comment: Term) => comment('author').ne(login))
          .limit(1)
          .coerceTo('array'),
      );
      if (!heir) return;
      await ctx.db.run(
        ctx
          .table('posts')
          .get(post.id)
          .update((doc: Term) => r.branch(doc('author').eq(login), { author: heir.author, version: doc('version').add(1) }, {}), HARD),
      );
    }),
  );
}
