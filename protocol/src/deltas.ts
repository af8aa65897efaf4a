import type { Change } from './events.js';

/**
 * A change as it travels in a `postdeltas` batch: the same change as a
 * {@link Change} in about half the bytes. An insert carries `new_val`; a
 * delete, `old_val`; an update, `new_val` whole and of the old document only
 * what differed: `was`, the old values of the fields that changed, and
 * `lacked`, the fields the old document did not have. {@link changeOfDelta}
 * gives the change back exactly.
 *
 * @example
 * socket.on('postdeltas', (deltas) => {
 *   for (const { old_val, new_val } of deltas.map(changeOfDelta)) render(old_val, new_val);
 * });
 */
export type Delta<T> = { new_val: T; was?: Partial<T>; lacked?: (keyof T & string)[] } | { old_val: T | null };

/**
 * The delta of a change of documents whose fields hold JSON scalars (as
 * posts' do): fields are compared with `===`.
 */
export function deltaOfChange<T extends object>(change: Change<T>): Delta<T> {
  const { old_val: before, new_val: after } = change;
  if (after === null) return { old_val: before };
  if (before === null) return { new_val: after };
  const was: Partial<T> = {};
  const lacked: (keyof T & string)[] = [];
  for (const key of Object.keys(after) as (keyof T & string)[]) {
    if (!Object.hasOwn(before, key)) lacked.push(key);
    else if (before[key] !== after[key]) was[key] = before[key];
  }
  // Fields the new document dropped (a post no longer locked) go back whole.
  for (const key of Object.keys(before) as (keyof T & string)[]) if (!Object.hasOwn(after, key)) was[key] = before[key];
  return lacked.length > 0 ? { new_val: after, was, lacked } : { new_val: after, was };
}

/** The change a delta carries. */
export function changeOfDelta<T extends object>(delta: Delta<T>): Change<T> {
  if (!('new_val' in delta)) return { old_val: delta.old_val, new_val: null };
  const { new_val: after, was, lacked } = delta;
  if (was === undefined) return { old_val: null, new_val: after };
  const before: Partial<T> = { ...after, ...was };
  for (const key of lacked ?? []) delete before[key];
  return { old_val: before as T, new_val: after };
}

/**
 * An update of a document the socket already holds, as what it changed:
 * `set`, the new values of the fields that changed or appeared; `base`, the
 * version it applies to. Sent in `postpatches`, only for a post the socket
 * was sent whole (as a {@link Delta}) since it last subscribed, and only
 * when no field went away. {@link changeOfPatch} gives the change back from
 * the held document.
 */
export interface Patch<T> {
  id: string;
  base: number;
  set: Partial<T>;
}

/** What a `postpatches` batch carries: a patch for an update of a held post, else a {@link Delta}. */
export type PatchOrDelta<T> = Patch<T> | Delta<T>;

/** Whether `item` is a {@link Patch}. */
export function isPatch<T>(item: PatchOrDelta<T>): item is Patch<T> {
  return 'set' in item;
}

/** The patch of an update that drops no field; undefined for inserts, deletes and updates that drop one. */
export function patchOfChange<T extends { id: string; version: number }>(change: Change<T>): Patch<T> | undefined {
  const { old_val: before, new_val: after } = change;
  if (before === null || after === null) return undefined;
  const set: Partial<T> = {};
  for (const key of Object.keys(before) as (keyof T & string)[]) if (!Object.hasOwn(after, key)) return undefined;
  for (const key of Object.keys(after) as (keyof T & string)[]) if (before[key] !== after[key]) set[key] = after[key];
  return { id: after.id, base: before.version, set };
}

/**
 * The change a patch carries, from the document held for it; undefined when
 * none is held or the held one is not at the patch's base version (a change
 * went missing: take a snapshot again).
 */
export function changeOfPatch<T extends { version: number }>(held: T | undefined, patch: Patch<T>): Change<T> | undefined {
  if (held === undefined || held.version !== patch.base) return undefined;
  return { old_val: held, new_val: { ...held, ...patch.set } };
}
