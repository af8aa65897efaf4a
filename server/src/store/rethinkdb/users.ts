import { randomUUID } from 'node:crypto';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { pageSize, toPage } from '../pages.js';
import type { NewUserRecord, Page, PageRequest, UserRecord } from '../store.js';
import { StoreError } from '../store-error.js';
import type { UserDoc } from './documents.js';
import { HARD, r, type WriteResult } from './reql.js';
import type { Context } from './tables.js';

export async function createUser(ctx: Context, user: NewUserRecord): Promise<UserRecord> {
  const doc: UserDoc = {
    id: randomUUID(),
    login: user.login,
    displayName: user.displayName,
    scopes: user.scopes,
    passwordHash: user.passwordHash,
    createdAt: new Date().toISOString(),
    sessionVersion: 0,
  };
  // The login is the primary key: a second insert of it fails, atomically.
  const result = await ctx.db.run<WriteResult<UserDoc>>(ctx.table('users').insert(doc, { ...HARD, conflict: 'error' }));
  if (result.inserted !== 1) throw new StoreError('conflict', `The login ${user.login} is taken`);
  return toUser(doc);
}

/** An account as the API knows it; documents written before session versions existed have 0. */
export function toUser(doc: UserDoc): UserRecord {
  return { ...doc, sessionVersion: doc.sessionVersion ?? 0 };
}

export async function getUser(ctx: Context, login: string): Promise<UserRecord | null> {
  const doc = await ctx.db.run<UserDoc | null>(ctx.table('users').get(login));
  return doc && toUser(doc);
}

export async function userExists(ctx: Context, login: string): Promise<boolean> {
  return (await getUser(ctx, login)) !== null;
}

export async function listUsers(ctx: Context, page: PageRequest): Promise<Page<UserRecord>> {
  const limit = pageSize(page);
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, 'users', ['string']);
  const users = ctx.table('users');
  const range = after ? users.between(after[0], r.maxval, { leftBound: 'open' }) : users;
  const rows = await ctx.db.run<UserDoc[]>(
    range
      .orderBy({ index: 'login' })
      .limit(limit + 1)
      .coerceTo('array'),
  );
  return toPage(rows.map(toUser), limit, (user) => encodeCursor('users', [user.login]));
}
