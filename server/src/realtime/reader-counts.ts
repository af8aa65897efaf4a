import { POSTS_ROOM, topicOfRoom } from '@news-forum/protocol';
import type { ForumServer } from './forum-socket.js';
import { FrontReaders } from './front-readers.js';
import { ONLINE, type PresenceShare } from './presence-share.js';

/**
 * Every period: this node's sockets and the readers of each topic room it
 * holds (room sizes, read from the adapter, and the front page's readers
 * kept by FrontReaders: O(topics), not O(sockets)) go
 * to `share`, which answers with the totals over all nodes. A topic's room
 * gets `{online, topic, reading}` when its total changed (or a reader
 * joined it since, who has not heard it yet); everyone gets `{online}` when
 * the number of sockets changed.
 */
export function startCounts(io: ForumServer, share: PresenceShare, periodMs: number): { close(): Promise<void> } {
  const adapter = io.of('/').adapter;
  const topicRooms = new Set<string>();
  const heard = new Map<string, number>();
  const joined = new Set<string>();
  const onCreate = (room: string) => topicOfRoom(room) && topicRooms.add(room);
  const onDelete = (room: string) => {
    topicRooms.delete(room);
    heard.delete(room);
  };
  const front = new FrontReaders();
  const onJoin = (room: string, id: string) => {
    front.joined(room, id);
    if (topicRooms.has(room)) joined.add(room);
  };
  const onLeave = (room: string, id: string) => front.left(room, id);
  adapter.on('create-room', onCreate);
  adapter.on('delete-room', onDelete);
  adapter.on('join-room', onJoin);
  adapter.on('leave-room', onLeave);

  let online = -1;
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const local = new Map<string, number>([[ONLINE, io.of('/').sockets.size]]);
      for (const room of topicRooms) local.set(room, room === POSTS_ROOM ? front.count : (adapter.rooms.get(room)?.size ?? 0));
      const totals = await share.exchange(local);
      if (!totals) return;
      const total = totals.get(ONLINE) ?? 0;
      if (total !== online) {
        online = total;
        io.local.emit('presence', { online });
      }
      for (const room of topicRooms) {
        const reading = totals.get(room) ?? 0;
        if (heard.get(room) === reading && !joined.has(room)) continue;
        heard.set(room, reading);
        const topic = topicOfRoom(room);
        if (topic) io.local.to(room).emit('presence', { online, topic, reading });
      }
      joined.clear();
    } catch {
      // Redis or another node did not answer in time; try again next period.
    } finally {
      running = false;
    }
  };
  const timer = setInterval(tick, periodMs).unref();
  return {
    async close() {
      clearInterval(timer);
      adapter.off('create-room', onCreate);
      adapter.off('delete-room', onDelete);
      adapter.off('join-room', onJoin);
      adapter.off('leave-room', onLeave);
      await share.close();
    },
  };
}
