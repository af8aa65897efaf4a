import type { ForumServer, ForumSocket } from './forum-socket.js';
import type { UnsentLedger } from './unsent-ledger.js';

/** How much a socket may hold unsent, and for how long. */
export interface UnsentLimits {
  /** Unsent bytes a socket may keep past `graceMs`: a few dozen of the largest changes. */
  maxBytes: number;
  /** How long a socket may stay over `maxBytes` while it reads, as a reader on a slow link does with a big snapshot. */
  graceMs: number;
  /** Unsent bytes after which a socket goes at once: above the largest snapshot (100 posts of 40,000 four-byte characters, 16 MB). */
  hardMaxBytes: number;
  /** Unsent bytes the sockets of one client (its address; an IPv6 one by its /64) may hold together before its subscriptions are refused. */
  maxBytesPerAddress: number;
  /** Unsent bytes all sockets of the node may hold together before every new subscription is refused. */
  maxBytesPerNode: number;
}

export const DEFAULT_UNSENT_LIMITS: UnsentLimits = {
  maxBytes: 4 * 1024 * 1024,
  graceMs: 10_000,
  hardMaxBytes: 32 * 1024 * 1024,
  maxBytesPerAddress: 32 * 1024 * 1024,
  maxBytesPerNode: 256 * 1024 * 1024,
};
const CHECK_MS = 500;

interface EnginePacket {
  data?: string | Buffer | ArrayBuffer;
}

interface EngineConnection {
  writeBuffer?: EnginePacket[];
  transport?: { socket?: { bufferedAmount?: number; terminate?: () => void } };
}

/** Bytes queued for a socket: engine.io's write buffer, and what its WebSocket has not handed to the kernel. */
export function unsentBytes(socket: ForumSocket): number {
  const conn = socket.conn as unknown as EngineConnection;
  let bytes = conn.transport?.socket?.bufferedAmount ?? 0;
  for (const packet of conn.writeBuffer ?? []) {
    const { data } = packet;
    bytes += typeof data === 'string' ? data.length : (data?.byteLength ?? 0);
  }
  return bytes;
}

/**
 * Whether a socket that has held `unsent` bytes since `overSince` (undefined
 * when it was last under `maxBytes`) must go at `now`.
 */
export function overLimits(
  unsent: number,
  overSince: number | undefined,
  now: number,
  limits: Pick<UnsentLimits, 'maxBytes' | 'graceMs' | 'hardMaxBytes'>,
): boolean {
  if (unsent > limits.hardMaxBytes) return true;
  return unsent > limits.maxBytes && overSince !== undefined && now - overSince >= limits.graceMs;
}

/**
 * Disconnects the sockets of this node that hold more unsent data than
 * `limits` allow: a client that stops reading would otherwise make the
 * server hold every change for it. A client that reads slowly keeps its
 * socket while it comes back under `maxBytes` within `graceMs`. It resyncs
 * when it connects again. Each check also counts, in `ledger`, what every
 * client and the node hold. Returns the stop function.
 */
export function limitUnsent(io: ForumServer, limits: UnsentLimits, ledger: UnsentLedger): () => void {
  const overSince = new WeakMap<ForumSocket, number>();
  const timer = setInterval(() => {
    const now = Date.now();
    ledger.reset();
    for (const socket of io.of('/').sockets.values()) {
      const unsent = unsentBytes(socket);
      ledger.count(socket, unsent);
      if (unsent <= limits.maxBytes) {
        overSince.delete(socket);
        continue;
      }
      const since = overSince.get(socket);
      if (since === undefined) overSince.set(socket, now);
      if (!overLimits(unsent, since, now, limits)) continue;
      const transport = (socket.conn as unknown as EngineConnection).transport;
      socket.disconnect(true);
      // A graceful close would queue behind what is unsent: drop it now.
      transport?.socket?.terminate?.();
    }
  }, CHECK_MS).unref();
  return () => clearInterval(timer);
}
