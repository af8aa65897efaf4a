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
 * or `poststreams`) is recorded as one `poststream` per change; a delta's
 * `new_val` is its change's, and a patch's the post it was sent last with the
 * patch applied.
 * Start it before the page opens its socket.
 */
export function recordStream(page: Page): { events: StreamEvent[] } {
  const events: StreamEvent[] = [];
  const held = new Map<string, Record<string, unknown>>();
  const changeOf = (item: { id?: string; set?: Record<string, unknown>; new_val?: Record<string, unknown> }) => {
    if (item.set === undefined || item.id === undefined) {
      if (item.new_val) held.set(item.new_val.id as string, item.new_val);
      return item;
    }
    const post = { ...held.get(item.id), ...item.set };
    held.set(item.id, post);
    return { new_val: post };
  };
  // Engine.io joins polled packets with a record separator; `42` is a socket.io event in a message.
  const take = (payload: string) => {
    for (const packet of payload.split('\x1e')) {
      if (!packet.startsWith('42')) continue;
      const [name, data] = JSON.parse(packet.slice(2)) as [string, unknown];
      if (name === 'poststreams' || name === 'postdeltas' || name === 'postpatches')
        for (const change of data as Parameters<typeof changeOf>[0][]) events.push({ name: 'poststream', data: changeOf(change) });
      else events.push({ name, data });
    }
  };
  page.on('websocket', (socket) => socket.on('framereceived', ({ payload }) => take(String(payload))));
  page.on('response', async (response) => {
    if (!response.url().includes('/socket.io/') || response.request().method() !== 'GET') return;
    take(await response.text().catch(() => ''));
  });
  return { events };
}
