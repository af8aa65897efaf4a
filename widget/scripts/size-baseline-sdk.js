// The baseline plus the SDK: a bare Lit element showing a live view of posts.
// Printed next to the others, to show how much of the widget's weight is the SDK's.

import { createClient } from '@news-forum/sdk';
import { html, LitElement } from 'lit';

class SizeBaselineSdk extends LitElement {
  static properties = { api: {}, posts: { state: true } };

  connectedCallback() {
    super.connectedCallback();
    this.forum = createClient({ baseUrl: this.api });
    this.forum.live.posts.watch().subscribe((posts) => (this.posts = posts));
  }

  render() {
    return html`<ol>${this.posts?.map((post) => html`<li>${post.title}</li>`)}</ol>`;
  }
}
customElements.define('size-baseline-sdk', SizeBaselineSdk);
