import { accountGone } from '../store-error.js';
import type { SqlExecutor } from './driver.js';

/**
 * Takes the KEY SHARE lock on the account that the foreign key of an insert
 * by `login` would take, but before any post lock: deleteUser locks the
 * account and then posts, so every transaction must take them in that order
 * or the two deadlock. Throws `account-gone` when the account is gone
 * (deleted meanwhile: the lock waited for the deletion to commit).
 */
export async function lockAccount(tx: SqlExecutor, login: string): Promise<void> {
  const rows = await tx.query('SELECT 1 FROM users WHERE login = $1 FOR KEY SHARE', [login]);
  if (rows.length === 0) throw accountGone();
}
