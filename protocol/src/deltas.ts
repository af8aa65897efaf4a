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
