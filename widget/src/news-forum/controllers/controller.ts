import type { PostSort } from '@news-forum/sdk';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Ui } from '../ui.js';

/** `<news-forum>` as its controllers see it. */
export interface ForumElement extends ReactiveControllerHost, HTMLElement {
  readonly api: string;
  sort: PostSort;
  readonly limit: number;
  readonly post: string;
  /** The `page` attribute: a string (maybe empty) when present. */
  readonly page: string | null | undefined;
  readonly titleText: string;
  readonly renderRoot: HTMLElement | DocumentFragment;
}

/** One job of the element, registered with it; it reaches the other jobs through `ui`. */
export abstract class Controller implements ReactiveController {
  protected readonly host: ForumElement;
  protected readonly ui: Ui;

  // Declared so that every controller, whichever hooks it has, is a ReactiveController.
  hostConnected?(): void;

  constructor(host: ForumElement, ui: Ui) {
    this.host = host;
    this.ui = ui;
    host.addController(this);
  }

  /** Asks the element to render again. */
  protected changed(): void {
    this.host.requestUpdate();
  }
}
