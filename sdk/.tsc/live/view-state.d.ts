import type { Change } from './events.js';
/** What the view reducer needs of a document. */
export interface Versioned {
    id: string;
    /** Increases on every change of the document. */
    version: number;
}
/** How a view orders and cuts its list. */
export interface ViewSpec<T> {
    compare: (a: T, b: T) => number;
    /** Length of the list; also the size of the snapshots the view asks for. Unlimited when absent. */
    limit?: number | undefined;
}
/**
 * What a live view knows. Never mutated: each step returns a new state, or
 * the same object when nothing changed.
 */
export interface ViewState<T extends Versioned> {
    readonly docs: ReadonlyMap<string, T>;
    /** Last version of each document seen deleted, so a late, older change cannot bring it back. */
    readonly tombstones: ReadonlyMap<string, number>;
    /**
     * The last document of a snapshot cut at the limit (as it was then).
     * Every document ranking above it is known: to get there a document must
     * change, and every change is streamed. Below it the state may miss some.
     */
    readonly horizon: T | undefined;
}
/** A state holding nothing. */
export declare function emptyViewState<T extends Versioned>(): ViewState<T>;
/**
 * Reconciles with a snapshot: the snapshot replaces the held documents,
 * except where the held version is newer, and no tombstoned document
 * returns unless the snapshot has a newer version of it.
 */
export declare function applySnapshot<T extends Versioned>(state: ViewState<T>, snapshot: readonly T[], spec: ViewSpec<T>): ViewState<T>;
/**
 * Applies one `{old_val, new_val}` change under the version rule: an insert
 * or update is dropped unless its version is newer than the held document
 * and any tombstone; a delete removes the document and records a tombstone.
 */
export declare function applyChange<T extends Versioned>(state: ViewState<T>, change: Change<T>): ViewState<T>;
/**
 * The list to show: held documents in order, at most `limit`, and none
 * below the horizon. `complete` is false when fewer than `limit` documents
 * are known for certain (some fell below the horizon or were deleted): the
 * list is then a correct but short prefix, and a new snapshot is needed.
 */
export declare function viewItems<T extends Versioned>(state: ViewState<T>, spec: ViewSpec<T>): {
    items: T[];
    complete: boolean;
};
//# sourceMappingURL=view-state.d.ts.map