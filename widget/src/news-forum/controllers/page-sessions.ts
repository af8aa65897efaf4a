import type { User } from '@news-forum/sdk';

/** A reader's session with one forum as the elements of a page share it. */
export interface SharedSession {
  /** The forum: `api`, resolved. */
  base: string;
  /**
   * Signed in: the account, its token, when it expires on this page's clock, and how far the server's clock was ahead
   * of the page's when it was issued.
   */
  signedIn: { user: User; token: string; expiresAt: number | undefined; serverAheadMs: number } | undefined;
  /** Signed out: why, as the element that signed out said it (undefined: the reader signed out). */
  endedBecause?: string | undefined;
}

type Listener = (session: SharedSession) => void;

/**
 * The sessions of this page's `<news-forum>` elements, by forum: an element
 * that signs in or out tells the others of the same forum, and one that
 * connects later starts with the session. The token stays in this page's
 * memory, as it does in one element; nothing is stored or sent elsewhere.
 */
class PageSessions {
  readonly #latest = new Map<string, SharedSession>();
  readonly #listeners = new Set<Listener>();

  /** What the page last heard of `base`: signed in, signed out, or nothing yet (undefined). */
  latest(base: string): SharedSession | undefined {
    return this.#latest.get(base);
  }

  /** Calls `listener` with what other elements tell; returns the function that stops it. */
  listen(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Tells every other listener of the page (`from` is the teller's own). */
  tell(session: SharedSession, from: Listener): void {
    this.#latest.set(session.base, session);
    for (const listener of [...this.#listeners]) if (listener !== from) listener(session);
  }
}

export const pageSessions = new PageSessions();
