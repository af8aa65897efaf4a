import type { Handlers } from '../http/handler.js';
import { limitKey } from '../policy/client-address.js';
import { ProblemError } from '../problem/problem-error.js';
import { publicUser } from './representations.js';

const BAD_CREDENTIALS = 'Wrong login or password';

function gone(): ProblemError {
  return new ProblemError('unauthorized', 'The account of this token no longer exists', {
    headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
  });
}

export const authHandlers = {
  async authenticate({ body, req, services }) {
    const { login, password } = body;
    const { limits, store, passwords, tokens } = services;
    const ip = limitKey(req.ip);
    await limits.enforce('loginsPerIp', ip);
    const key = login.toLowerCase();
    await limits.enforce('failedLoginsPerLoginAndIp', `${key} ${ip}`);
    // Guesses from everywhere together are bounded, but not for where the owner signed in from.
    const known = await limits.knownClients.has(key, ip);
    if (!known) await limits.enforce('failedLoginsPerLogin', key);
    const user = await store.getUser(key);
    // Unknown logins cost one scrypt too, so the answer and its timing are the same.
    const valid = user ? await passwords.verify(password, user.passwordHash) : await passwords.verifyNothing(password);
    if (!user || !valid) throw new ProblemError('unauthorized', BAD_CREDENTIALS, { headers: { 'WWW-Authenticate': 'Bearer' } });
    await limits.reset('failedLoginsPerLoginAndIp', `${key} ${ip}`);
    // Only this attempt leaves the account-wide count of guesses: the owner's success must not give strangers a fresh budget.
    if (!known) await limits.refund('failedLoginsPerLogin', key);
    await limits.knownClients.remember(key, ip);
    const { token, expiresAt } = tokens.issue(user);
    return { status: 200, body: { token, expiresAt, user: publicUser(user) } };
  },

  async logout({ caller, services }) {
    await services.revocations.revokeToken(caller.token);
    return { status: 204 };
  },

  async getMe({ caller, services }) {
    const user = await services.store.getUser(caller.login);
    if (!user) throw gone();
    return { status: 200, body: publicUser(user) };
  },

  async changePassword({ body, caller, req, services }) {
    const { oldPassword, newPassword } = body;
    const { limits, store, passwords, tokens, revocations } = services;
    if (newPassword.normalize('NFKC') === oldPassword.normalize('NFKC')) {
      throw new ProblemError('validation', 'The new password must differ from the current one', {
        errors: [{ pointer: '/body/newPassword', detail: 'must differ from oldPassword' }],
      });
    }
    // A stolen token must not become a way to guess the password: the sign-in limits apply.
    const ip = limitKey(req.ip);
    await limits.enforce('loginsPerIp', ip);
    await limits.enforce('failedLoginsPerLoginAndIp', `${caller.login} ${ip}`);
    const user = await store.getUser(caller.login);
    if (!user || user.id !== caller.id) throw gone();
    if (!(await passwords.verify(oldPassword, user.passwordHash))) throw new ProblemError('forbidden', 'The current password is wrong');
    await limits.reset('failedLoginsPerLoginAndIp', `${caller.login} ${ip}`);
    const changed = await store.setPassword(user.login, await passwords.hash(newPassword));
    if (!changed || changed.id !== user.id) throw gone();
    await revocations.sessionsEnded(changed);
    const { token, expiresAt } = tokens.issue(changed);
    return { status: 200, body: { token, expiresAt, user: publicUser(changed) } };
  },
} satisfies Partial<Handlers>;
