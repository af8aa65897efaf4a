import {
  COMMENT_SNAPSHOT_LIMIT,
  DEFAULT_PAGE_SIZE,
  DEFAULT_POST_SORT,
  MAX_TOPICS_PER_SOCKET,
  POSTS_ROOM,
  roomOf,
  type SubscribeAck,
  type Topic,
  topicOfRoom,
  type UnsubscribeAck,
} from '@news-forum/protocol';
import { moderatorsRoom, publicComment, publicPost } from '../moderation/visibility.js';
import { schemaValidator } from '../openapi/validation.js';
import { chargeAnswer, snapshotBytes } from '../policy/answer-cost.js';
import { limitKey } from '../policy/client-address.js';
import { ProblemError } from '../problem/problem-error.js';
import { toProblem } from '../problem/to-problem.js';
import { heldComments, heldPosts } from '../reads/held-pages.js';
import type { Services } from '../services.js';
import type { UnsentLimits } from './backpressure.js';
import type { ForumSocket } from './forum-socket.js';
import { BATCHED_POSTS_ROOM, DELTA_POSTS_ROOM, PATCH_POSTS_ROOM, type Relays, SINGLE_POSTS_ROOM } from './relays.js';
import type { UnsentLedger } from './unsent-ledger.js';

/** The posts room of each way a reader takes changes of posts (`auth.batch`). */
const BATCH_ROOMS = { none: SINGLE_POSTS_ROOM, changes: BATCHED_POSTS_ROOM, deltas: DELTA_POSTS_ROOM, patches: PATCH_POSTS_ROOM };

/** The rooms a topic's changes reach a socket through: a reader takes posts in batches (of changes, deltas or patches) or one by one. */
function roomsOf(socket: ForumSocket, topic: Topic): string[] {
  const room = roomOf(topic);
  // Moderators take every change whole and one by one in their own room, never the readers' batches.
  if (socket.data.moderator) return [room, moderatorsRoom(room)];
  if (room !== POSTS_ROOM) return [room];
  return [room, BATCH_ROOMS[socket.data.batch]];
}

const validateTopic = schemaValidator('Topic');
/**
 * Events one socket may send in a second before it is disconnected: far more
 * than any client's views send (its subscribes are limited by
 * RATE_SOCKET_EVENTS_PER_SOCKET besides), and a flood of acknowledged events
 * from one socket is cut before it slows every other client.
 */
const FLOOD_EVENTS_PER_SECOND = 200;

/** A topic from an untrusted client, checked against openapi.yaml's Topic, with the snapshot defaults filled in. */
function parseTopic(value: unknown): Topic {
  const errors = validateTopic(value);
  if (errors.length > 0) throw new ProblemError('bad-request', 'Unknown or malformed topic', { errors });
  const topic = value as Topic;
  if (topic.topic === 'comments') return { topic: 'comments', postId: topic.postId };
  return { topic: 'posts', sort: topic.sort ?? DEFAULT_POST_SORT, limit: topic.limit ?? DEFAULT_PAGE_SIZE };
}

/**
 * The snapshot of a topic, as the socket's moderator or reader sees it. A
 * reader's comes from memory when it holds it: the read models and this
 * node's relays take the same feed, each change within the same turn, so
 * memory has applied every change the rooms were sent before the join, and
 * the socket hears of every later one.
 */
async function snapshot(services: Services, topic: Topic, socket: ForumSocket): Promise<SubscribeAck> {
  const { moderator, login } = socket.data;
  // Read before the snapshot: a feed that reopens on a replaced database in between resyncs the socket anyway.
  const epoch = services.store.epoch === undefined ? {} : { epoch: services.store.epoch };
  if (topic.topic === 'posts') {
    const sort = topic.sort ?? DEFAULT_POST_SORT;
    const limit = topic.limit ?? DEFAULT_PAGE_SIZE;
    const held = moderator ? undefined : await heldPosts(services.reads, login, sort, limit, undefined);
    if (held) return { ok: true, topic: 'posts', ...epoch, snapshot: held.items };
    const page = await services.store.listPosts(sort, { limit }, { includeHidden: moderator });
    return { ok: true, topic: 'posts', ...epoch, snapshot: moderator ? page.items : page.items.flatMap((post) => publicPost(post) ?? []) };
  }
  const missing = () => new ProblemError('not-found', `No post ${topic.postId}`);
  const held = moderator ? undefined : await heldComments(services.reads, login, topic.postId, COMMENT_SNAPSHOT_LIMIT, undefined);
  if (held === null) throw missing();
  if (held) return { ok: true, topic: 'comments', postId: topic.postId, ...epoch, snapshot: held.value.items };
  const post = await services.store.getPost(topic.postId);
  if (!post || (post.hidden && !moderator)) throw missing();
  const page = await services.store.listComments(topic.postId, { limit: COMMENT_SNAPSHOT_LIMIT });
  return { ok: true, topic: 'comments', postId: topic.postId, ...epoch, snapshot: moderator ? page.items : page.items.map(publicComment) };
}

/**
 * `subscribe` and `unsubscribe` of one socket: a subscription joins the
 * topic's room and is acknowledged with a snapshot taken after joining, so
 * no change falls between the snapshot and the stream.
 */
export function handleSubscriptions(
  socket: ForumSocket,
  services: Services,
  relays: Pick<Relays, 'patchesSubscribed'>,
  unsent: { limits: Pick<UnsentLimits, 'maxBytesPerAddress' | 'maxBytesPerNode'>; ledger: UnsentLedger },
): void {
  // Each event may read the database: count it per socket and against the client's HTTP budget.
  const limited = async () =>
    !(await services.limits.allow('socketEventsPerSocket', socket.id)) ||
    !(await services.limits.allow('requestsPerIp', limitKey(socket.data.address)));
  const refusal = (error: unknown) => ({ ok: false as const, error: toProblem(error).toJSON() });
  let second = 0;
  let sent = 0;
  socket.use((_packet, next) => {
    const now = Math.floor(Date.now() / 1000);
    if (now !== second) [second, sent] = [now, 0];
    sent += 1;
    if (sent <= FLOOD_EVENTS_PER_SECOND) return next();
    if (sent === FLOOD_EVENTS_PER_SECOND + 1) {
      services.logger.warn('a socket sent too many events; disconnected', { address: socket.data.address, login: socket.data.login });
      socket.disconnect(true);
    }
  });
  // A socket's topic events are handled one after another, as sent: a subscribe awaits its rate limit before it
  // joins, and an unsubscribe sent after it but handled at once found nothing to leave, acknowledged, and the
  // subscribe then joined a room its client had already left.
  let turn: Promise<void> = Promise.resolve();
  const inTurn =
    <A extends unknown[]>(handler: (...args: A) => Promise<void>) =>
    (...args: A) => {
      turn = turn.then(() => handler(...args)).catch(() => undefined);
    };
  /**
   * An event about a topic: rate-limited when `tooMany` names it, its topic
   * checked, any failure acknowledged as a problem.
   */
  const onTopic = <A>(
    tooMany: string | undefined,
    act: (topic: Topic, ack: (result: A | ReturnType<typeof refusal>) => void) => Promise<void>,
  ) =>
    inTurn(async (raw: unknown, ack: (result: A | ReturnType<typeof refusal>) => void) => {
      if (typeof ack !== 'function') return;
      if (tooMany !== undefined && (await limited())) return ack(refusal(new ProblemError('rate-limited', tooMany)));
      let topic: Topic;
      try {
        topic = parseTopic(raw);
      } catch (error) {
        return ack(refusal(error));
      }
      await act(topic, ack);
    });

  socket.on(
    'subscribe',
    onTopic<SubscribeAck>('Too many subscriptions', async (topic, ack) => {
      // Each snapshot is queued whole for its socket: sockets that subscribe and never read would make the node hold
      // a snapshot apiece (tens of MB each on a page of the longest posts) until it ran out of memory. What one address
      // holds unsent is bounded, and so is what the node holds for everyone; readers subscribe again once read.
      const held = unsent.ledger.held(socket);
      if (held.client > unsent.limits.maxBytesPerAddress) {
        return ack(refusal(new ProblemError('rate-limited', 'Too much already sent to this address is unread: read it first')));
      }
      if (held.all > unsent.limits.maxBytesPerNode) {
        return ack(refusal(new ProblemError('unavailable', 'This node holds too much unsent: subscribe again shortly')));
      }
      const room = roomOf(topic);
      // Views of one socket share the posts room: a failed snapshot must not drop the others.
      const wasIn = socket.rooms.has(room);
      if (!wasIn && [...socket.rooms].filter((joined) => topicOfRoom(joined)).length >= MAX_TOPICS_PER_SOCKET) {
        return ack(
          refusal(new ProblemError('conflict', `A socket follows at most ${MAX_TOPICS_PER_SOCKET} topics: unsubscribe from one first`)),
        );
      }
      try {
        // Join first, then read: every change after the snapshot reaches this socket.
        const joined = socket.join(roomsOf(socket, topic));
        // In the same turn as the join (adapters add a local socket at once), before any batch can go out:
        // from now on this socket is sent each post whole before its patches.
        if (topic.topic === 'posts' && socket.data.batch === 'patches' && !socket.data.moderator) relays.patchesSubscribed();
        await joined;
        const answer = await snapshot(services, topic, socket);
        ack(answer);
        if (answer.ok) {
          // Held unsent from now until the next count; and a snapshot of the longest posts, megabytes, costs the
          // address as a REST page of them does.
          const bytes = snapshotBytes(answer.snapshot);
          unsent.ledger.count(socket, bytes);
          chargeAnswer(services.limits, limitKey(socket.data.address), bytes);
        }
      } catch (error) {
        if (!wasIn) await leaveAll(socket, topic);
        ack(refusal(error));
      }
    }),
  );

  // Leaving reads nothing and is never refused for the rate: a refused leave kept the socket in a room its client
  // had let go, taking changes and counting against its topics until it disconnected.
  socket.on(
    'unsubscribe',
    onTopic<UnsubscribeAck>(undefined, async (topic, ack) => {
      await leaveAll(socket, topic);
      ack({ ok: true });
    }),
  );
}

/**
 * Leaves the topic's rooms in one step: a subscribe handled while an
 * unsubscribe awaited the leave of one room (a view switched in one tick)
 * joined them all again, and the later leave took it out of the others.
 */
function leaveAll(socket: ForumSocket, topic: Topic): Promise<unknown> {
  return Promise.all(roomsOf(socket, topic).map((room) => socket.leave(room)));
}
