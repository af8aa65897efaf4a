import type { Change, ClientToServerEvents, ServerToClientEvents, SubscribeAck, Topic } from '@news-forum/protocol';
import { io, type Socket } from 'socket.io-client';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A real socket.io client, connected (or rejected) before it returns. */
export async function connectSocket(url: string, options: { token?: string; origin?: string } = {}): Promise<TestSocket> {
  const socket: TestSocket = io(url, {
    auth: options.token ? { token: options.token } : {},
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ...(options.origin && { extraHeaders: { origin: options.origin } }),
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
  return socket;
}

export function subscribe(socket: TestSocket, topic: Topic): Promise<SubscribeAck> {
  return socket.timeout(5000).emitWithAck('subscribe', topic);
}

/** Records every change a socket receives, in order. */
export function record<K extends 'poststream' | 'commentstream'>(socket: TestSocket, event: K) {
  const changes: Change<any>[] = [];
  socket.on(event as 'poststream', (change) => changes.push(change));
  return changes;
}

/** Resolves once `predicate` holds, polling; rejects after `timeoutMs`. */
export async function eventually(predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The version rule: a change applies only when newer than what is held. */
export function applyChanges<T extends { id: string; version: number }>(snapshot: T[], changes: Change<T>[]): Map<string, T> {
  const state = new Map(snapshot.map((doc) => [doc.id, doc] as const));
  const versions = new Map(snapshot.map((doc) => [doc.id, doc.version] as const));
  for (const { old_val, new_val } of changes) {
    const doc = new_val ?? old_val;
    if (!doc) continue;
    // A delete carries the last version; treat it as newer than that.
    const version = new_val ? new_val.version : doc.version + 1;
    if ((versions.get(doc.id) ?? 0) >= version) continue;
    versions.set(doc.id, version);
    if (new_val) state.set(doc.id, new_val);
    else state.delete(doc.id);
  }
  return state;
}
