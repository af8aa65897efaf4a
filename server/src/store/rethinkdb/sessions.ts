import type { RevokedToken, UserRecord } from '../store.js';
import { StoreError } from '../store-error.js';
import type { UserDoc } from './documents.js';
import { HARD, r, type WriteResult } from './reql.js';
import type { Context } from './tables.js';
import { toUser } from './users.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One atomic update of the account document: `changes` plus a raised session version. */
async function raiseSessionVersion(ctx: Context, login: string, changes: Partial<UserDoc>): Promise<UserRecord | null> {
  const result = await ctx.db.run<WriteResult<UserDoc>>(
    ctx
      .table('users')
      .get(login)
      .update((user: unknown) => ({ ...changes, sessionVersion: r.expr(user)('sessionVersion').default(0).add(1) }), {
        ...HARD,
        returnChanges: true,
      }),
  );
  const changed = result.changes?.[0]?.new_val;
  return changed ? toUser(changed) : null;
}

export function setPassword(ctx: Context, login: string, passwordHash: string): Promise<UserRecord | null> {
  return raiseSessionVersion(ctx, login, { passwordHash });
}

export function endSessions(ctx: Context, login: string): Promise<UserRecord | null> {
  return raiseSessionVersion(ctx, login, {});
}

export async function revokeToken(ctx: Context, token: RevokedToken): Promise<void> {
  if (!UUID.test(token.jti) || !UUID.test(token.accountId)) throw new StoreError('invalid', 'A token id and an account id are UUIDs');
  const expiresAt = new Date(token.expiresAt);
  if (Number.isNaN(expiresAt.getTime())) throw new StoreError('invalid', 'Invalid expiry');
  const owners = await ctx.db.run<unknown[]>(ctx.table('users').filter({ id: token.accountId }).limit(1).coerceTo('array'));
  if (owners.length === 0) return;
  const doc = { jti: token.jti.toLowerCase(), accountId: token.accountId.toLowerCase(), expiresAt: expiresAt.toISOString() };
  await ctx.db.run(ctx.table('revoked_tokens').insert(doc, { ...HARD, conflict: () => r.expr(doc) }));
}

export async function listRevokedTokens(ctx: Context): Promise<RevokedToken[]> {
  const now = new Date().toISOString();
  return ctx.db.run<RevokedToken[]>(
    ctx
      .table('revoked_tokens')
      .between(now, r.maxval, { index: 'expiresAt', leftBound: 'open' })
      .pluck('jti', 'accountId', 'expiresAt')
      .coerceTo('array'),
  );
}

/** Forgets revoked tokens that have expired: they are refused for their expiry anyway. */
export async function pruneRevoked(ctx: Context): Promise<void> {
  const now = new Date().toISOString();
  await ctx.db.run(ctx.table('revoked_tokens').between(r.minval, now, { index: 'expiresAt' }).delete(HARD));
}
