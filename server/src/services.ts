import type { EventEmitter } from 'node:events';
import type { PasswordHasher } from './auth/password.js';
import type { TokenService } from './auth/tokens.js';
import type { Config } from './config/config.js';
import type { Logger } from './logger.js';
import type { Limits } from './policy/limits.js';
import type { ReadModels } from './reads/read-models.js';
import type { Store } from './store/store.js';

/** Events between the HTTP layer and the realtime gateway. */
export interface ServerEvents {
  /** An account was deleted: its live sockets must be disconnected on every node. */
  userDeleted: [login: string];
}

/** What handlers and the gateway share. */
export interface Services {
  config: Config;
  store: Store;
  tokens: TokenService;
  passwords: PasswordHasher;
  limits: Limits;
  logger: Logger;
  events: EventEmitter<ServerEvents>;
  /** First pages of posts and comments in memory, kept current by the change feed. */
  reads: ReadModels;
}
