import type { Caller } from '../auth/caller.js';
import { requireScopes } from '../auth/caller.js';
import type { Handlers } from '../http/handler.js';
import { authorOf } from '../moderation/authorship.js';
import { banEnd } from '../moderation/ban.js';
import { isModerator, publicComment, publicPost } from '../moderation/visibility.js';
import { ProblemError } from '../problem/problem-error.js';
import type { Services } from '../services.js';
import type { AuditRecord, ModerationTarget, StoredComment, StoredPost, UserRecord } from '../store/store.js';
import { publicUser, withMyVoteOf } from './representations.js';

/** The post, or 404 when there is none or the caller may not see it (hidden, and not a moderator). */
async function visiblePost(services: Services, caller: Caller | undefined, id: string): Promise<StoredPost> {
  const post = await services.store.getPost(id);
  if (!post || (post.hidden && !isModerator(caller?.scopes))) throw new ProblemError('not-found', `No post ${id}`);
  return post;
}

async function existingComment(services: Services, postId: string, id: string): Promise<StoredComment> {
  const comment = await services.store.getComment(postId, id);
  if (!comment) throw new ProblemError('not-found', `No comment ${id} on post ${postId}`);
  return comment;
}

/**
 * The account `login`, once `caller` may act on it: only admins act on an
 * admin, so that moderators neither silence the people who appoint them nor
 * undo what one admin did to another.
 */
export async function accountToActOn(services: Services, caller: Caller, login: string): Promise<UserRecord> {
  const target = await services.store.getUser(login);
  if (!target) throw new ProblemError('not-found', `No account ${login}`);
  if (target.scopes.includes('admin')) requireScopes(caller, ['admin']);
  return target;
}

/** A whole number of the largest unit that fits, as in "2 days" or "90 seconds". */
function spanOf(seconds: number): string {
  const [unit, size] = (
    [
      ['day', 86_400],
      ['hour', 3_600],
      ['minute', 60],
    ] as const
  ).find(([, size]) => seconds % size === 0) ?? ['second', 1];
  const count = seconds / size;
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/**
 * Flags hide what enough of them name, so an account flags only once it is
 * FLAG_MIN_ACCOUNT_AGE old: accounts made to hide a post must be made that
 * long ahead. Moderators, who hide at once anyway, flag any time.
 */
async function requireAgeToFlag(services: Services, caller: Caller): Promise<void> {
  const age = services.config.flagMinAccountAgeSeconds;
  if (age === 0 || isModerator(caller.scopes)) return;
  const account = await services.store.getUser(caller.login);
  const from = Date.parse(account?.createdAt ?? '') + age * 1000;
  if (from <= Date.now()) return;
  const when = Number.isNaN(from) ? '' : `: yours can from ${new Date(from).toISOString()}`;
  throw new ProblemError('forbidden', `An account flags once it is ${spanOf(age)} old${when}`);
}

/** A post as `caller` may see it: everything for moderators, else without flags (and 404 once hidden). */
export function postFor<T extends StoredPost>(caller: Caller | undefined, post: T): T {
  if (isModerator(caller?.scopes)) return post;
  const visible = publicPost(post);
  if (!visible) throw new ProblemError('not-found', `No post ${post.id}`);
  return visible as T;
}

export function commentFor(caller: Caller | undefined, comment: StoredComment) {
  return isModerator(caller?.scopes) ? comment : publicComment(comment);
}

function audit(caller: Caller, action: AuditRecord['action'], target: ModerationTarget, reason: string | undefined): AuditRecord {
  return {
    actor: caller.login,
    action,
    targetKind: target.kind,
    targetId: target.kind === 'post' ? target.postId : target.id,
    reason: reason ?? null,
  };
}

/** Who edits: a moderator any time; the author within EDIT_WINDOW; nobody else. */
function editGuard(caller: Caller, author: string | undefined, services: Services) {
  const moderator = isModerator(caller.scopes);
  if (!moderator && caller.login !== author) throw new ProblemError('forbidden', 'Only the author or a moderator may edit this');
  return { editor: caller.login, windowSeconds: moderator ? null : services.config.editWindowSeconds };
}

/**
 * Whether hiding (`hidden`) or restoring an item would change nothing: a
 * moderator hid it already, or it is visible without flags to dismiss. Such a
 * request (a retry whose first answer was lost, a second moderator's click)
 * answers the item as it is, with no second log entry and no new version.
 * Hiding what flags hid is a moderator's decision: it is recorded.
 */
function alreadySo(item: StoredPost | StoredComment, hidden: boolean): boolean {
  return hidden ? item.hidden === true && item.hiddenBy !== 'flags' : !item.hidden && !item.flagCount;
}

export const moderationHandlers = {
  async editPost({ path, body, caller, services }) {
    const post = await visiblePost(services, caller, path.pid);
    const guard = editGuard(caller, authorOf(post), services);
    const target: ModerationTarget = { kind: 'post', postId: post.id };
    const edited = await services.store.editPost(
      post.id,
      { ...body, ...(body.title !== undefined && { title: body.title.trim() }) },
      guard,
      caller.login === post.author ? undefined : audit(caller, 'edit', target, undefined),
    );
    services.reads.posts.fences.expect(caller.login, edited.id, edited.version);
    return { status: 200, body: await withMyVoteOf(postFor(caller, edited), caller, services) };
  },

  async editComment({ path, body, caller, services }) {
    await visiblePost(services, caller, path.pid);
    const comment = await existingComment(services, path.pid, path.id);
    // Readers see a placeholder where a moderator hid it: its author's text is no longer the author's to change.
    if (comment.hidden && !isModerator(caller.scopes))
      throw new ProblemError('forbidden', 'A moderator hid this comment: only a moderator may edit it');
    const guard = editGuard(caller, comment.author, services);
    const target: ModerationTarget = { kind: 'comment', postId: path.pid, id: comment.id };
    const edited = await services.store.editComment(
      path.pid,
      comment.id,
      body.text,
      guard,
      caller.login === comment.author ? undefined : audit(caller, 'edit', target, undefined),
    );
    services.reads.comments.fences.expect(caller.login, edited.id, edited.version, edited.postId);
    return { status: 200, body: commentFor(caller, edited) };
  },

  async flagPost({ path, body, caller, services }) {
    await visiblePost(services, caller, path.pid);
    await requireAgeToFlag(services, caller);
    const version = await services.store.flag({ kind: 'post', postId: path.pid }, caller.login, body.reason, services.config.flagThreshold);
    // A flag that counts changes the item (at the threshold it hides it): its flagger reads that, even while the feed lags.
    if (version !== undefined) services.reads.posts.fences.expect(caller.login, path.pid, version);
    return { status: 204 };
  },

  async flagComment({ path, body, caller, services }) {
    await visiblePost(services, caller, path.pid);
    await requireAgeToFlag(services, caller);
    const target: ModerationTarget = { kind: 'comment', postId: path.pid, id: path.id };
    const version = await services.store.flag(target, caller.login, body.reason, services.config.flagThreshold);
    if (version !== undefined) services.reads.comments.fences.expect(caller.login, path.id, version, path.pid);
    return { status: 204 };
  },

  async hidePost({ path, body, caller, services }) {
    const target: ModerationTarget = { kind: 'post', postId: path.pid };
    const now = await services.store.getPost(path.pid);
    if (now && alreadySo(now, true)) return { status: 200, body: await withMyVoteOf(now, caller, services) };
    const post = (await services.store.setHidden(target, true, audit(caller, 'hide', target, body.reason))) as StoredPost;
    services.reads.posts.fences.expect(caller.login, post.id, post.version);
    return { status: 200, body: await withMyVoteOf(post, caller, services) };
  },

  async restorePost({ path, body, caller, services }) {
    const target: ModerationTarget = { kind: 'post', postId: path.pid };
    const now = await services.store.getPost(path.pid);
    if (now && alreadySo(now, false)) return { status: 200, body: await withMyVoteOf(now, caller, services) };
    const post = (await services.store.setHidden(target, false, audit(caller, 'restore', target, body.reason))) as StoredPost;
    services.reads.posts.fences.expect(caller.login, post.id, post.version);
    return { status: 200, body: await withMyVoteOf(post, caller, services) };
  },

  async hideComment({ path, body, caller, services }) {
    const target: ModerationTarget = { kind: 'comment', postId: path.pid, id: path.id };
    const now = await services.store.getComment(path.pid, path.id);
    if (now && alreadySo(now, true)) return { status: 200, body: now };
    const comment = (await services.store.setHidden(target, true, audit(caller, 'hide', target, body.reason))) as StoredComment;
    services.reads.comments.fences.expect(caller.login, comment.id, comment.version, comment.postId);
    return { status: 200, body: comment };
  },

  async restoreComment({ path, body, caller, services }) {
    const target: ModerationTarget = { kind: 'comment', postId: path.pid, id: path.id };
    const now = await services.store.getComment(path.pid, path.id);
    if (now && alreadySo(now, false)) return { status: 200, body: now };
    const comment = (await services.store.setHidden(target, false, audit(caller, 'restore', target, body.reason))) as StoredComment;
    services.reads.comments.fences.expect(caller.login, comment.id, comment.version, comment.postId);
    return { status: 200, body: comment };
  },

  async lockPost({ path, body, caller, services }) {
    const target: ModerationTarget = { kind: 'post', postId: path.pid };
    const now = await services.store.getPost(path.pid);
    if (now?.locked) return { status: 200, body: await withMyVoteOf(now, caller, services) };
    const post = await services.store.setLocked(path.pid, true, audit(caller, 'lock', target, body.reason));
    services.reads.posts.fences.expect(caller.login, post.id, post.version);
    return { status: 200, body: await withMyVoteOf(post, caller, services) };
  },

  async unlockPost({ path, body, caller, services }) {
    const target: ModerationTarget = { kind: 'post', postId: path.pid };
    const now = await services.store.getPost(path.pid);
    if (now && !now.locked) return { status: 200, body: await withMyVoteOf(now, caller, services) };
    const post = await services.store.setLocked(path.pid, false, audit(caller, 'unlock', target, body.reason));
    services.reads.posts.fences.expect(caller.login, post.id, post.version);
    return { status: 200, body: await withMyVoteOf(post, caller, services) };
  },

  async banUser({ path, body, caller, services }) {
    const until = banEnd(body.until);
    const target = await accountToActOn(services, caller, path.login);
    if (target.login === caller.login) throw new ProblemError('conflict', 'An account cannot ban itself');
    const ban = { until, reason: body.reason ?? null };
    const user = await services.store.setBan(
      path.login,
      ban,
      {
        actor: caller.login,
        action: 'ban',
        targetKind: 'user',
        targetId: path.login,
        reason: ban.reason,
        detail: { until },
      },
      body.hideContent === true,
    );
    services.events.emit('userBanned', user.login);
    return { status: 200, body: { login: user.login, ...ban } };
  },

  async liftBan({ path, body, caller, services }) {
    await accountToActOn(services, caller, path.login);
    const user = await services.store.setBan(path.login, null, {
      actor: caller.login,
      action: 'lift-ban',
      targetKind: 'user',
      targetId: path.login,
      reason: body.reason ?? null,
    });
    return { status: 200, body: publicUser(user) };
  },

  async setUserScopes({ path, body, caller, services }) {
    const user = await services.store.setScopes(path.login, body.scopes, {
      actor: caller.login,
      action: 'set-scopes',
      targetKind: 'user',
      targetId: path.login,
      reason: null,
      detail: { scopes: body.scopes },
    });
    services.events.emit('scopesChanged', user.login);
    return { status: 200, body: publicUser(user) };
  },

  async listModerationQueue({ query, services }) {
    const page = await services.store.listModerationQueue({ limit: query.limit, cursor: query.cursor });
    return { status: 200, body: page };
  },

  async listModerationLog({ query, services }) {
    const page = await services.store.listModerationLog({ limit: query.limit, cursor: query.cursor });
    return { status: 200, body: page };
  },
} satisfies Partial<Handlers>;
