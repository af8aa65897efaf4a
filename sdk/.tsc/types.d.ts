import type { components, operations, paths } from './generated/openapi.js';
export type { components, operations, paths };
type Schemas = components['schemas'];
/** A post as the API returns it. */
export type Post = Schemas['Post'];
/** A comment as the API returns it. */
export type Comment = Schemas['Comment'];
/** An account (never carries a password hash). */
export type User = Schemas['User'];
/** The answer to a successful login. */
export type Session = Schemas['Session'];
/** RFC 9457 problem details, the body of every error answer. */
export type Problem = Schemas['Problem'];
/** Name, version and instance of the server that answered `GET /api`. */
export type ApiInfo = Schemas['ApiInfo'];
/** Token scope. */
export type Scope = Schemas['Scope'];
/** Orderings of the post list. */
export type PostSort = NonNullable<NonNullable<operations['listPosts']['parameters']['query']>['sort']>;
/** Body of `POST /api/posts`. */
export type NewPost = Schemas['NewPost'];
/** Body of `PUT /api/comments/{pid}`. */
export type NewComment = Schemas['NewComment'];
/** Body of `PUT /api/users/{login}`. */
export type NewUser = Schemas['NewUser'];
/** A page of a paginated list. */
export interface Page<T> {
    items: T[];
    nextCursor: string | null;
}
/** Query of `GET /api/posts`. */
export type PostListQuery = NonNullable<operations['listPosts']['parameters']['query']>;
/** Query of `GET /api/comments/{pid}`. */
export type CommentListQuery = NonNullable<operations['listComments']['parameters']['query']>;
/** Query of `GET /api/users`. */
export type UserListQuery = NonNullable<operations['listUsers']['parameters']['query']>;
//# sourceMappingURL=types.d.ts.map