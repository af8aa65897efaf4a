import { setTimeout as delay } from 'node:timers/promises';
import type { Store } from './store.js';

/**
 * Resolves once the store answers `ping` (on the SQL stores and RethinkDB, only
 * while its change feed hears commits), or after `timeoutMs` whatever it says.
 */
export async function storeHeard(store: Store, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await store.ping();
      return;
    } catch {
      if (Date.now() >= deadline) return;
    }
    await delay(10);
  }
}
