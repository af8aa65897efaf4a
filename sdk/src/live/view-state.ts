import type { Change } from '@news-forum/protocol';

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
  /**
   * For a view without `limit` whose topic's snapshots are still cut (the
   * server sends at most this many documents, the first in order): a full
   * snapshot says nothing about documents ranking after its last, so held
   * ones there are kept rather than dropped. Their changes are streamed.
   */
  snapshotLimit?: number | undefined;
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
export function emptyViewState<T extends Versioned>(): ViewState<T> {
  return { docs: new Map(), tombstones: new Map(), horizon: undefined };
}

/**
 * Reconciles with a snapshot: the snapshot replaces the held documents,
 * except where the held version is newer, and no tombstoned document
 * returns unless the snapshot has a newer version of it. Only tombstones
 * the snapshot lags behind are kept: the feed drops late changes of the
 * documents it lacks, and pages read before it are discarded.
 */
export function applySnapshot<T extends Versioned>(state: ViewState<T>, snapshot: readonly T[], spec: ViewSpec<T>): ViewState<T> {
  const docs = new Map<string, T>();
  for (const doc of snapshot) {
    if (doc.version <= (state.tombstones.get(doc.id) ?? 0)) continue;
    const held = state.docs.get(doc.id);
    docs.set(doc.id, held && held.version > doc.version ? held : doc);
  }
  if (isCutSnapshot(snapshot, spec)) {
    const last = snapshot.reduce((a, b) => (spec.compare(b, a) > 0 ? b : a));
    for (const held of state.docs.values()) if (!docs.has(held.id) && spec.compare(held, last) > 0) docs.set(held.id, held);
  }
  const cut = spec.limit !== undefined && snapshot.length >= spec.limit;
  const horizon = cut ? snapshot.reduce((last, doc) => (spec.compare(doc, last) > 0 ? doc : last)) : undefined;
  const tombstones = new Map<string, number>();
  for (const doc of snapshot) {
    const deleted = state.tombstones.get(doc.id);
    if (deleted !== undefined && doc.version <= deleted) tombstones.set(doc.id, deleted);
  }
  return { docs, tombstones, horizon };
}

/**
 * Whether a snapshot was cut at the topic's `snapshotLimit`, so that more
 * documents may follow its last (to be streamed or paged in).
 */
export function isCutSnapshot<T>(snapshot: readonly T[], spec: ViewSpec<T>): boolean {
  return spec.snapshotLimit !== undefined && snapshot.length > 0 && snapshot.length >= spec.snapshotLimit;
}

/**
 * Held documents ranking after the last of a cut snapshot: after a gap in
 * the stream they may have been deleted meanwhile, and documents may have
 * been added among them, so they need checking against the pages.
 */
export function heldBeyond<T extends Versioned>(state: ViewState<T>, snapshot: readonly T[], spec: ViewSpec<T>): T[] {
  if (!isCutSnapshot(snapshot, spec)) return [];
  const last = snapshot.reduce((a, b) => (spec.compare(b, a) > 0 ? b : a));
  return [...state.docs.values()].filter((doc) => spec.compare(doc, last) > 0);
}

/**
 * Drops documents the pages showed gone: held when the check began, not
 * changed since (a change proves them alive), absent from every page read,
 * and ranking no lower than `reached` (the last paged; undefined when the
 * pages went to the end). Each gets a tombstone just below its version, so a
 * late, older change cannot bring it back, but the same version can: pages
 * from a node whose feed lags lack what another node already streamed, and
 * that node streams it again when it catches up (a deletion never does).
 */
export function dropUnseen<T extends Versioned>(
  state: ViewState<T>,
  checked: readonly T[],
  seen: ReadonlySet<string>,
  reached: T | undefined,
  spec: ViewSpec<T>,
): ViewState<T> {
  const gone = checked.filter(
    (doc) => !seen.has(doc.id) && state.docs.get(doc.id) === doc && (!reached || spec.compare(doc, reached) <= 0),
  );
  if (!gone.length) return state;
  const docs = new Map(state.docs);
  const tombstones = new Map(state.tombstones);
  for (const doc of gone) {
    docs.delete(doc.id);
    // Versions are integers: half a step below lets this version in again, and nothing older.
    tombstones.set(doc.id, doc.version - 0.5);
  }
  return { ...state, docs, tombstones };
}

/**
 * Takes in a page of documents fetched by REST, each as an insert under the
 * version rule: a page read before a change or a delete cannot undo it.
 */
export function applyPage<T extends Versioned>(state: ViewState<T>, page: readonly T[], spec: ViewSpec<T>): ViewState<T> {
  return page.reduce((next, doc) => applyChange(next, { old_val: null, new_val: doc }, spec), state);
}

/**
 * Applies one `{old_val, new_val}` change under the version rule: an insert
 * or update is dropped unless its version is newer than the held document
 * and any tombstone; a delete removes the document and records a tombstone.
 * A document that ranks below the horizon is not held.
 */
export function applyChange<T extends Versioned>(state: ViewState<T>, change: Change<T>, spec: ViewSpec<T>): ViewState<T> {
  const { old_val: before, new_val: after } = change;
  if (after) {
    const held = state.docs.get(after.id);
    const known = Math.max(held?.version ?? 0, state.tombstones.get(after.id) ?? 0);
    if (after.version <= known) return state;
    // Never shown there, it would only pile up; the change that raises it above the horizon brings it back.
    if (state.horizon && spec.compare(after, state.horizon) > 0) {
      if (!held) return state;
      const docs = new Map(state.docs);
      docs.delete(after.id);
      return { ...state, docs };
    }
    return { ...state, docs: new Map(state.docs).set(after.id, after) };
  }
  if (!before) return state;
  const held = state.docs.get(before.id);
  const version = Math.max(before.version, held?.version ?? 0, state.tombstones.get(before.id) ?? 0);
  if (!held && state.tombstones.get(before.id) === version) return state;
  const docs = new Map(state.docs);
  docs.delete(before.id);
  return { ...state, docs, tombstones: new Map(state.tombstones).set(before.id, version) };
}

/**
 * The list to show: held documents in order, at most `limit`, and none
 * below the horizon. `complete` is false when fewer than `limit` documents
 * are known for certain (some fell below the horizon or were deleted): the
 * list is then a correct but short prefix, and a new snapshot is needed.
 */
export function viewItems<T extends Versioned>(state: ViewState<T>, spec: ViewSpec<T>): { items: T[]; complete: boolean } {
  const { horizon } = state;
  const limit = spec.limit ?? Infinity;
  const known = [...state.docs.values()].filter((doc) => !horizon || spec.compare(doc, horizon) <= 0);
  const items = known.sort(spec.compare).slice(0, limit);
  return { items, complete: !horizon || items.length >= limit };
}
