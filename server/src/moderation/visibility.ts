import type { Comment, HiddenBy, LivePost } from '@news-forum/protocol';
import type { Change, StoredComment, StoredPost } from '../store/store.js';

/** What readers see of a hidden comment's text, by who hid it: readers are not told a moderator acted where only flags did. */
export const PLACEHOLDERS: Readonly<Record<HiddenBy, string>> = {
  moderator: 'removed by a moderator',
  flags: 'hidden after flags, pending review',
};

/** The placeholder of an item hidden by `by`; one hidden before the reason was kept reads as a moderator's, as it did. */
export function placeholderOf(by: HiddenBy | undefined): string {
  return PLACEHOLDERS[by ?? 'moderator'];
}

// Moderators (scope `delete`) and admins see hidden items and flag counts; the widget asks the same.
export { isModerator } from '@news-forum/protocol';

/** The room that a moderator's socket joins beside a topic's room: it gets hidden items and flag counts there. */
export function moderatorsRoom(room: string): string {
  return `moderators:${room}`;
}

/** A post as readers see it: none when hidden, never its flag count. */
export function publicPost(post: StoredPost): LivePost | null {
  if (post.hidden) return null;
  const { flagCount: _, ...rest } = post;
  return rest;
}

/** A comment as readers see it: a hidden one as a placeholder without author; never its flag count. */
export function publicComment(comment: StoredComment): Comment {
  const { flagCount: _, ...rest } = comment;
  if (!rest.hidden) return rest;
  const { author: __, ...placeholder } = rest;
  return { ...placeholder, text: placeholderOf(placeholder.hiddenBy) };
}

/**
 * A change as readers see it: a post hidden leaves (a deletion), one
 * restored arrives (an insertion); null when readers see neither side.
 */
export function publicPostChange(change: Change<StoredPost>): Change<LivePost> | null {
  const old = change.old_val && publicPost(change.old_val);
  const next = change.new_val && publicPost(change.new_val);
  return old || next ? { old_val: old, new_val: next } : null;
}

export function publicCommentChange(change: Change<StoredComment>): Change<Comment> {
  return {
    old_val: change.old_val && publicComment(change.old_val),
    new_val: change.new_val && publicComment(change.new_val),
  };
}
