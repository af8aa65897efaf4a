import type { ClientToServerEvents, ServerToClientEvents } from '@news-forum/protocol';
import type { Server, Socket } from 'socket.io';
import type { TokenClaims } from '../auth/tokens.js';

/** What the node keeps per socket. */
export interface SocketData {
  login: string | undefined;
  /**
   * Its token's verified claims (its `jti`, the session version `sv` it carries), against which its account is
   * read again (see reseat); none for anonymous readers.
   */
  token: TokenClaims | undefined;
  /** When its token expires (ms since the epoch), at which the socket is disconnected. */
  expiresAt: number | undefined;
  /** Client address, for limits shared with HTTP. */
  address: string;
  /** How it asked for changes of posts (`auth.batch`): one by one, or in `poststreams`, `postdeltas` or `postpatches` batches. */
  batch: 'none' | 'changes' | 'deltas' | 'patches';
  /** Holds `delete` or `admin`: gets hidden items and flag counts live. */
  moderator: boolean;
  /** Its account was banned at its handshake: a ban begun since ends the socket (see reseat). */
  banned: boolean;
}

/** socket.io typed with the protocol's event maps. */
export type ForumServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type ForumSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
