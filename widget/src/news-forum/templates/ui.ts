import type { Comment, LivePost, PostSort, User } from '@news-forum/sdk';
import type { Vote } from '../../events/events.js';
import type { FrontPage } from '../front-page.js';
import type { Thread } from '../thread.js';
import type { Votes } from '../votes.js';

/** The forms the widget shows; a reply form is keyed by the comment it answers. */
export type FormKey = 'sign-in' | 'sign-up' | 'post' | 'comment' | `reply:${string}`;

/** The panel under the header. */
export type Panel = 'sign-in' | 'sign-up' | 'post' | undefined;

/** Forms and panels: what is open, being sent, or refused. */
export interface ViewState {
  panel: Panel;
  /** The form being submitted. */
  busy: FormKey | undefined;
  formError: { key: FormKey; message: string } | undefined;
  /** The comment being answered. */
  replyTo: string | undefined;
  /** The post or comment whose deletion awaits confirmation. */
  confirming: string | undefined;
}

/** What the templates read and call: the element's state and actions, without widening its public API. */
export interface Ui {
  readonly user: User | undefined;
  readonly votes: Votes;
  readonly front: FrontPage;
  readonly thread: Thread;
  readonly sort: PostSort;
  /** Whether the host pinned the widget to one post (the `post` attribute). */
  readonly pinned: boolean;
  readonly view: Readonly<ViewState>;
  /** Time of the last clock tick, for "3 minutes ago". */
  readonly now: number;
  canDelete(author: string): boolean;
  setPanel(panel: Panel, reason?: string): void;
  setSort(sort: PostSort): void;
  open(id: string): void;
  back(): void;
  reload(): void;
  vote(post: LivePost, vote: Vote): void;
  confirm(key: string | undefined): void;
  deletePost(post: LivePost): void;
  deleteComment(comment: Comment): void;
  setReplyTo(id: string | undefined): void;
  signIn(event: SubmitEvent): void;
  signUp(event: SubmitEvent): void;
  signOut(): void;
  submitPost(event: SubmitEvent): void;
  submitComment(event: SubmitEvent, parentId?: string): void;
  /** Shows the posts waiting in the list, focusing the first. */
  showWaiting(): void;
  /** Pages in comments beyond the live view's first 200. */
  showMoreComments(): void;
  /** Loads the opened post again after it failed to load. */
  retryThread(): void;
}
