import type { Page } from '../types.js';
import type { Result } from './result.js';
/**
 * Every item of every page, fetching the next page only when the consumer
 * gets there. Unlike single calls this throws the call's `RequestError`,
 * because an iterator has no other way to report it.
 */
export declare function paginate<T>(fetchPage: (cursor: string | undefined) => Promise<Result<Page<T>>>): AsyncGenerator<T, void, undefined>;
//# sourceMappingURL=paginate.d.ts.map