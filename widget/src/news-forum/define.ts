import { NewsForum } from './news-forum.js';

// Guarded, so that two copies of the widget on one page (say the bundle and
// an npm build) do not throw on the second definition.
if (!customElements.get('news-forum')) customElements.define('news-forum', NewsForum);
