import type { Handlers } from '../http/handler.js';
import { ProblemError } from '../problem/problem-error.js';
import { publicUser } from './representations.js';

const BAD_CREDENTIALS = 'Wrong login or password';

export const authHandlers = {
  async authenticate({ body, req, services }) {
    const { login, password } = body;
    const { limits, store, passwords, tokens } = services;
    const ip = req.ip ?? 'unknown';
    limits.enforce('loginsPerIp', ip);
    const key = login.toLowerCase();
    limits.enforce('failedLoginsPerLoginAndIp', `${key} ${ip}`);
    // Guesses from everywhere together are bounded, but not for where the owner signed in from.
    const known = limits.knownClients.has(key, ip);
    if (!known) limits.enforce('failedLoginsPerLogin', key);
    const user = await store.getUser(key);
    // Unknown logins cost one scrypt too, so the answer and its timing are the same.
    const valid = user ? await passwords.verify(password, user.passwordHash) : await passwords.verifyNothing(password);
    if (!user || !valid) throw new ProblemError('unauthorized', BAD_CREDENTIALS, { headers: { 'WWW-Authenticate': 'Bearer' } });
    limits.reset('failedLoginsPerLoginAndIp', `${key} ${ip}`);
    // Only this attempt leaves the account-wide count of guesses: the owner's success must not give strangers a fresh budget.
    if (!known) limits.refund('failedLoginsPerLogin', key);
    limits.knownClients.remember(key, ip);
    const { token, expiresAt } = tokens.issue(user);
    return { status: 200, body: { token, expiresAt, user: publicUser(user) } };
  },

  async getMe({ caller, services }) {
    const user = await services.store.getUser(caller.login);
    if (!user) throw new ProblemError('unauthorized', 'The account of this token no longer exists');
    return { status: 200, body: publicUser(user) };
  },
} satisfies Partial<Handlers>;
