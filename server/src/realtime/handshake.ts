import type { SocketAuth } from '@news-forum/protocol';
import { resolveCaller } from '../auth/caller.js';
import { CLOCK_TOLERANCE_SECONDS } from '../auth/tokens.js';
import { banHolds } from '../moderation/ban.js';
import { isModerator } from '../moderation/visibility.js';
import { clientAddress } from '../policy/client-address.js';
import { ProblemError } from '../problem/problem-error.js';
import { toProblem } from '../problem/to-problem.js';
import type { Services } from '../services.js';
import type { ForumSocket } from './forum-socket.js';

/**
 * socket.io middleware that authenticates a connecting socket from
 * `auth.token` (none: an anonymous reader) and notes its client address.
 * A bad token refuses the connection with the problem as `data`.
 */
export function handshake(services: Services) {
  const addressOf = clientAddress(services.config);
  return async (socket: ForumSocket, next: (error?: Error) => void): Promise<void> => {
    socket.data.address = addressOf(socket.request);
    const { token, batch } = (socket.handshake.auth ?? {}) as SocketAuth;
    socket.data.batch = batch === 'deltas' || batch === 'patches' ? batch : batch === true ? 'changes' : 'none';
    if (token === undefined || token === null || token === '') {
      socket.data.login = undefined;
      socket.data.token = undefined;
      socket.data.expiresAt = undefined;
      socket.data.moderator = false;
      socket.data.banned = false;
      return next();
    }
    try {
      if (typeof token !== 'string') throw new ProblemError('unauthorized', 'The token must be a string');
      const caller = await resolveCaller(token, services);
      socket.data.login = caller.login;
      socket.data.token = caller.token;
      // As long as a request would still take the token: ended sooner, the socket came back with it at once and was
      // admitted, to be ended again, for the whole tolerance.
      socket.data.expiresAt = (caller.token.exp + CLOCK_TOLERANCE_SECONDS) * 1000;
      socket.data.moderator = isModerator(caller.scopes);
      socket.data.banned = banHolds(caller.ban);
      next();
    } catch (error) {
      const problem = toProblem(error).toJSON();
      next(Object.assign(new Error(problem.detail ?? problem.title), { data: problem }));
    }
  };
}
