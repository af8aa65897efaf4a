import { expect } from '@jest/globals';
import type { AsyncCommand } from 'fast-check';
import fc from 'fast-check';
import type { CallOptions, CallResult } from '../support/http-client.js';
import type { ForumModel, ModelToken } from './forum-model.js';

/** The server as the commands see it: requests, counted. */
export interface RealForum {
  call(method: string, path: string, options?: CallOptions): Promise<CallResult>;
  /** The latest token issued to each login (live or not). */
  current: Map<string, ModelToken>;
}

export const LOGINS = ['ana', 'bob', 'cyd', 'dee'] as const;
const MISSING_ID = '00000000-0000-4000-8000-000000000000';

/** Who sends a request: a login's latest token, an older token, no token, or garbage. */
type Actor = { kind: 'login'; login: string } | { kind: 'old'; index: number } | { kind: 'none' } | { kind: 'garbage' };
type Ref = { kind: 'existing'; index: number } | { kind: 'missing' } | { kind: 'malformed' };

const actor: fc.Arbitrary<Actor> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...LOGINS, 'admin').map((login) => ({ kind: 'login', login }) as Actor) },
  { weight: 1, arbitrary: fc.nat().map((index) => ({ kind: 'old', index }) as Actor) },
  { weight: 1, arbitrary: fc.constant({ kind: 'none' } as Actor) },
  { weight: 1, arbitrary: fc.constant({ kind: 'garbage' } as Actor) },
);
const ref: fc.Arbitrary<Ref> = fc.oneof(
  { weight: 8, arbitrary: fc.nat().map((index) => ({ kind: 'existing', index }) as Ref) },
  { weight: 1, arbitrary: fc.constant({ kind: 'missing' } as Ref) },
  { weight: 1, arbitrary: fc.constant({ kind: 'malformed' } as Ref) },
);
const login = fc.constantFrom(...LOGINS);

/** How the server should see the sender. */
type Auth = { kind: 'anonymous' } | { kind: 'bad' } | { kind: 'user'; login: string; admin: boolean };

function resolveActor(a: Actor, model: ForumModel, real: RealForum): { token: string | undefined; auth: Auth } {
  let token: ModelToken | undefined;
  if (a.kind === 'none') return { token: undefined, auth: { kind: 'anonymous' } };
  if (a.kind === 'garbage') return { token: 'not.a.token', auth: { kind: 'bad' } };
  if (a.kind === 'login') token = real.current.get(a.login);
  else token = model.tokens.length > 0 ? model.tokens[a.index % model.tokens.length] : undefined;
  if (!token) return { token: undefined, auth: { kind: 'anonymous' } };
  if (!model.live(token)) return { token: token.token, auth: { kind: 'bad' } };
  return { token: token.token, auth: { kind: 'user', login: token.login, admin: model.isAdmin(token) } };
}

function resolvePost(r: Ref, model: ForumModel): string {
  if (r.kind === 'malformed') return 'not-an-id';
  const ids = [...model.posts.keys()].sort();
  return r.kind === 'missing' || ids.length === 0 ? MISSING_ID : ids[r.index % ids.length]!;
}

function resolveComment(r: Ref, model: ForumModel, postId: string): string {
  if (r.kind === 'malformed') return 'not-an-id';
  // Mostly a comment of this post; sometimes one of another post.
  const own = model.commentsOf(postId).sort();
  const all = [...model.comments.keys()].sort();
  const pool = r.kind === 'existing' && r.index % 5 === 0 ? all : own;
  return r.kind === 'missing' || pool.length === 0 ? MISSING_ID : pool[r.index % pool.length]!;
}

function expectStatus(result: CallResult, expected: number[], what: string): void {
  if (!expected.includes(result.status)) {
    throw new Error(`${what}: expected ${expected.join(' or ')}, got ${result.status} ${JSON.stringify(result.body)}`);
  }
}

/** The status a request needing a signed-in caller gets before anything else is looked at, if any. */
function authFailure(auth: Auth): number | undefined {
  return auth.kind === 'user' ? undefined : 401;
}

function expectPost(body: any, model: ForumModel, id: string): void {
  expect({ id: body.id, ...pickCounters(body) }).toEqual({ id, ...model.counters(id) });
}

function pickCounters(body: any) {
  return { upvotes: body.upvotes, downvotes: body.downvotes, score: body.score, commentCount: body.commentCount };
}

abstract class ForumCommand implements AsyncCommand<ForumModel, RealForum, false> {
  check(): boolean {
    return true;
  }
  abstract run(model: ForumModel, real: RealForum): Promise<void>;
  abstract toString(): string;
}

class SignUp extends ForumCommand {
  constructor(
    readonly login: string,
    readonly validPassword: boolean,
  ) {
    super();
  }
  async run(model: ForumModel, real: RealForum) {
    const password = this.validPassword ? `${this.login}-password-${model.tokens.length}` : 'short';
    const result = await real.call('PUT', `/api/users/${this.login}`, { body: { password } });
    const expected = !this.validPassword ? 422 : model.accounts.has(this.login) ? 409 : 201;
    expectStatus(result, [expected], this.toString());
    if (result.status === 201) {
      model.addAccount(this.login, password);
      expect(result.body).toMatchObject({ login: this.login, scopes: [] });
      // As a user would: sign in with the new account.
      await new SignIn(this.login, true).run(model, real);
    }
  }
  toString() {
    return `signUp(${this.login}, ${this.validPassword ? 'valid' : 'short'} password)`;
  }
}

class SignIn extends ForumCommand {
  constructor(
    readonly login: string,
    readonly right: boolean,
  ) {
    super();
  }
  async run(model: ForumModel, real: RealForum) {
    const account = model.accounts.get(this.login);
    const password = this.right && account ? account.password : 'wrong-password';
    const result = await real.call('POST', '/api/authenticate', { body: { login: this.login, password } });
    expectStatus(result, [account && this.right ? 200 : 401], this.toString());
    if (result.status === 200) {
      const token = { login: this.login, incarnation: account!.incarnation, token: result.body.token as string };
      model.tokens.push(token);
      real.current.set(this.login, token);
    }
  }
  toString() {
    return `signIn(${this.login}, ${this.right ? 'right' : 'wrong'})`;
  }
}

class Me extends ForumCommand {
  constructor(readonly actor: Actor) {
    super();
  }
  async run(model: ForumModel, real: RealForum) {
    const { token, auth } = resolveActor(this.actor, model, real);
    const result = await real.call('GET', '/api/me', { token });
    expectStatus(result, [auth.kind === 'user' ? 200 : 401], this.toString());
    if (auth.kind === 'user') expect(result.body.login).toBe(auth.login);
  }
  toString() {
    return `me(${JSON.stringify(this.actor)})`;
  }
}

class ListUsers extends ForumCommand {
  constructor(readonly actor: Actor) {
    super();
  }
  async run(model: ForumModel, real: RealForum) {
    const { token, auth } = resolveActor(this.actor, model, real);
    const result = await real.call('GET', '/api/users?limit=100', { token });
    expectStatus(result, [authFailure(auth) ?? (auth.kind === 'user' && auth.admin ? 200 : 403)], this.toString());
    if (result.status === 200) {
      expect(result.body.items.map((u: { login: string }) => u.login)).toEqual([...model.accounts.keys()].sort());
    }
  }
  toString() {
    return `listUsers(${JSON.stringify(this.actor)})`;
  }
}

class GetUser extends ForumCommand {
  constructor(
    readonly actor: Actor,
    readonly login: string,
  ) {
    super();
  }
  async run(model: ForumModel, real: RealForum) {
    const { token, auth } = resolveActor(this.actor, model, real);
    const result = await real.call('GET', `/api/users/${this.login}`, { token });
    const allowed = auth.kind === 'user' && auth.admin;
    expectStatus(result, [authFailure(auth) ?? (!allowed ? 403 : model.accounts.has(this.login) ? 200 : 404)], this.toString());
    if (result.status === 200) expect(result.body).not.toHaveProperty('passwordHash');
  }
  toString() {
    return `getUser(${JSON.stringify(this.actor)}, ${this.login})`;
  }
}

class DeleteUser extends ForumCommand {
  constructor(
    readonly actor: Actor,
    readonly login: string,
  ) {
    super();
  }
  async run(model: ForumModel, real: RealForum) {
    const { token, auth } = resolveActor(this.actor, model, real);
    const result = await real.call('DELETE', `/api/users/${this.login}`, { token });
    const allowed = auth.kind === 'user' && auth.admin;
    expectStatus(result, [authFailure(auth) ?? (!allowed ? 403 : model.accounts.has(this.login) ? 204 : 404)], this.toString());
    if (result.status === 204) model.removeAccount(this.login);
  }
  toString() {
    return `deleteUser(${JSON.stringify(this.actor)}, ${this.login})`;
  }
}

class CreatePost extends ForumCommand {
  constructor(
    readonly actor: Actor,
    readonly valid: boolean,
  ) {
    super();
  }
  async run(model: ForumModel, real: RealForum) {
    const { token, auth } = resolveActor(this.actor, model, real);
    const body = this.valid
      ? { title: 'A post', url: 'https://example.com/a', text: 'Body' }
      : { title: '   ', url: 'javascript:alert(1)' };
    const result = await real.call('POST', '/api/posts', { token, body });
    const expected = authFailure(auth) ?? (this.valid ? 201 : 422);
    // An anonymous request with a bad body may be refused for either reason.
    expectStatus(result, auth.kind !== 'user' && !this.valid ? [401, 422] : [expected], this.toString());
    if (result.status === 201 && auth.kind === 'user') {
      model.posts.set(result.body.id, { id: result.body.id, author: auth.login, votes: new Map() });
      expect(result.body).toMatchObject({ author: auth.login, upvotes: 0, downvotes: 0, commentCount: 0 });
    }
  }
  toString() {
    return `createPost(${JSON.stringify(this.actor)}, ${this.valid ? 'valid' : 'invalid'})`;
  }
}

class GetPost extends ForumCommand {
  constructor(readonly post: Ref) {
    super();
  }
  async run(model: ForumModel, real: RealForum) {
    const id = resolvePost(this.post, model);
    const result = await real.call('GET', `/api/posts/${id}`);
    expectStatus(result, this.post.kind === 'malformed' ? [400, 404] : [model.posts.has(id) ? 200 : 404], this.toString());
    if (result.status === 200) expectPost(result.body, model, id);
  }
  toString() {
    return `getPost(${JSON.stringify(this.post)})`;
  }
}

class ListPosts extends ForumCommand {
  constructor(readonly sort: string) {
    super();
  }
  async run(model: ForumModel, real: RealForum) {
    const result = await real.call('GET', `/api/posts?sort=${this.sort}&limit=100`);
    expectStatus(result, [200], this.toString());
    const listed = result.body.items as { id: string }[];
    expect(listed.map((p) => p.id).sort()).toEqual([...model.posts.keys()].sort());
    for (const post of listed) expectPost(post, model, post.id);
  }
  toString() {
    return `listPosts(${this.sort})`;
  }
}

class DeletePost extends ForumCommand {
  constructor(
    readonly actor: Actor,
    readonly post: Ref,
  ) {
    super();
  }
  async run(model: ForumModel, real: RealForum) {
    const { token, auth } = resolveActor(this.actor, model, real);
    const id = resolvePost(this.post, model);
    const result = await real.call('DELETE', `/api/posts/${id}`, { token });
    const post = model.posts.get(id);
    const expected = authFailure(auth) ?? (!post ? 404 : auth.kind === 'user' && (auth.admin || post.author === auth.login) ? 204 : 403);
    expectStatus(result, this.post.kind === 'malformed' && auth.kind === 'user' ? [400, 404] : [expected], this.toString());
    if (result.status === 204) model.removePost(id);
  }
  toString() {
    return `deletePost(${JSON.stringify(this.actor)}, ${JSON.stringify(this.post)})`;
  }
}

const VOTE_ROUTES = { 1: ['POST', 'upvotes'], [-1]: ['POST', 'downvotes'], 0: ['DELETE', 'vote'] } as const;

class Vote extends ForumCommand {
  constructor(
    readonly actor: Actor,
    readonly post: Ref,
    readonly value: 1 | -1 | 0,
  ) {
    super();
  }
  async run(model: ForumModel, real: RealForum) {
    const { token, auth } = resolveActor(this.actor, model, real);
    const id = resolvePost(this.post, model);
    const [method, route] = VOTE_ROUTES[this.value];
    const result = await real.call(method, `/api/posts/${id}/${route}`, { token });
    const post = model.posts.get(id);
    const expected = authFailure(auth) ?? (post ? 200 : 404);
    expectStatus(result, this.post.kind === 'malformed' && auth.kind === 'user' ? [400, 404] : [expected], this.toString());
    if (result.status === 200 && post && auth.kind === 'user') {
      if (this.value === 0) post.votes.delete(auth.login);
      else post.votes.set(auth.login, this.value);
      expectPost(result.body, model, id);
      expect(result.body.myVote).toBe(this.value);
    }
  }
  toString() {
    return `vote(${JSON.stringify(this.actor)}, ${JSON.stringify(this.post)}, ${this.value})`;
  }
}

class ListComments extends ForumCommand {
  constructor(readonly post: Ref) {
    super();
  }
  async run(model: ForumModel, real: RealForum) {
    const id = resolvePost(this.post, model);
    const result = await real.call('GET', `/api/comments/${id}?limit=200`);
    if (model.posts.has(id)) {
      expectStatus(result, [200], this.toString());
      expect((result.body.items as { id: string }[]).map((c) => c.id).sort()).toEqual(model.commentsOf(id).sort());
    } else {
      expectStatus(result, this.post.kind === 'malformed' ? [400, 404] : [404], this.toString());
    }
  }
  toString() {
    return `listComments(${JSON.stringify(this.post)})`;
  }
}

class CreateComment extends ForumCommand {
  constructor(
    readonly actor: Actor,
    readonly post: Ref,
    readonly parent: Ref | null,
    readonly valid: boolean,
  ) {
    super();
  }
  async run(model: ForumModel, real: RealForum) {
    const { token, auth } = resolveActor(this.actor, model, real);
    const postId = resolvePost(this.post, model);
    const parentId = this.parent ? resolveComment(this.parent, model, postId) : null;
    const body = { text: this.valid ? 'A comment' : ' \n ', ...(parentId !== null && { parentId }) };
    const result = await real.call('PUT', `/api/comments/${postId}`, { token, body });
    const parent = parentId === null ? undefined : model.comments.get(parentId);
    const parentFits = parentId === null || parent?.postId === postId;
    const malformed = this.post.kind === 'malformed' || this.parent?.kind === 'malformed';
    let expected: number[];
    if (auth.kind !== 'user') expected = malformed || !this.valid ? [401, 400, 422] : [401];
    else if (malformed || !this.valid) expected = [400, 404, 422];
    else expected = [model.posts.has(postId) && parentFits ? 201 : 404];
    expectStatus(result, expected, this.toString());
    if (result.status === 201 && auth.kind === 'user') {
      model.comments.set(result.body.id, { id: result.body.id, postId, parentId, author: auth.login });
      expect(result.body).toMatchObject({ postId, parentId, author: auth.login });
    }
  }
  toString() {
    return `createComment(${JSON.stringify(this.actor)}, ${JSON.stringify(this.post)}, ${JSON.stringify(this.parent)}, ${this.valid})`;
  }
}

class DeleteComment extends ForumCommand {
  constructor(
    readonly actor: Actor,
    readonly post: Ref,
    readonly comment: Ref,
  ) {
    super();
  }
  async run(model: ForumModel, real: RealForum) {
    const { token, auth } = resolveActor(this.actor, model, real);
    const postId = resolvePost(this.post, model);
    const id = resolveComment(this.comment, model, postId);
    const result = await real.call('DELETE', `/api/comments/${postId}/${id}`, { token });
    const comment = model.comments.get(id);
    const found = comment?.postId === postId;
    const malformed = this.post.kind === 'malformed' || this.comment.kind === 'malformed';
    let expected: number[];
    if (auth.kind !== 'user') expected = [401];
    else if (!found) expected = malformed ? [400, 404] : [404];
    else expected = [auth.admin || comment!.author === auth.login ? 204 : 403];
    expectStatus(result, expected, this.toString());
    if (result.status === 204) model.removeComment(id);
  }
  toString() {
    return `deleteComment(${JSON.stringify(this.actor)}, ${JSON.stringify(this.post)}, ${JSON.stringify(this.comment)})`;
  }
}

class Info extends ForumCommand {
  async run(_model: ForumModel, real: RealForum) {
    const result = await real.call('GET', '/api');
    expectStatus(result, [200], this.toString());
  }
  toString() {
    return 'getApiInfo()';
  }
}

/** Every operation of openapi.yaml, with valid and invalid callers, targets and bodies. */
export const forumCommands: fc.Arbitrary<ForumCommand>[] = [
  fc.tuple(login, fc.boolean()).map(([l, v]) => new SignUp(l, v)),
  fc.tuple(fc.constantFrom(...LOGINS, 'admin'), fc.boolean()).map(([l, r]) => new SignIn(l, r)),
  actor.map((a) => new Me(a)),
  actor.map((a) => new ListUsers(a)),
  fc.tuple(actor, login).map(([a, l]) => new GetUser(a, l)),
  fc.tuple(actor, login).map(([a, l]) => new DeleteUser(a, l)),
  fc.tuple(actor, fc.boolean()).map(([a, v]) => new CreatePost(a, v)),
  ref.map((r) => new GetPost(r)),
  fc.constantFrom('hot', 'new', 'top').map((s) => new ListPosts(s)),
  fc.tuple(actor, ref).map(([a, r]) => new DeletePost(a, r)),
  fc.tuple(actor, ref, fc.constantFrom(1 as const, -1 as const, 0 as const)).map(([a, r, v]) => new Vote(a, r, v)),
  ref.map((r) => new ListComments(r)),
  fc.tuple(actor, ref, fc.option(ref), fc.boolean()).map(([a, r, p, v]) => new CreateComment(a, r, p, v)),
  fc.tuple(actor, ref, ref).map(([a, r, c]) => new DeleteComment(a, r, c)),
  fc.constant(new Info()),
];
