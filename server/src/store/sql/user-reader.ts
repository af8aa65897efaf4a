import type { UserRecord } from '../store.js';
import { type BatchOptions, BatchQueue } from './batch-queue.js';
import type { SqlExecutor } from './driver.js';

const READ_USERS = 'SELECT u.login, user_json(u) AS doc FROM users u WHERE u.login = ANY($1::text[])';
/** Logins one statement reads at most. */
const MAX_BATCH = 500;

interface Pending {
  login: string;
  resolve(user: UserRecord | null): void;
  reject(error: unknown): void;
}

/**
 * Reads accounts by login, those asked for together in one statement: every
 * authenticated request reads its account (scopes, session version, ban), and
 * under load these reads were most of the statements a node ran. A read is
 * sent only after it was asked for, so it sees every commit that preceded the
 * call, as a statement of its own would.
 */
export class UserReader {
  readonly #db: () => SqlExecutor;
  readonly #queue: BatchQueue<Pending>;

  constructor(db: () => SqlExecutor, options: Omit<BatchOptions, 'max'>) {
    this.#db = db;
    this.#queue = new BatchQueue((batch) => this.#read(batch), { ...options, max: MAX_BATCH });
  }

  get(login: string): Promise<UserRecord | null> {
    return new Promise((resolve, reject) => this.#queue.push({ login, resolve, reject }));
  }

  async #read(batch: Pending[]): Promise<void> {
    let rows: { login: string; doc: UserRecord }[];
    try {
      rows = await this.#db().query(READ_USERS, [[...new Set(batch.map((pending) => pending.login))]], 'news_forum_read_users');
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    const users = new Map(rows.map((row) => [row.login, row.doc]));
    for (const pending of batch) pending.resolve(users.get(pending.login) ?? null);
  }
}
