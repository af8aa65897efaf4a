import type { CallOptions, NewsForumClient, Result, Session } from '@news-forum/sdk';
import { type ErrorAction, emit } from '../../events/events.js';
import { describeError } from '../describe-error.js';
import { Controller } from './controller.js';
import type { FocusTarget } from './focus-controller.js';

/** The forms the widget shows; a reply form is keyed by the comment it answers. */
export type FormKey = 'sign-in' | 'sign-up' | 'post' | 'comment' | `reply:${string}`;

/** What is being sent, refused, answered or awaiting confirmation. */
export interface FormsState {
  /** The form being submitted. */
  busy: FormKey | undefined;
  error: { key: FormKey; message: string } | undefined;
  /** The comment being answered. */
  replyTo: string | undefined;
  /** The post or comment whose deletion awaits confirmation. */
  confirming: string | undefined;
}

/**
 * The forms: sending one, its error, and what signing in, a post or a comment submitted leads to; and the
 * drafts of forms that went away under the reader, given back when those forms are shown to them again: a session
 * that ended (see SessionController.ended), the element moved in the page, a page's discussion that went.
 */
export class FormsController extends Controller implements FormsState {
  busy: FormKey | undefined;
  error: FormsState['error'];
  replyTo: string | undefined;
  confirming: string | undefined;
  /** The fields of the forms open when they were kept, by their `data-draft` (`post`, `comment:<post or page>`, `reply:<comment>`). */
  #drafts = new Map<string, [string, string][]>();
  /** Whose drafts they are: only that reader gets them back. */
  #draftsOf: string | undefined;

  /** Keeps the texts of the open forms for the reader signed in: read before the forms go away. */
  keep(): void {
    const login = this.ui.session.user?.login;
    if (login !== this.#draftsOf) this.#drafts.clear();
    this.#draftsOf = login;
    for (const form of this.host.renderRoot.querySelectorAll<HTMLFormElement>('form[data-draft]')) {
      const fields = [...new FormData(form)].filter((field): field is [string, string] => typeof field[1] === 'string' && field[1] !== '');
      if (fields.length) this.#drafts.set(form.dataset.draft as string, fields);
    }
  }

  /** The text kept for the form `draft` (a `data-draft`) while that form is not shown, if any. */
  kept(draft: string): string | undefined {
    if (this.ui.session.user?.login !== this.#draftsOf) return undefined;
    return this.#drafts.get(draft)?.find(([name]) => name === 'text')?.[1];
  }

  /** The session ended: the reply and confirmation close; with `keep`, the open forms' texts are kept, else forgotten. */
  sessionEnded(keep: boolean): void {
    if (keep) this.keep();
    else this.#drafts.clear();
    this.set({ replyTo: undefined, confirming: undefined });
  }

  /** Fills the forms that have a draft kept for the reader signed in, as they appear. */
  hostUpdated(): void {
    if (!this.#drafts.size || this.ui.session.user?.login !== this.#draftsOf) return;
    for (const form of this.host.renderRoot.querySelectorAll<HTMLFormElement>('form[data-draft]')) {
      const key = form.dataset.draft as string;
      for (const [name, value] of this.#drafts.get(key) ?? []) {
        const field = form.elements.namedItem(name);
        if (field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement) field.value = value;
      }
      this.#drafts.delete(key);
    }
  }

  set(patch: Partial<FormsState>): void {
    Object.assign(this, patch);
    this.changed();
  }

  setReplyTo(id: string | undefined): void {
    const was = this.replyTo;
    this.set({ replyTo: id, error: undefined });
    if (id) this.ui.focus.request(`reply-form:${id}`);
    // The reply form closed (Cancel): back to its Reply button.
    else if (was) this.ui.focus.request(`reply:${was}`);
  }

  /** Asks to confirm the deletion of the post or comment `key` (undefined: no longer). */
  confirm(key: string | undefined): void {
    this.set({ confirming: key });
    if (key) this.ui.focus.request(`confirm:${key}`);
  }

  /** Runs a form's request in the reader's session: busy state, the form's own error message, then `done`. */
  async submit<T>(
    key: FormKey,
    action: ErrorAction,
    event: SubmitEvent,
    run: (forum: NewsForumClient, form: FormData, options: CallOptions) => Promise<Result<T>>,
    done: (data: T) => void,
  ): Promise<void> {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const { session } = this.ui;
    if (this.busy || !session.forum) return;
    this.set({ busy: key, error: undefined });
    const signal = session.signal();
    const { data, error } = await run(session.forum, new FormData(form), { signal });
    this.set({ busy: undefined });
    if (signal.aborted) return;
    if (error) {
      this.set({ error: { key, message: describeError(error) } });
      return session.report(action, error, false);
    }
    form.reset();
    done(data);
  }

  signIn(event: SubmitEvent): void {
    void this.submit(
      'sign-in',
      'sign-in',
      event,
      (forum, form, options) => forum.login(String(form.get('login')), String(form.get('password')), options),
      (session) => this.#signedIn(session, false),
    );
  }

  signUp(event: SubmitEvent): void {
    const create = async (forum: NewsForumClient, form: FormData, options: CallOptions): Promise<Result<Session>> => {
      const login = String(form.get('login'));
      const password = String(form.get('password'));
      const displayName = String(form.get('displayName') ?? '').trim();
      const created = await forum.users.create(login, { password, ...(displayName && { displayName }) }, options);
      return created.error ? created : forum.login(login, password, options);
    };
    void this.submit('sign-up', 'sign-up', event, create, (session) => this.#signedIn(session, true));
  }

  submitPost(event: SubmitEvent): void {
    void this.submit(
      'post',
      'post',
      event,
      (forum, form, options) => {
        const url = String(form.get('url') ?? '').trim();
        const text = String(form.get('text') ?? '').trim();
        return forum.posts.create({ title: String(form.get('title')).trim(), ...(url && { url }), ...(text && { text }) }, options);
      },
      (post) => {
        const { view } = this.ui;
        view.panel = undefined;
        this.ui.votes.learn([post]);
        this.ui.front.reveal(post.id);
        emit(this.host, 'news-forum-post-created', { post });
        if (!view.pinned) view.open(post.id);
      },
    );
  }

  submitComment(event: SubmitEvent, parentId?: string): void {
    // Comment forms are only shown under the post shown.
    const postId = String(this.ui.view.post);
    const { page } = this.ui;
    const pagePost = page.postId;
    void this.submit(
      parentId ? `reply:${parentId}` : 'comment',
      'comment',
      event,
      (forum, form, options) => {
        const text = String(form.get('text'));
        // A page's comments go through the page, which creates its post on the first.
        if (page.active) return page.comment(forum, text, parentId, options);
        return forum.comments.create(postId, { text, ...(parentId && { parentId }) }, options);
      },
      (comment) => {
        this.set({ replyTo: undefined });
        // A reply's form goes away: focus the Reply button of the comment answered.
        if (parentId) this.ui.focus.request(`reply:${parentId}`);
        // The comment started the page's discussion (or another page's): the thread replaced the form it was sent from.
        else if (page.active && page.postId !== pagePost) this.ui.focus.request('comment-form');
        this.ui.notices.announce(parentId ? 'Reply posted.' : 'Comment posted.');
        emit(this.host, 'news-forum-comment-created', { comment });
      },
    );
  }

  #signedIn({ user, token, expiresAt }: Session, created: boolean): void {
    this.ui.session.begin(user, { token, expiresAt });
    const focus = this.resume(user.login);
    this.ui.session.resync();
    emit(this.host, 'news-forum-login', { user, created });
    // What the sign-in was for ("Sign in to comment"), else the header's button that took the place of "Sign in".
    const { view } = this.ui;
    if (view.afterSignIn) focus.push(view.afterSignIn);
    view.afterSignIn = undefined;
    this.ui.focus.request(...focus, 'open:post');
  }

  /**
   * `login` signed in, here or in another element of the page: the forms that were open when its session ended
   * open again for their drafts, any other panel and the notice of why it ended go. Returns where focus may go.
   */
  resume(login: string): FocusTarget[] {
    if (login !== this.#draftsOf) this.#drafts.clear();
    const drafts = [...this.#drafts.keys()];
    const reply = drafts.find((key) => key.startsWith('reply:'))?.slice('reply:'.length);
    this.ui.view.panel = this.#drafts.has('post') ? 'post' : undefined;
    if (reply) this.set({ replyTo: reply });
    this.ui.notices.show();
    const focus: FocusTarget[] = this.#drafts.has('post') ? ['panel'] : [];
    if (reply) focus.push(`reply-form:${reply}`);
    if (drafts.some((key) => key.startsWith('comment:'))) focus.push('comment-form');
    return focus;
  }
}
