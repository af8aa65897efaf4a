import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Comment, NewsForumClient, Post } from '../src/index.js';
import { ADMIN, useForumServer } from './support/forum-server.js';
import { waitFor } from './support/wait.js';

const forum = useForumServer();
let admin: NewsForumClient;
let ana: NewsForumClient;
let bob: NewsForumClient;
let post: Post;
let comment: Comment;

/** Narrows a result to its data, failing the test with the error otherwise. */
function ok<T>(result: { data: T; error: undefined } | { data: undefined; error: Error }): T {
  if (result.error) throw result.error;
  return result.data as T;
}

async function signUp(login: string): Promise<NewsForumClient> {
  const client = forum.client();
  ok(await client.users.create(login, { password: `${login}-password` }));
  ok(await client.login(login, `${login}-password`));
  return client;
}

beforeAll(async () => {
  admin = forum.client();
  ok(await admin.login(ADMIN.login, ADMIN.password));
  [ana, bob] = await Promise.all([signUp('ana'), signUp('bob')]);
  post = ok(await ana.posts.create({ title: 'tpyo' }));
  comment = ok(await bob.comments.create(post.id, { text: 'hi' }));
});

describe('moderation through the SDK', () => {
  it('tells the edit window; the author edits, and live views get the edit with its mark', async () => {
    expect(ok(await ana.info()).editWindowSeconds).toBe(900);
    const view = forum.client().live.comments(post.id).watch();
    await waitFor('snapshot', () => view.items !== undefined);
    const edited = ok(await ana.moderation.editPost(post.id, { title: 'typo' }));
    expect(edited).toMatchObject({ title: 'typo', editedAt: expect.any(String) });
    ok(await bob.moderation.editComment(post.id, comment.id, { text: 'hello' }));
    await waitFor('the edited comment', () => view.items?.[0]?.text === 'hello' && view.items[0].editedAt !== undefined);
    const refused = await bob.moderation.editPost(post.id, { title: 'mine' });
    expect(refused.error?.status).toBe(403);
    view.close();
  });

  it('flags once per reader; moderators hide, restore and lock; readers see the placeholder live', async () => {
    ok(await bob.moderation.flagPost(post.id, 'spam'));
    ok(await bob.moderation.flagPost(post.id, 'spam'));
    expect(ok(await admin.posts.get(post.id)).flagCount).toBe(1);
    const view = forum.client().live.comments(post.id).watch();
    await waitFor('snapshot', () => view.items !== undefined);
    const hidden = ok(await admin.moderation.hideComment(post.id, comment.id, { reason: 'rude' }));
    expect(hidden).toMatchObject({ hidden: true, text: 'hello' });
    await waitFor('the placeholder', () => view.items?.[0]?.hidden === true);
    expect(view.items?.[0]).toMatchObject({ text: 'removed by a moderator' });
    expect(view.items?.[0]?.author).toBeUndefined();
    ok(await admin.moderation.restoreComment(post.id, comment.id));
    await waitFor('the comment back', () => view.items?.[0]?.text === 'hello');
    expect(ok(await admin.moderation.lockPost(post.id)).locked).toBe(true);
    const locked = await bob.comments.create(post.id, { text: 'late' });
    expect(locked.error?.status).toBe(409);
    expect(locked.error?.problem?.type).toBe('urn:news-forum:problem:thread-locked');
    view.close();
  });

  it('bans with a typed 403 naming the end, lifts, sets scopes, reads the queue and the log', async () => {
    ok(await admin.moderation.ban('bob', { until: null, reason: 'spam' }));
    const refused = await bob.posts.create({ title: 'spam' });
    expect(refused.error?.status).toBe(403);
    expect(refused.error?.problem).toMatchObject({ type: 'urn:news-forum:problem:account-banned', bannedUntil: null });
    ok(await admin.moderation.liftBan('bob', { reason: 'appeal' }));
    expect(ok(await admin.moderation.setScopes('bob', ['read', 'delete'])).scopes).toEqual(['read', 'delete']);
    const demote = await admin.moderation.setScopes('admin', []);
    expect(demote.error?.problem?.type).toBe('urn:news-forum:problem:last-admin');
    expect(ok(await admin.moderation.queue()).items.some((item) => item.post?.id === post.id)).toBe(true);
    const actions: string[] = [];
    for await (const entry of admin.moderation.allLog()) actions.push(entry.action);
    expect(actions).toEqual(['set-scopes', 'lift-ban', 'ban', 'lock', 'restore', 'hide']);
  });
});
