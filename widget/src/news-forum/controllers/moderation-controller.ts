import { isModerator } from '@news-forum/protocol';
import type { CallOptions, Comment, FlagReason, LivePost, NewsForumClient, NewsForumError, Result } from '@news-forum/sdk';
import { describeError } from '../describe-error.js';
import { Controller } from './controller.js';

/** A moderation call, made in the reader's session. */
export type Action = (forum: NewsForumClient, options: CallOptions) => Promise<Result<unknown>>;

/** What an open moderation form is about: `edit:<id>`, `flag:<id>`, `ban:<id>`. */
export type ModerationKey = `${'edit' | 'flag' | 'ban'}:${string}`;

const DAY_MS = 86_400_000;
/** How long after an unanswered `GET /api` the edit window is asked again. */
const INFO_RETRY_MS = 5_000;

/**
 * Editing, flags and moderator actions in the opened thread: which inline
 * form is open, the server's edit window (from `GET /api`), and the calls.
 * Results come back through the live views, with a higher version.
 */
export class ModerationController extends Controller {
  /** The inline form open, if any. */
  open: ModerationKey | undefined;
  /** The error of the last action, shown next to its form. */
  error: string | undefined;
  /** An action on its way: pressing again sends nothing. */
  busy = false;
  /** Posts and comments this reader flagged since signing in: shown as flagged, not offered again. */
  readonly flagged = new Set<string>();
  /** How long authors may edit, in seconds; until known, editing is not offered. */
  #editWindowSeconds: number | undefined;
  /** How old an account must be to flag; until known, Flag is offered and the forum decides. */
  #flagMinAccountAgeSeconds: number | undefined;
  /** The client the edit window was asked of: another (`api` changed) asks again. */
  #askedOf: NewsForumClient | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;

  hostUpdate(): void {
    const forum = this.ui.session.forum;
    if (!forum || forum === this.#askedOf) return;
    this.#askedOf = forum;
    this.#editWindowSeconds = this.#flagMinAccountAgeSeconds = undefined;
    clearTimeout(this.#retry);
    void forum.info().then(({ data }) => {
      if (this.#askedOf !== forum) return;
      this.#editWindowSeconds = data?.editWindowSeconds;
      this.#flagMinAccountAgeSeconds = data?.flagMinAccountAgeSeconds;
      // Unanswered (the forum down as the page opened): asked again later, or authors would never be offered Edit.
      if (data === undefined)
        this.#retry = setTimeout(() => {
          if (this.#askedOf === forum) this.#askedOf = undefined;
          this.changed();
        }, INFO_RETRY_MS);
      this.changed();
    });
  }

  hostDisconnected(): void {
    clearTimeout(this.#retry);
    this.#askedOf = undefined;
  }

  /** Moderators (scope `delete`) see flag counts and hide, restore, lock and ban. */
  get moderator(): boolean {
    return Boolean(this.ui.session.user?.scopes.includes('delete'));
  }

  /** The author of `item` may edit it while the window is open (a page's discussion has none); moderators always. */
  canEdit(item: { author?: string | undefined; createdAt: string; pageUrl?: string | undefined }): boolean {
    const user = this.ui.session.user;
    if (!user) return false;
    if (this.moderator) return true;
    const window = this.#editWindowSeconds;
    const author = item.pageUrl === undefined && item.author === user.login;
    return window !== undefined && author && this.ui.clock.now - Date.parse(item.createdAt) < window * 1000;
  }

  /**
   * Readers other than the author may flag, once their account is old enough on the server's clock; moderators and
   * admins at once, as the server lets them.
   */
  canFlag(item: { author?: string | undefined }): boolean {
    const { user, serverAheadMs } = this.ui.session;
    if (!user || item.author === undefined || item.author === user.login) return false;
    const age = this.#flagMinAccountAgeSeconds;
    if (age === undefined || isModerator(user.scopes)) return true;
    // Now, not the clock's last tick (up to 30 s old): the button comes with the first render after the age is reached.
    return Date.now() + serverAheadMs - Date.parse(user.createdAt) >= age * 1000;
  }

  toggle(key: ModerationKey | undefined): void {
    const was = this.open;
    this.open = this.open === key ? undefined : key;
    this.error = undefined;
    this.changed();
    if (this.open) this.ui.focus.request(`moderation:${this.open}`);
    else if (was) this.ui.focus.request(`moderation-button:${was}`);
  }

  /** Closes the open form, without moving focus: its reader signed out, or the client ended. */
  reset(): void {
    this.open = this.error = undefined;
    this.flagged.clear();
    this.changed();
  }

  editPost(event: SubmitEvent, post: LivePost): void {
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const text = String(form.get('text') ?? '');
    void this.#run(
      event,
      (forum, options) => forum.moderation.editPost(post.id, { title: String(form.get('title')), text: text || null }, options),
      'Post edited.',
    );
  }

  editComment(event: SubmitEvent, comment: Comment): void {
    const text = String(new FormData(event.currentTarget as HTMLFormElement).get('text'));
    void this.#run(
      event,
      (forum, options) => forum.moderation.editComment(comment.postId, comment.id, { text }, options),
      'Comment edited.',
    );
  }

  flag(event: SubmitEvent, target: { postId: string; id?: string }): void {
    const reason = String(new FormData(event.currentTarget as HTMLFormElement).get('reason')) as FlagReason;
    void this.#run(
      event,
      (forum, options) =>
        target.id === undefined
          ? forum.moderation.flagPost(target.postId, reason, options)
          : forum.moderation.flagComment(target.postId, target.id, reason, options),
      'Thanks, the moderators will have a look.',
      () => this.flagged.add(target.id ?? target.postId),
    );
  }

  ban(event: SubmitEvent, login: string): void {
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const days = String(form.get('days'));
    const until = days === 'forever' ? null : new Date(Date.now() + Number(days) * DAY_MS).toISOString();
    const hideContent = form.has('hide');
    void this.#run(event, (forum, options) => forum.moderation.ban(login, { until, hideContent }, options), `${login} is banned.`);
  }

  /** Hide, restore, lock or unlock: one click, answered live. */
  act(run: Action, done: string): void {
    void this.#run(undefined, run, done);
  }

  async #run(event: SubmitEvent | undefined, run: Action, done: string, onDone?: () => void): Promise<void> {
    event?.preventDefault();
    const { session } = this.ui;
    const { forum } = session;
    if (!forum || this.busy) return;
    // The form sent, which goes once it succeeds: focus returns to the button that opened it.
    const form = event && this.open;
    this.busy = true;
    this.changed();
    const signal = session.signal();
    const { error } = await run(forum, { signal });
    this.busy = false;
    this.changed();
    // Signed out meanwhile: nothing to tell the next reader.
    if (signal.aborted) return;
    if (error) return this.#failed(error);
    this.open = undefined;
    this.error = undefined;
    onDone?.();
    if (form) this.ui.focus.request(`moderation-button:${form}`);
    this.ui.notices.announce(done);
    this.changed();
  }

  #failed(error: NewsForumError): void {
    this.error = describeError(error);
    this.ui.session.report('moderate', error, false);
    this.changed();
  }
}
