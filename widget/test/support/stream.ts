import { HeldDocuments, type LivePost, type PatchOrDelta } from '@news-forum/protocol';
import type { Page } from 'playwright-core';

/** A socket.io event the page received: its name and payload. */
export interface StreamEvent {
  name: string;
  data: unknown;
}

/**
 * Records the socket.io events a page receives, over WebSocket frames and
 * long-polling answers alike (socket.io starts with polling and upgrades),
 * so that a test can wait until the page has been sent something. A batch
 * of changes of posts (`postpatches`, which the SDK asks for, `postdeltas`
 * or `poststreams`) is recorded as one `poststream` per change, a patch
 * applied to the post as it was sent last.
 * Start it before the page opens its socket.
 */
export function recordStream(page: Page): { events: StreamEvent[] } {
  const events: StreamEvent[] = [];
  const held = new HeldDocuments<LivePost>();
  // Engine.io joins polled packets with a record separator; `42` is a socket.io event in a message.
  const take = (payload: string) => {
    for (const packet of payload.split('\x1e')) {
      if (!packet.startsWith('42')) continue;
      const [name, data] = JSON.parse(packet.slice(2)) as [string, unknown];
      if (name === 'poststreams') for (const change of data as unknown[]) events.push({ name: 'poststream', data: change });
      else if (name === 'postdeltas' || name === 'postpatches') {
        for (const item of data as PatchOrDelta<LivePost>[]) {
          const change = held.changeOf(item);
          if (change) events.push({ name: 'poststream', data: change });
        }
      } else events.push({ name, data });
    }
  };
  page.on('websocket', (socket) => socket.on('framereceived', ({ payload }) => take(String(payload))));
  page.on('response', async (response) => {
    if (!response.url().includes('/socket.io/') || response.request().method() !== 'GET') return;
    take(await response.text().catch(() => ''));
  });
  return { events };
}
