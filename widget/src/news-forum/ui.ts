import { ClockController } from './controllers/clock-controller.js';
import { ConnectionController } from './controllers/connection-controller.js';
import type { ForumElement } from './controllers/controller.js';
import { FocusController } from './controllers/focus-controller.js';
import { FormsController } from './controllers/forms-controller.js';
import { FrontPageController } from './controllers/front-page-controller.js';
import { NoticesController } from './controllers/notices-controller.js';
import { SessionController } from './controllers/session-controller.js';
import { ThreadController } from './controllers/thread-controller.js';
import { VotesController } from './controllers/votes-controller.js';

/**
 * The element's jobs, one controller each, which templates read and call.
 * Controllers reach each other through it when they act, so the order here
 * only sets the order of their hooks: the session before the list and the
 * thread, which use its client.
 */
export class Ui {
  readonly clock: ClockController;
  readonly notices: NoticesController;
  readonly focus: FocusController;
  readonly session: SessionController;
  readonly connection: ConnectionController;
  readonly votes: VotesController;
  readonly forms: FormsController;
  readonly front: FrontPageController;
  readonly thread: ThreadController;
  readonly #host: ForumElement;

  constructor(host: ForumElement) {
    this.#host = host;
    this.clock = new ClockController(host, this);
    this.notices = new NoticesController(host, this);
    this.focus = new FocusController(host, this);
    this.session = new SessionController(host, this);
    this.connection = new ConnectionController(host, this);
    this.votes = new VotesController(host, this);
    this.forms = new FormsController(host, this);
    this.front = new FrontPageController(host, this);
    this.thread = new ThreadController(host, this);
  }

  /** Whether the host pinned the widget to one post (the `post` attribute). */
  get pinned(): boolean {
    return Boolean(this.#host.post);
  }
}
