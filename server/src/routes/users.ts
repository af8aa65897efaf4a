import { requireScopes } from '../auth/caller.js';
import type { Handlers } from '../http/handler.js';
import { limitKey } from '../policy/client-address.js';
import { ProblemError } from '../problem/problem-error.js';
import { accountToActOn } from './moderation.js';
import { publicUser } from './representations.js';

export const userHandlers = {
  async listUsers({ query, services }) {
    const page = await services.store.listUsers({ limit: query.limit, cursor: query.cursor });
    return { status: 200, body: { items: page.items.map(publicUser), nextCursor: page.nextCursor } };
  },

  async getUser({ path, services }) {
    const user = await services.store.getUser(path.login);
    if (!user) throw new ProblemError('not-found', `No account ${path.login}`);
    return { status: 200, body: publicUser(user) };
  },

  async createUser({ path, body, caller, req, services }) {
    const { password, displayName, scopes = [] } = body;
    if (scopes.length > 0) {
      if (!caller)
        throw new ProblemError('unauthorized', 'Giving scopes needs a token with the scope admin', {
          headers: { 'WWW-Authenticate': 'Bearer' },
        });
      requireScopes(caller, ['admin']);
    }
    await services.limits.enforce('signupsPerIp', limitKey(req.ip));
    const { login } = path;
    if (await services.store.getUser(login)) throw new ProblemError('conflict', `The login ${login} is taken`);
    const user = await services.store.createUser({
      login,
      displayName: displayName?.trim() || login,
      scopes,
      passwordHash: await services.passwords.hash(password),
    });
    return { status: 201, body: publicUser(user), headers: { Location: `/api/users/${user.login}` } };
  },

  async endSessions({ path, services }) {
    const user = await services.store.endSessions(path.login);
    if (!user) throw new ProblemError('not-found', `No account ${path.login}`);
    await services.revocations.sessionsEnded(user);
    return { status: 204 };
  },

  async deleteUser({ path, caller, services }) {
    // Moderators (`delete`) may not remove the people who appoint them.
    await accountToActOn(services, caller, path.login);
    const audit = {
      actor: caller.login,
      action: 'delete-account' as const,
      targetKind: 'user' as const,
      targetId: path.login,
      reason: null,
    };
    if (!(await services.store.deleteUser(path.login, audit))) throw new ProblemError('not-found', `No account ${path.login}`);
    services.events.emit('userDeleted', path.login);
    return { status: 204 };
  },
} satisfies Partial<Handlers>;
