import type { LiveStatus, NewsForumClient, NewsForumError } from '@news-forum/sdk';
import { emit } from '../../events/events.js';
import { describeError } from '../describe-error.js';
import { Controller } from './controller.js';

/** The live connection's state for the header, and what follows a reconnect or a refused socket. */
export class ConnectionController extends Controller {
  status: LiveStatus = 'connecting';
  /** Why the connection is down, while it is. */
  problem: string | undefined;
  #reported = false;
  #stop: (() => void) | undefined;

  /** Follows the status of `forum`'s socket (none: stops following). */
  follow(forum: NewsForumClient | undefined): void {
    this.#stop?.();
    this.#stop = forum?.live.on('status', ({ status, error }) => this.#update(status, error));
    // The client left behind is closed without telling (no longer followed); a new one has yet to connect.
    this.status = forum ? 'connecting' : 'closed';
    this.problem = undefined;
    this.#reported = false;
    this.changed();
  }

  #update(status: LiveStatus, error: NewsForumError | undefined): void {
    const { notices, session } = this.ui;
    const was = this.status;
    this.status = status;
    this.changed();
    if (status === 'live') {
      this.problem = undefined;
      this.#reported = false;
      if (was === 'reconnecting' || was === 'closed') {
        notices.announce('Connected again.');
        session.resync();
      }
      return;
    }
    if (status === 'reconnecting' && was === 'live') notices.announce('Connection lost. Reconnecting…');
    if (!error) return;
    if (error.status === 401 && session.user) {
      session.ended(`${describeError(error)}: sign in again.`);
      return;
    }
    // The server closes the live socket of a token that expires: the session ends, the forum is not out of reach.
    if (session.expiring) {
      session.expire();
      return;
    }
    // The server closed a live socket (a restart, a deploy, this account's sessions ended): the forum answered.
    // The reconnect tells whether it is out of reach, or whether the session ended.
    if (status === 'reconnecting' && was === 'live') return;
    this.problem = describeError(error);
    if (!this.#reported) {
      this.#reported = true;
      emit(this.host, 'news-forum-error', { action: 'live', message: this.problem, error });
    }
  }
}
