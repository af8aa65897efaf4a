import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Created, IdempotencyKey } from '../store.js';
import { StoreError } from '../store-error.js';
import type { IdempotencyDoc } from './documents.js';
import { HARD, type WriteResult } from './reql.js';
import type { Context } from './tables.js';

/** How long a repeat waits for the first request with its key to finish creating. */
const PENDING_WAIT_MS = 10_000;
const POLL_MS = 20;

export function keyId({ owner, key }: Pick<IdempotencyKey, 'owner' | 'key'>): string {
  return createHash('sha256')
    .update(JSON.stringify([owner, key]))
    .digest('hex');
}

/**
 * Runs `insert` with a fresh id, or, when the idempotency key was used
 * before, returns what that first request created. The key is claimed by an
 * insert that fails when it exists (atomic on its primary key) before the
 * resource is written, and released again when the creation fails; a
 * repeat that finds the key still pending waits for it.
 */
export async function createOnce<T>(
  ctx: Context,
  idempotency: IdempotencyKey | undefined,
  fetch: (id: string) => Promise<T | null>,
  insert: (id: string) => Promise<T>,
): Promise<Created<T>> {
  const id = randomUUID();
  if (!idempotency) return { value: await insert(id), replayed: false };
  const keys = ctx.table('idempotency_keys');
  const claim: IdempotencyDoc = {
    id: keyId(idempotency),
    owner: idempotency.owner,
    key: idempotency.key,
    requestHash: idempotency.requestHash,
    resourceId: id,
    done: false,
    createdAt: new Date().toISOString(),
  };
  const deadline = Date.now() + PENDING_WAIT_MS;
  for (;;) {
    const claimed = await ctx.db.run<WriteResult<IdempotencyDoc>>(keys.insert(claim, { ...HARD, conflict: 'error' }));
    if (claimed.inserted === 1) {
      let value: T;
      try {
        value = await insert(id);
      } catch (error) {
        await ctx.db.run(keys.get(claim.id).delete(HARD)).catch(() => undefined);
        throw error;
      }
      await ctx.db.run(keys.get(claim.id).update({ done: true }, HARD));
      return { value, replayed: false };
    }
    const prior = await ctx.db.run<IdempotencyDoc | null>(keys.get(claim.id));
    // Absent: released (or pruned) in between, claim again.
    if (prior === null) continue;
    if (prior.requestHash !== idempotency.requestHash) throw new StoreError('idempotency-mismatch');
    if (prior.done) {
      const value = await fetch(prior.resourceId);
      if (value === null) throw new StoreError('not-found', 'What this Idempotency-Key created has been deleted');
      return { value, replayed: true };
    }
    if (Date.now() > deadline) throw new StoreError('unavailable', 'The first request with this Idempotency-Key has not finished');
    await delay(POLL_MS);
  }
}

/** Forgets the account's keys: a later account with its login must not inherit them. */
export async function deleteKeysOf(ctx: Context, owner: string): Promise<void> {
  await ctx.db.run(ctx.table('idempotency_keys').getAll(owner, { index: 'owner' }).delete(HARD));
}

/** Forgets keys older than `maxAgeMs`. */
export async function pruneKeys(ctx: Context, maxAgeMs: number): Promise<void> {
  const cut = new Date(Date.now() - maxAgeMs).toISOString();
  await ctx.db.run(ctx.table('idempotency_keys').between('', cut, { index: 'createdAt' }).delete(HARD));
}
