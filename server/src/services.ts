import type { EventEmitter } from 'node:events';
import type { PasswordHasher } from './auth/password.js';
import type { Revocations } from './auth/revocations.js';
import type { TokenService } from './auth/tokens.js';
import type { Config } from './config/config.js';
import type { Logger } from './logger.js';
import type { Limits } from './policy/limits.js';
import type { ReadModels } from './reads/read-models.js';
import type { CreatedComment, Store } from './store/store.js';

/** Events between the HTTP layer and the realtime gateway. */
export interface ServerEvents {
  /** An account was deleted: its live sockets must be disconnected on every node. */
  userDeleted: [login: string];
  /** A token was signed out (here or on another node): its sockets on this node must go. */
  tokenRevoked: [jti: string];
  /** The account's tokens older than `sessionVersion` are void (here or on another node): their sockets on this node must go. */
  sessionsEnded: [login: string, sessionVersion: number];
  /** A comment was committed (see routes/comment-created.ts); its notification, if any, goes live. */
  commentCreated: [created: CreatedComment];
  /** An account was banned: its live sockets must be disconnected on every node. */
  userBanned: [login: string];
  /** An account's scopes changed: its live sockets must reconnect, on every node, to be seated with the new ones. */
  scopesChanged: [login: string];
  /**
   * The revoked tokens were read again (periodically, and whenever the bus
   * reconnects) because notices from other nodes may have been lost: so may
   * deletions, bans and scope changes, and the sockets of this node must be
   * checked against the store.
   */
  revocationsReloaded: [];
}

/** What handlers and the gateway share. */
export interface Services {
  config: Config;
  store: Store;
  tokens: TokenService;
  passwords: PasswordHasher;
  limits: Limits;
  /** Signed-out tokens and ended sessions, shared with the other nodes. */
  revocations: Revocations;
  logger: Logger;
  events: EventEmitter<ServerEvents>;
  /** First pages of posts and comments in memory, kept current by the change feed. */
  reads: ReadModels;
}
