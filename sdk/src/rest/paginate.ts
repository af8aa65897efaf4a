import type { Page } from '@news-forum/protocol';
import type { Result } from './result.js';

/**
 * Every item of every page, fetching the next page only when the consumer
 * gets there. Unlike single calls this throws the call's `RequestError`,
 * because an iterator has no other way to report it.
 */
export async function* paginate<T>(
  fetchPage: (cursor: string | undefined) => Promise<Result<Page<T>>>,
): AsyncGenerator<T, void, undefined> {
  let cursor: string | undefined;
  do {
    const { data, error } = await fetchPage(cursor);
    if (error) throw error;
    yield* data.items;
    cursor = data.nextCursor ?? undefined;
  } while (cursor !== undefined);
}
