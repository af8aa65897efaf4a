import { DEFAULT_PAGE_SIZE, type PostSort } from '@news-forum/sdk';
import { html, LitElement, nothing, type PropertyDeclarations } from 'lit';
import { styles } from '../styles/news-forum.styles.js';
import { describeUnusable } from './describe-error.js';
import { header } from './templates/header.js';
import { listView } from './templates/list.js';
import { pageView } from './templates/page.js';
import { partsPending } from './templates/parts-pending.js';
import { Ui } from './ui.js';

/**
 * A live news forum: ranked posts with up and down votes, threaded comments
 * arriving live, sign in and sign up, submitting and deleting. Talks to a
 * news-forum server through `@news-forum/sdk`. The reader's token is kept
 * in memory only: reloading the page signs them out.
 *
 * @summary The news-forum as an embeddable element.
 *
 * @slot - Content the server rendered into the element (`<div data-news-forum-prerendered>`), shown until the element's own is ready.
 * @slot header - Replaces the title at the start of the header ("Discussion").
 * @slot empty - Shown when there are no posts yet.
 *
 * @fires news-forum-vote - The server accepted a vote: `{ postId, vote, post }`.
 * @fires news-forum-login - The reader signed in (or up): `{ user, created }`.
 * @fires news-forum-logout - The reader signed out or the session ended: `{ login, reason }`.
 * @fires news-forum-post-created - The reader submitted a post: `{ post }`.
 * @fires news-forum-comment-created - The reader commented or replied: `{ comment }`.
 * @fires news-forum-error - Something failed; the widget shows it too: `{ action, message, error }`.
 *
 * @csspart base - The element's box.
 * @csspart header - The bar with the title, the connection state and the account buttons.
 * @csspart status - The connection state ("Live", "Reconnecting…").
 * @csspart status-detail - Why the connection is down, while it is.
 * @csspart notice - Messages such as a refused vote.
 * @csspart auth-form - The sign-in and sign-up forms.
 * @csspart composer - The forms for a post, a comment or a reply.
 * @csspart submit-button - The submit button of every form.
 * @csspart new-posts-button - "Show 3 new posts".
 * @csspart post-list - The ranked list.
 * @csspart post - A post, in the list or opened.
 * @csspart title - A post's title (a link when it has a URL).
 * @csspart vote-button - Both vote buttons; also `upvote-button` and `downvote-button`.
 * @csspart upvote-button - The up button.
 * @csspart downvote-button - The down button.
 * @csspart score - A post's score.
 * @csspart comments-button - "3 comments", which opens the post.
 * @csspart post-view - An opened post with its comments.
 * @csspart comment - A comment (replies are nested inside).
 * @csspart delete-button - Delete buttons of posts and comments.
 * @csspart presence - "12 reading now" over the list, "3 reading this thread" in a post.
 * @csspart notifications-button - A signed-in reader's "Replies" button.
 * @csspart unread-badge - The number of unread replies on that button.
 * @csspart notifications - The list of replies it opens.
 * @csspart moderation - The Edit, Flag and moderator buttons of an opened post.
 * @csspart moderation-button - Edit, Flag, Hide/Restore, Lock/Unlock and "Ban author".
 * @csspart edit-form - The form that edits a post or a comment.
 * @csspart flag-form - The form that flags a post or a comment with a reason.
 * @csspart ban-form - The moderator's form that bans an author.
 * @csspart edited - "(edited)" after a post or comment changed since it was written.
 * @csspart flag-count - "2 flags", shown to moderators.
 * @csspart flagged - "Flagged", in place of Flag on what the reader flagged since signing in.
 * @csspart hidden-badge - "Hidden" ("Hidden by flags" until a moderator decides), on what moderators see of hidden posts and comments.
 * @csspart removed-comment - The placeholder of a hidden comment ("removed by a moderator", or "hidden after flags, pending review").
 * @csspart comment-text - A comment's text.
 * @csspart locked-notice - "This thread is locked", in place of the comment form; also that a moderator closed a page's discussion.
 *
 * @cssproperty --news-forum-font-family - Font of the whole element (default: inherited).
 * @cssproperty --news-forum-font-size - Base font size (default: 1rem).
 * @cssproperty --news-forum-background - Background.
 * @cssproperty --news-forum-surface - Background of forms, inputs and opened posts.
 * @cssproperty --news-forum-text - Text color.
 * @cssproperty --news-forum-muted - Secondary text (authors, times, hints).
 * @cssproperty --news-forum-border - Borders and separators.
 * @cssproperty --news-forum-accent - Links, primary buttons, the upvoted arrow.
 * @cssproperty --news-forum-accent-text - Text on accent-colored buttons.
 * @cssproperty --news-forum-downvote - The downvoted arrow.
 * @cssproperty --news-forum-danger - Errors and delete buttons.
 * @cssproperty --news-forum-focus-ring - Keyboard focus outline color.
 * @cssproperty --news-forum-radius - Corner radius of buttons, inputs and panels.
 * @cssproperty --news-forum-gap - Base spacing unit.
 */
export class NewsForum extends LitElement {
  static override styles = styles;

  // Declared here rather than with decorators, which would add their helpers to the bundle.
  static override properties: PropertyDeclarations = {
    api: {},
    sort: {},
    limit: { type: Number },
    post: {},
    page: {},
    titleText: { attribute: 'title-text' },
    theme: {},
  };

  /** Base URL of the forum server, e.g. `https://forum.example.com`; default: the page's own origin. */
  api = '';

  /** Order of the list: `hot` (votes and age), `new` or `top` (score). */
  sort: PostSort = 'hot';

  /** How many posts the list shows, 1 to 100. */
  limit: number = DEFAULT_PAGE_SIZE;

  /** Id of a post: show only that post and its comments (e.g. under an article). */
  post = '';

  /**
   * Show the discussion of a page, one post per page, created by its first
   * comment: the page's URL, or empty for the page's canonical link (else its
   * address). The page's site must be allowed by the forum (CORS_ORIGINS).
   */
  page: string | null | undefined = undefined;

  /** Title of the page's discussion when a comment creates it (`title-text`); default the document's title. */
  titleText = '';

  /** `light`, `dark`, or `auto` to follow the reader's system setting. */
  theme: 'light' | 'dark' | 'auto' = 'auto';

  /** The element's jobs (session, list, thread, votes, forms, focus…), each a reactive controller. */
  readonly #ui = new Ui(this);

  protected override render() {
    const ui = this.#ui;
    const { notice, announcement } = ui.notices;
    const { view, parts } = ui;
    const theme = this.theme === 'light' || this.theme === 'dark' ? this.theme : 'auto';
    // An address attribute the element cannot use (see SessionController.refuse).
    const unusable = ui.session.base === '' ? 'api' : ui.page.state === 'unusable' ? 'page' : undefined;
    // Its words are English, laid out left to right on any page; what readers wrote takes its own direction (styles).
    return html`<div part="base" class="base ${theme}" dir="ltr" lang="en">
      ${header(ui)}
      <p class="sr-only" role="status" aria-live="polite">${announcement}</p>
      ${
        notice
          ? html`<div part="notice" class="notice ${notice.error ? 'error' : ''}" role=${notice.error ? 'alert' : 'status'}>
            <span>${notice.text}</span>
            <button class="link" aria-label="Dismiss message" @click=${() => ui.notices.show()}>×</button>
          </div>`
          : nothing
      }
      ${view.panel ? (parts.loaded?.panelView() ?? partsPending(ui)) : nothing}
      ${
        unusable
          ? html`<p class="placeholder">${describeUnusable(unusable)}</p>`
          : ui.prerendered.showing
            ? html`<slot></slot>`
            : view.post
              ? (parts.loaded?.threadView() ?? partsPending(ui, true))
              : ui.page.active
                ? pageView(ui)
                : listView(ui)
      }
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'news-forum': NewsForum;
  }
}
