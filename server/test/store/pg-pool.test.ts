import { expect, test } from '@jest/globals';
import { POOL_KEPT_CONNECTIONS } from '../../src/store/sql/pg-driver.js';
import { storeFixture } from '../support/store-adapters.js';

const stores = storeFixture('postgres');
// pg's pool closes a connection idle for this long unless it is one of those it keeps.
const POOL_IDLE_TIMEOUT_MS = 10_000;

test('the pool keeps its first connections through a quiet spell and closes the rest', async () => {
  const db = await stores.blank();
  const connections = async () =>
    (
      await db.query<{ n: number }>(
        "SELECT count(*)::integer AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'news-forum'",
      )
    )[0]!.n;
  await Promise.all(Array.from({ length: POOL_KEPT_CONNECTIONS + 2 }, () => db.query('SELECT pg_sleep(0.2)')));
  expect(await connections()).toBe(POOL_KEPT_CONNECTIONS + 2);
  await new Promise((resolve) => setTimeout(resolve, POOL_IDLE_TIMEOUT_MS + 1_500));
  expect(await connections()).toBe(POOL_KEPT_CONNECTIONS);
}, 30_000);
