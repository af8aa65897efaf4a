import { type Change, commentsRoom, deltaOfChange, type LivePost, POSTS_ROOM, type ResyncDetail } from '@news-forum/protocol';
import { moderatorsRoom, publicCommentChange, publicPostChange } from '../moderation/visibility.js';
import type { Services } from '../services.js';
import { type BatchWindow, EmitBatcher } from './emit-batcher.js';
import { FeedRelay } from './feed-relay.js';
import type { ForumServer } from './forum-socket.js';
import { PostPatches } from './post-patches.js';

/** Sockets of POSTS_ROOM that take changes of posts in `poststreams` batches (`auth.batch: true`); they are in both rooms. */
export const BATCHED_POSTS_ROOM = `${POSTS_ROOM}:batched`;
/** Sockets of POSTS_ROOM that take the same batches as `postdeltas` (`auth.batch: 'deltas'`); they are in both rooms. */
export const DELTA_POSTS_ROOM = `${POSTS_ROOM}:deltas`;
/** Sockets of POSTS_ROOM that take the same batches as `postpatches` (`auth.batch: 'patches'`); they are in both rooms. */
export const PATCH_POSTS_ROOM = `${POSTS_ROOM}:patches`;
/**
 * Readers of POSTS_ROOM that take changes of posts one by one; they are in both rooms. A room of their own
 * spares every change a pass over all the posts room's sockets to leave out those that batch.
 */
export const SINGLE_POSTS_ROOM = `${POSTS_ROOM}:single`;

/** The change feeds relayed to this node's sockets. */
export interface Relays {
  /** Rejects while a feed is reopening. */
  ready(): Promise<void>;
  /** A socket of PATCH_POSTS_ROOM subscribed to the posts: it holds none of them yet. */
  patchesSubscribed(): void;
  close(): Promise<void>;
}

/**
 * Relays the store's change feeds of posts and comments to the rooms that
 * subscribed to them. Only this node's sockets: every node reads the feed
 * itself, so each client gets each change once.
 */
export function startRelays(io: ForumServer, services: Services, options: { coalesceMs: number; batch: BatchWindow }): Relays {
  // One message per window to every batching socket: a busy front page would otherwise cost each client a message per vote.
  // A room without sockets here is skipped: socket.io would encode the message for none.
  const hasSockets = (room: string) => (io.of('/').adapter.rooms.get(room)?.size ?? 0) > 0;
  const patches = new PostPatches();
  const batcher = new EmitBatcher<Change<LivePost>>(options.batch, (changes) => {
    if (hasSockets(BATCHED_POSTS_ROOM)) io.local.to(BATCHED_POSTS_ROOM).emit('poststreams', changes);
    if (hasSockets(DELTA_POSTS_ROOM)) io.local.to(DELTA_POSTS_ROOM).emit('postdeltas', changes.map(deltaOfChange));
    // Patches build on what the room was sent: a batch the room does not get must not count as held.
    if (hasSockets(PATCH_POSTS_ROOM))
      io.local.to(PATCH_POSTS_ROOM).emit(
        'postpatches',
        changes.map((c) => patches.encode(c)),
      );
    else patches.forget();
  });
  const resyncComments = (detail: ResyncDetail) => {
    for (const room of io.of('/').adapter.rooms.keys()) {
      if (room.startsWith(commentsRoom('')))
        io.local.to(room).emit('resync', { topic: 'comments', postId: room.slice(commentsRoom('').length) }, detail);
    }
  };
  // A post hidden from readers takes its thread with it: they leave its comments, and their resubscription finds none.
  // A post deleted takes it from everyone, moderators too: nothing would ever come to its rooms again.
  const endThread = (postId: string, deleted: boolean) => {
    const room = commentsRoom(postId);
    const leaving = deleted ? io.local.in(room) : io.local.in(room).except(moderatorsRoom(room));
    leaving.emit('resync', { topic: 'comments', postId });
    leaving.socketsLeave(deleted ? [room, moderatorsRoom(room)] : room);
  };
  const relays = (['posts', 'comments'] as const).map(
    (table) =>
      new FeedRelay(
        services.store,
        table,
        {
          // Moderators get every change whole, one by one, in their own room; readers what they may see.
          posts: (change) => {
            io.local.to(moderatorsRoom(POSTS_ROOM)).emit('poststream', change);
            if (change.old_val && !change.new_val) endThread(change.old_val.id, true);
            const visible = publicPostChange(change);
            if (!visible) return;
            if (visible.old_val && !visible.new_val && change.new_val) endThread(visible.old_val.id, false);
            io.local.to(SINGLE_POSTS_ROOM).emit('poststream', visible);
            batcher.push(visible);
          },
          comments: (postId, change) => {
            const room = commentsRoom(postId);
            io.local.to(moderatorsRoom(room)).emit('commentstream', change);
            io.local.to(room).except(moderatorsRoom(room)).emit('commentstream', publicCommentChange(change));
          },
          reset: (resetTable, rewound) => {
            const detail: ResyncDetail = rewound ? { rewound: true } : {};
            if (resetTable !== 'posts') return resyncComments(detail);
            // What waits was read before the gap: it goes out before the resync, as it would have one by one.
            batcher.flush();
            patches.forget();
            io.local.to(POSTS_ROOM).emit('resync', { topic: 'posts' }, detail);
          },
        },
        { coalesceMs: options.coalesceMs, logger: services.logger },
      ),
  );
  return {
    async ready() {
      if (!relays.every((relay) => relay.healthy)) throw new Error('change feed is reopening');
    },
    patchesSubscribed: () => patches.forget(),
    async close() {
      await Promise.all(relays.map((relay) => relay.close()));
      batcher.flush();
    },
  };
}
