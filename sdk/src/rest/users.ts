import type { NewUser, Page, User, UserListQuery } from '@news-forum/protocol';
import { paginate } from './paginate.js';
import { remove } from './remove.js';
import type { CallOptions, Result } from './result.js';
import { mayHaveTakenEffect, type Send } from './transport.js';

/** Accounts: `forum.users`. */
export interface UsersApi {
  /**
   * Creates an account (`PUT /api/users/{login}`); `scopes` need an `admin` token.
   * Retried like any idempotent call. If a retry answers 409 after an
   * attempt that may have created the account, the SDK logs in with the
   * given password (without keeping the token): when that works the account
   * is the one just created and the call succeeds with it (`response` is the
   * login's); otherwise the 409 is returned.
   */
  create(login: string, body: NewUser, options?: CallOptions): Promise<Result<User>>;
  /** One account (scope `read`). */
  get(login: string, options?: CallOptions): Promise<Result<User>>;
  /** A page of accounts by login (scope `read`). */
  list(query?: UserListQuery, options?: CallOptions): Promise<Result<Page<User>>>;
  /**
   * Every account, page by page (scope `read`); throws a `RequestError` on failure.
   *
   * @example
   * for await (const user of forum.users.all()) console.log(user.login);
   */
  all(query?: Omit<UserListQuery, 'cursor'>, options?: CallOptions): AsyncIterable<User>;
  /** Deletes an account and everything it wrote (scope `delete`). */
  delete(login: string, options?: CallOptions): Promise<Result<null>>;
}

export function createUsersApi(send: Send): UsersApi {
  const list = (query: UserListQuery = {}, options?: CallOptions) => send({ method: 'get', path: '/users', query }, options);
  return {
    async create(login, body, options) {
      let maybeDone = false;
      const result = await send(
        {
          method: 'put',
          path: '/users/{login}',
          params: { login },
          body,
          onRetry: (failure) => (maybeDone ||= mayHaveTakenEffect(failure)),
        },
        options,
      );
      if (!maybeDone || result.error?.status !== 409) return result;
      const check = await send({ method: 'post', path: '/authenticate', body: { login, password: body.password } }, options);
      return check.error ? result : { data: check.data.user, error: undefined, response: check.response };
    },
    get: (login, options) => send({ method: 'get', path: '/users/{login}', params: { login } }, options),
    list,
    all: (query = {}, options) => paginate((cursor) => list({ ...query, cursor }, options)),
    delete: (login, options) => remove(send, { method: 'delete', path: '/users/{login}', params: { login } }, options),
  };
}
