import { ClockController } from './controllers/clock-controller.js';
import { ConnectionController } from './controllers/connection-controller.js';
import type { ForumElement } from './controllers/controller.js';
import { FocusController } from './controllers/focus-controller.js';
import { FrontPageController } from './controllers/front-page-controller.js';
import { LinkController } from './controllers/link-controller.js';
import { NoticesController } from './controllers/notices-controller.js';
import { PageController } from './controllers/page-controller.js';
import { PartsController } from './controllers/parts-controller.js';
import { PrerenderedController } from './controllers/prerendered-controller.js';
import { PresenceController } from './controllers/presence-controller.js';
import { SessionController } from './controllers/session-controller.js';
import { ViewController } from './controllers/view-controller.js';
import { VoteChannelController } from './controllers/vote-channel-controller.js';
import { VotesController } from './controllers/votes-controller.js';

/**
 * The element's jobs, one controller each, which templates read and call.
 * Controllers reach each other through it when they act, so the order here
 * only sets the order of their hooks: the session before the list, the view
 * before the parts that load on first use (which add their own controllers
 * after these: the forms, and the post shown with its discussion).
 */
export class Ui {
  readonly clock: ClockController;
  readonly notices: NoticesController;
  readonly focus: FocusController;
  readonly session: SessionController;
  readonly connection: ConnectionController;
  readonly presence: PresenceController;
  readonly votes: VotesController;
  readonly voteChannel: VoteChannelController;
  readonly view: ViewController;
  readonly front: FrontPageController;
  readonly parts: PartsController;
  readonly page: PageController;
  readonly links: LinkController;
  readonly prerendered: PrerenderedController;

  constructor(host: ForumElement) {
    this.clock = new ClockController(host, this);
    this.notices = new NoticesController(host, this);
    this.focus = new FocusController(host, this);
    this.session = new SessionController(host, this);
    this.connection = new ConnectionController(host, this);
    this.presence = new PresenceController(host, this);
    this.votes = new VotesController(host, this);
    this.voteChannel = new VoteChannelController(host, this);
    this.view = new ViewController(host, this);
    this.front = new FrontPageController(host, this);
    this.parts = new PartsController(host, this);
    this.page = new PageController(host, this);
    this.links = new LinkController(host, this);
    this.prerendered = new PrerenderedController(host, this);
  }
}
