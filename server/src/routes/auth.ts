import type { Handlers } from '../http/handler.js';
import { limitKey } from '../policy/client-address.js';
import type { Limits } from '../policy/limits.js';
import { ProblemError } from '../problem/problem-error.js';
import { publicUser } from './representations.js';

const BAD_CREDENTIALS = 'Wrong login or password';

function gone(): ProblemError {
  return new ProblemError('unauthorized', 'The account of this token no longer exists', {
    headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
  });
}

/**
 * Counts an attempt to prove `login`'s password from `ip` against the limits
 * on guessing it (429 when one is spent); the returned function records that
 * the password was right.
 */
async function passwordGuess(limits: Limits, login: string, ip: string): Promise<() => Promise<void>> {
  await limits.enforce('loginsPerIp', ip);
  await limits.enforce('failedLoginsPerLoginAndIp', `${login} ${ip}`);
  // Guesses from everywhere together are bounded, but not for where the owner signed in from.
  const known = await limits.knownClients.has(login, ip);
  if (!known) await limits.enforce('failedLoginsPerLogin', login);
  return async () => {
    await limits.reset('failedLoginsPerLoginAndIp', `${login} ${ip}`);
    // Only this attempt leaves the account-wide count of guesses: the owner's success must not give strangers a fresh budget.
    if (!known) await limits.refund('failedLoginsPerLogin', login);
    await limits.knownClients.remember(login, ip);
  };
}

export const authHandlers = {
  async authenticate({ body, req, services }) {
    const { login, password } = body;
    const { limits, store, passwords, tokens } = services;
    const key = login.toLowerCase();
    const succeeded = await passwordGuess(limits, key, limitKey(req.ip));
    const user = await store.getUser(key);
    // Unknown logins cost one scrypt too, so the answer and its timing are the same.
    const valid = user ? await passwords.verify(password, user.passwordHash) : await passwords.verifyNothing(password);
    if (!user || !valid) throw new ProblemError('unauthorized', BAD_CREDENTIALS, { headers: { 'WWW-Authenticate': 'Bearer' } });
    await succeeded();
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
    // A stolen token must not become a way to guess the password: the sign-in limits apply, from every address together too.
    const succeeded = await passwordGuess(limits, caller.login, limitKey(req.ip));
    const user = await store.getUser(caller.login);
    if (!user || user.id !== caller.id) throw gone();
    if (!(await passwords.verify(oldPassword, user.passwordHash))) throw new ProblemError('forbidden', 'The current password is wrong');
    await succeeded();
    const changed = await store.setPassword(user.login, await passwords.hash(newPassword));
    if (!changed || changed.id !== user.id) throw gone();
    await revocations.sessionsEnded(changed);
    const { token, expiresAt } = tokens.issue(changed);
    return { status: 200, body: { token, expiresAt, user: publicUser(changed) } };
  },
} satisfies Partial<Handlers>;
