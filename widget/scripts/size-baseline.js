// The size baseline: a bare Lit element that opens a socket.io connection.
// The widget's budget is measured against this, built the same way in the same run.
import { html, LitElement } from 'lit';
import { io } from 'socket.io-client';

class SizeBaseline extends LitElement {
  static properties = { api: {} };

  connectedCallback() {
    super.connectedCallback();
    this.socket = io(this.api);
  }

  render() {
    return html`<p>${this.socket?.id}</p>`;
  }
}
customElements.define('size-baseline', SizeBaseline);
