import type { NewUser, Page, User, UserListQuery } from '../types.js';
import type { CallOptions, Result } from './result.js';
import { type Send } from './transport.js';
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
export declare function createUsersApi(send: Send): UsersApi;
//# sourceMappingURL=users.d.ts.map